/* An intrusive circular doubly linked list, as in most kernels. */
#ifndef ZUM_KOBJ_LIST_H_
#define ZUM_KOBJ_LIST_H_

#include <stdbool.h>
#include <stddef.h>

struct list_node {
  struct list_node* prev;
  struct list_node* next;
};

#define LIST_INIT(name) {&(name), &(name)}

static inline void list_init(struct list_node* l) { l->prev = l->next = l; }
static inline bool list_empty(const struct list_node* l) { return l->next == l; }
static inline bool list_linked(const struct list_node* n) { return n->next != NULL && n->next != n; }

static inline void list_add_tail(struct list_node* l, struct list_node* n) {
  n->prev = l->prev;
  n->next = l;
  l->prev->next = n;
  l->prev = n;
}

/* Unlinks n and leaves it pointing at itself, so unlinking twice is harmless. */
static inline void list_del(struct list_node* n) {
  if (n->next == NULL) return;
  n->prev->next = n->next;
  n->next->prev = n->prev;
  n->prev = n->next = n;
}

static inline size_t list_length(const struct list_node* l) {
  size_t n = 0;
  for (const struct list_node* p = l->next; p != l; p = p->next) n++;
  return n;
}

#define container_of(ptr, type, member) ((type*)((char*)(ptr)-offsetof(type, member)))
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first(l, type, member) (list_empty(l) ? NULL : list_entry((l)->next, type, member))

/* Iterates with the next node saved, so the current one may be unlinked. */
#define list_for_each_safe(pos, tmp, head) \
  for (pos = (head)->next, tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)

#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)

#endif
