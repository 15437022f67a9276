/* The futex table (kobj/futex.h): a hash of the futexes that have waiters, keyed by context and
 * address, with chains; it grows and shrinks with the number of futexes, so its memory follows
 * the waiters that exist, never an address or count a guest names. */
#include "kobj/futex.h"

#include <stdlib.h>

#include "kobj/object.h"
#include "kobj/task.h"

#define MIN_BUCKETS 64u

static struct kfutex** buckets;
static size_t num_buckets; /* a power of two, or 0 while there is no futex */
static size_t num_futexes;

static size_t hash(const void* ctx, uint64_t addr, size_t n) {
  uint64_t h = (uint64_t)(uintptr_t)ctx * 0x9e3779b97f4a7c15ull ^ (addr >> 2);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return (size_t)h & (n - 1);
}

/* Rehashes into n buckets; on no memory the table keeps its size (chains get longer, nothing
 * breaks). */
static void resize(size_t n) {
  struct kfutex** nb = calloc(n, sizeof(*nb));
  if (!nb) return;
  for (size_t i = 0; i < num_buckets; i++) {
    struct kfutex* f = buckets[i];
    while (f) {
      struct kfutex* next = f->next;
      size_t b = hash(f->ctx, f->addr, n);
      f->next = nb[b];
      nb[b] = f;
      f = next;
    }
  }
  free(buckets);
  buckets = nb;
  num_buckets = n;
}

struct kfutex* kfutex_find(const void* ctx, uint64_t addr) {
  if (!num_buckets) return NULL;
  for (struct kfutex* f = buckets[hash(ctx, addr, num_buckets)]; f; f = f->next)
    if (f->ctx == ctx && f->addr == addr) return f;
  return NULL;
}

static struct kfutex* create(const void* ctx, uint64_t addr) {
  if (!num_buckets) {
    buckets = calloc(MIN_BUCKETS, sizeof(*buckets));
    if (!buckets) return NULL;
    num_buckets = MIN_BUCKETS;
  }
  struct kfutex* f = calloc(1, sizeof(*f));
  if (!f) return NULL;
  f->ctx = ctx;
  f->addr = addr;
  list_init(&f->waiters);
  list_init(&f->owner_node);
  size_t b = hash(ctx, addr, num_buckets);
  f->next = buckets[b];
  buckets[b] = f;
  if (++num_futexes > num_buckets) resize(num_buckets * 2);
  return f;
}

static void set_owner(struct kfutex* f, struct kthread* owner) {
  if (f->owner == owner) return;
  if (f->owner) {
    list_del(&f->owner_node);
    kobj_unref(&f->owner->base);
  }
  f->owner = owner;
  if (owner) {
    kobj_ref(&owner->base);
    list_add_tail(&owner->futexes_owned, &f->owner_node);
  }
}

/* A futex without waiters may have no owner and does not exist. */
static void maybe_free(struct kfutex* f) {
  if (f->num_waiters) return;
  set_owner(f, NULL);
  struct kfutex** pp = &buckets[hash(f->ctx, f->addr, num_buckets)];
  while (*pp != f) pp = &(*pp)->next;
  *pp = f->next;
  free(f);
  if (--num_futexes == 0) {
    free(buckets);
    buckets = NULL;
    num_buckets = 0;
  } else if (num_buckets > MIN_BUCKETS && num_futexes < num_buckets / 8) {
    resize(num_buckets / 2);
  }
}

zx_status_t kfutex_wait(const void* ctx, uint64_t addr, struct kfutex_waiter* w,
                        struct kthread* owner) {
  struct kfutex* f = kfutex_find(ctx, addr);
  if (!f) f = create(ctx, addr);
  if (!f) return ZX_ERR_NO_MEMORY;
  w->futex = f;
  list_add_tail(&f->waiters, &w->node);
  f->num_waiters++;
  set_owner(f, owner);
  return ZX_OK;
}

void kfutex_leave(struct kfutex_waiter* w) {
  struct kfutex* f = w->futex;
  if (!f) return;
  list_del(&w->node);
  w->futex = NULL;
  f->num_waiters--;
  maybe_free(f);
}

void kfutex_set_owner(struct kfutex* f, struct kthread* owner) { set_owner(f, owner); }

zx_status_t kfutex_requeue(struct kfutex* from, uint32_t wake_count, bool assign_woken,
                           const void* to_ctx, uint64_t to_addr, uint32_t requeue_count,
                           struct kthread* to_owner) {
  struct kfutex* to = to_ctx ? kfutex_find(to_ctx, to_addr) : NULL;
  if (to == from) to = NULL, to_ctx = NULL; /* the calls refuse one futex as both */
  /* Make the target first, so that running out of memory changes nothing. */
  if (to_ctx && !to && from && requeue_count && from->num_waiters > wake_count) {
    to = create(to_ctx, to_addr);
    if (!to) return ZX_ERR_NO_MEMORY;
  }
  struct list_node woken;
  list_init(&woken);
  struct kthread* first_woken = NULL;
  if (from) {
    for (uint32_t i = 0; i < wake_count && from->num_waiters; i++) {
      struct kfutex_waiter* w = list_first(&from->waiters, struct kfutex_waiter, node);
      list_del(&w->node);
      from->num_waiters--;
      w->futex = NULL;
      if (i == 0) first_woken = w->thread;
      list_add_tail(&woken, &w->node);
    }
    for (uint32_t i = 0; to && to != from && i < requeue_count && from->num_waiters; i++) {
      struct kfutex_waiter* w = list_first(&from->waiters, struct kfutex_waiter, node);
      list_del(&w->node);
      from->num_waiters--;
      w->futex = to;
      list_add_tail(&to->waiters, &w->node);
      to->num_waiters++;
    }
    /* A woken thread that is dying cannot own anything (Zircon's owner rules). */
    if (first_woken && first_woken->state != KTHREAD_RUNNING) first_woken = NULL;
    set_owner(from, assign_woken && from->num_waiters ? first_woken : NULL);
    maybe_free(from);
  }
  if (to) {
    set_owner(to, to->num_waiters ? to_owner : NULL);
    maybe_free(to);
  }
  /* The hooks complete calls: run them once the table is consistent again. */
  struct list_node *pos, *tmp;
  list_for_each_safe(pos, tmp, &woken) {
    struct kfutex_waiter* w = list_entry(pos, struct kfutex_waiter, node);
    list_del(&w->node);
    w->woken(w);
  }
  return ZX_OK;
}

void kfutex_thread_exit(struct kthread* t) {
  struct list_node *pos, *tmp;
  list_for_each_safe(pos, tmp, &t->futexes_owned) {
    struct kfutex* f = list_entry(pos, struct kfutex, owner_node);
    set_owner(f, NULL);
  }
}

size_t kfutex_count(void) { return num_futexes; }
