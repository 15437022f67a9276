#include "kobj/handle.h"

#include <stdlib.h>

#include "kobj/quota.h"
#include "kobj/task.h"

#define INDEX_BITS 18u
#define INDEX_MASK ((1u << INDEX_BITS) - 1u)
#define GEN_MASK ((1u << (30u - INDEX_BITS)) - 1u) /* base_value fits in 30 bits */

_Static_assert(KHANDLE_ARENA_SIZE <= (1u << INDEX_BITS), "arena index must fit its bits");

struct slot {
  struct khandle* h;
  uint32_t gen;
};

/* Slots are picked at random, not in order: Zircon's handles of one process are scattered
 * through a system-wide arena, so a value off by a few bits is almost never another live handle
 * of the same process. Sequential slots would make such a value hit a neighbour. */
static struct slot* arena;
static uint32_t live;
static uint64_t rng;

static uint32_t random32(void) {
  return platform && platform->random32 ? platform->random32() : (uint32_t)random();
}

static uint32_t next_random(void) {
  if (!rng) {
    rng = ((uint64_t)random32() << 32) | 1;
  }
  /* xorshift64* */
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return (uint32_t)((rng * 0x2545F4914F6CDD1Dull) >> 32);
}

static uint32_t pick_slot(void) {
  if (live >= KHANDLE_ARENA_SIZE) return UINT32_MAX;
  uint32_t idx = next_random() % KHANDLE_ARENA_SIZE;
  /* The arena is mostly empty, so the first probe nearly always succeeds. */
  while (arena[idx].h) idx = (idx + 1) % KHANDLE_ARENA_SIZE;
  return idx;
}


struct khtable* khtable_create(void) {
  struct khtable* t = calloc(1, sizeof(*t));
  if (!t) return NULL;
  uint32_t secret = random32();
  t->mixer = secret << 2;
  t->refs = 1;
  list_init(&t->handles);
  return t;
}

void khtable_ref(struct khtable* t) { t->refs++; }

void khtable_close_all(struct khtable* t) {
  while (!list_empty(&t->handles)) {
    struct khandle* h = list_first(&t->handles, struct khandle, node);
    khandle_destroy(h);
  }
}

void khtable_unref(struct khtable* t) {
  if (--t->refs) return;
  khtable_close_all(t);
  free(t);
}

struct khandle* khandle_create_charged(struct kjob* job, struct kobj* obj, zx_rights_t rights) {
  if (!arena) {
    arena = calloc(KHANDLE_ARENA_SIZE, sizeof(*arena));
    if (!arena) return NULL;
  }
  uint32_t idx = pick_slot();
  if (idx == UINT32_MAX) return NULL;
  /* The arena is system-wide, as Zircon's: one job tree must not take all of it. */
  if (kquota_charge(job, KRES_HANDLES, 1) != ZX_OK) return NULL;
  struct khandle* h = calloc(1, sizeof(*h));
  if (!h) {
    kquota_release(job, KRES_HANDLES, 1);
    return NULL;
  }
  if (job) {
    h->charged = job;
    kobj_ref(&job->base);
  }
  arena[idx].h = h;
  h->obj = obj;
  h->rights = rights;
  h->base_value = idx | ((arena[idx].gen & GEN_MASK) << INDEX_BITS);
  list_init(&h->node);
  kobj_ref(obj);
  obj->handle_count++;
  live++;
  return h;
}

struct khandle* khandle_create(struct kobj* obj, zx_rights_t rights) {
  return khandle_create_charged(NULL, obj, rights);
}

zx_handle_t khandle_value(const struct khtable* t, const struct khandle* h) {
  return ((h->base_value << 2) | ZX_HANDLE_FIXED_BITS_MASK) ^ t->mixer;
}

zx_handle_t khandle_attach(struct khtable* t, struct khandle* h) {
  h->table = t;
  list_add_tail(&t->handles, &h->node);
  t->count++;
  return khandle_value(t, h);
}

void khandle_detach(struct khandle* h) {
  if (!h->table) return;
  list_del(&h->node);
  h->table->count--;
  h->table = NULL;
}

void khandle_destroy(struct khandle* h) {
  khandle_detach(h);
  struct kobj* o = h->obj;
  uint32_t idx = h->base_value & INDEX_MASK;
  arena[idx].h = NULL;
  arena[idx].gen++;
  live--;
  kobj_cancel_handle_observers(o, h);
  struct kjob* job = h->charged;
  free(h);
  if (--o->handle_count == 0 && o->ops->on_zero_handles) o->ops->on_zero_handles(o);
  else if (o->handle_count && o->ops->on_handle_removed) o->ops->on_handle_removed(o);
  kobj_unref(o);
  if (job) {
    kquota_release(job, KRES_HANDLES, 1);
    kobj_unref(&job->base);
  }
}

struct khandle* khandle_lookup(const struct khtable* t, zx_handle_t value) {
  if ((value & ZX_HANDLE_FIXED_BITS_MASK) != ZX_HANDLE_FIXED_BITS_MASK || !arena) return NULL;
  uint32_t base = (value ^ t->mixer) >> 2;
  uint32_t idx = base & INDEX_MASK;
  struct khandle* h = arena[idx].h;
  if (!h || h->base_value != base || h->table != t) return NULL;
  return h;
}

uint32_t khandle_live_count(void) { return live; }
