/* The VMAR tree (see vmar.h). Each VMAR keeps its children in an array sorted by address (they
 * never overlap), so lookups are binary searches and placement is one pass over the gaps, as
 * Zircon's RegionList::FindSpotAtIndex. */
#include "mm/vmar.h"

#include <stdlib.h>
#include <string.h>
#include <zircon/errors.h>

/* One piece of uniform protection in a mapping: from base to the next piece (or the end). */
struct mm_prange {
  uint64_t base;
  uint32_t prot;
};

struct mm_region {
  uint32_t refs; /* the tree's (while alive) plus the layer above's */
  bool mapping;
  bool alive;
  bool root;
  bool mergeable;
  uint64_t base, size;
  uint32_t flags;
  struct mm_aspace* as;     /* NULL once dead */
  struct mm_region* parent; /* NULL for the root and once dead */
  char name[MM_NAME_LEN];
  /* VMARs: children sorted by base. */
  struct mm_region** kids;
  size_t nkids, capkids;
  size_t wpos; /* destroy_subtree's position */
  /* Mappings. */
  void* obj;
  uint64_t vmo_offset;
  struct mm_prange* pr;
  size_t npr;
};

struct mm_aspace {
  /* Every live address space, for mm_for_each_aspace. */
  struct mm_aspace *prev_live, *next_live;
  struct mm_region* root;
  const struct mm_region* vdso_code;
  const struct mm_hooks* hooks;
  void* owner;
  bool aslr;
  uint8_t entropy, compact_entropy;
  uint64_t rng[4];
};

/* ---- operations */

void mm_ops_init(struct mm_ops* ops) {
  ops->n = 0;
  ops->cap = sizeof(ops->local) / sizeof(ops->local[0]);
  ops->oom = false;
  ops->v = ops->local;
}

void mm_ops_reset(struct mm_ops* ops) {
  ops->n = 0;
  ops->oom = false;
}

void mm_ops_free(struct mm_ops* ops) {
  if (ops->v != ops->local) free(ops->v);
  mm_ops_init(ops);
}

void mm_ops_add(struct mm_ops* ops, const zum_work_op_t* op) {
  if (ops->n == ops->cap) {
    size_t cap = ops->cap * 2;
    zum_work_op_t* v = malloc(cap * sizeof(*v));
    if (!v) {
      ops->oom = true;
      return;
    }
    memcpy(v, ops->v, ops->n * sizeof(*v));
    if (ops->v != ops->local) free(ops->v);
    ops->v = v;
    ops->cap = cap;
  }
  ops->v[ops->n++] = *op;
}

void mm_ops_push(struct mm_ops* ops, uint32_t kind, uint32_t prot, uint64_t addr, uint64_t len,
                 uint64_t offset, int fd) {
  zum_work_op_t op = {.kind = kind, .prot = prot, .fd = fd, .addr = addr, .len = len,
                      .offset = offset};
  mm_ops_add(ops, &op);
}

/* ---- randomness: xoshiro256** seeded through splitmix64 */

static bool g_seeded;
static uint64_t g_seed, g_rank;

void mm_set_seed(uint64_t seed) {
  g_seeded = true;
  g_seed = seed;
  g_rank = 0;
}

static uint64_t splitmix(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(uint64_t s[4]) {
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

/* Uniform in [0, n), n >= 1. */
static uint64_t rng_below(uint64_t s[4], uint64_t n) {
  if ((n & (n - 1)) == 0) return rng_next(s) & (n - 1);
  uint64_t reject_below = -n % n; /* 2^64 mod n */
  for (;;) {
    uint64_t x = rng_next(s);
    if (x >= reject_below) return x % n;
  }
}

/* ---- small helpers */

static uint64_t rend(const struct mm_region* r) { return r->base + r->size; }

static bool is_in_range(const struct mm_region* r, uint64_t base, uint64_t len) {
  uint64_t off = base - r->base;
  return base >= r->base && off < r->size && r->size - off >= len;
}

static bool intersects(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  return a < b + blen && b < a + alen;
}

static bool vdso_intersects(const struct mm_aspace* as, uint64_t base, uint64_t len) {
  const struct mm_region* v = as->vdso_code;
  return v && intersects(base, len, v->base, v->size);
}

/* Rounds len up to a page; 0 if that overflows (as Zircon's RoundUpPageSize in these paths). */
static uint64_t round_len(uint64_t len) {
  if (len > UINT64_MAX - (MM_PAGE_SIZE - 1)) return 0;
  return (len + MM_PAGE_SIZE - 1) & ~(uint64_t)(MM_PAGE_SIZE - 1);
}

static bool page_aligned(uint64_t x) { return (x & (MM_PAGE_SIZE - 1)) == 0; }

/* Accumulates the span of address space whose mappings were removed. */
struct extent {
  uint64_t lo, hi;
};
#define EXTENT_EMPTY ((struct extent){UINT64_MAX, 0})

static void ext_add(struct extent* e, uint64_t lo, uint64_t hi) {
  if (lo < e->lo) e->lo = lo;
  if (hi > e->hi) e->hi = hi;
}

static void ext_reserve(const struct extent* e, struct mm_ops* ops) {
  if (ops && e->lo < e->hi) mm_ops_push(ops, ZUM_WORK_RESERVE, 0, e->lo, e->hi - e->lo, 0, -1);
}

/* ---- children arrays */

/* The first child that ends after addr. */
static size_t kid_lower(const struct mm_region* v, uint64_t addr) {
  size_t lo = 0, hi = v->nkids;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (rend(v->kids[mid]) <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static size_t kid_index(const struct mm_region* v, const struct mm_region* r) {
  return kid_lower(v, r->base);
}

static bool range_free(const struct mm_region* v, uint64_t base, uint64_t size) {
  size_t i = kid_lower(v, base);
  return i == v->nkids || v->kids[i]->base >= base + size;
}

static bool kids_reserve(struct mm_region* v, size_t extra) {
  if (v->nkids + extra <= v->capkids) return true;
  size_t cap = v->capkids ? v->capkids * 2 : 4;
  while (cap < v->nkids + extra) cap *= 2;
  struct mm_region** k = realloc(v->kids, cap * sizeof(*k));
  if (!k) return false;
  v->kids = k;
  v->capkids = cap;
  return true;
}

/* Inserts r (which must fit); the caller reserved room. */
static void kids_insert(struct mm_region* v, struct mm_region* r) {
  size_t i = kid_lower(v, r->base);
  memmove(&v->kids[i + 1], &v->kids[i], (v->nkids - i) * sizeof(v->kids[0]));
  v->kids[i] = r;
  v->nkids++;
}

static void kids_remove(struct mm_region* v, const struct mm_region* r) {
  size_t i = kid_index(v, r);
  memmove(&v->kids[i], &v->kids[i + 1], (v->nkids - i - 1) * sizeof(v->kids[0]));
  v->nkids--;
}

static void kids_drop_front(struct mm_region* v, size_t n) {
  memmove(&v->kids[0], &v->kids[n], (v->nkids - n) * sizeof(v->kids[0]));
  v->nkids -= n;
}

/* ---- regions */

static struct mm_region* region_new(struct mm_aspace* as, struct mm_region* parent, uint64_t base,
                                    uint64_t size, uint32_t flags, bool mapping) {
  struct mm_region* r = calloc(1, sizeof(*r));
  if (!r) return NULL;
  r->refs = 1;
  r->mapping = mapping;
  r->alive = true;
  r->base = base;
  r->size = size;
  r->flags = flags;
  r->as = as;
  r->parent = parent;
  return r;
}

static void region_free(struct mm_region* r) {
  free(r->kids);
  free(r->pr);
  free(r);
}

void mm_region_ref(struct mm_region* r) { r->refs++; }

void mm_region_unref(struct mm_region* r) {
  if (--r->refs == 0) region_free(r);
}

/* A VMAR region leaves the tree: dead, detached (the caller fixed the parent's array), and the
 * tree's reference dropped. */
static void vmar_kill(struct mm_region* v) {
  v->alive = false;
  v->parent = NULL;
  v->as = NULL;
  free(v->kids);
  v->kids = NULL;
  v->nkids = v->capkids = 0;
  mm_region_unref(v);
}

/* A mapping is gone (the caller fixed the parent's array). */
static void mapping_free(struct mm_region* m) {
  struct mm_aspace* as = m->as;
  if (as->vdso_code == m) as->vdso_code = NULL;
  void* obj = m->obj;
  region_free(m);
  if (as->hooks && as->hooks->mapping_removed) as->hooks->mapping_removed(obj, as);
}

static uint64_t prange_end(const struct mm_region* m, size_t i) {
  return i + 1 < m->npr ? m->pr[i + 1].base : rend(m);
}

/* Sets [lo, hi) of m to prot, keeping pieces minimal. */
static zx_status_t prange_set(struct mm_region* m, uint64_t lo, uint64_t hi, uint32_t prot) {
  struct mm_prange* nv = malloc((m->npr + 2) * sizeof(*nv));
  if (!nv) return ZX_ERR_NO_MEMORY;
  size_t n = 0;
  bool placed = false;
#define PUSH(b, p)                                  \
  do {                                              \
    if (n == 0 || nv[n - 1].prot != (p)) {          \
      nv[n].base = (b);                             \
      nv[n].prot = (p);                             \
      n++;                                          \
    }                                               \
  } while (0)
  for (size_t i = 0; i < m->npr; i++) {
    uint64_t s = m->pr[i].base, e = prange_end(m, i);
    uint32_t p = m->pr[i].prot;
    if (e <= lo || s >= hi) {
      PUSH(s, p);
      continue;
    }
    if (s < lo) PUSH(s, p);
    if (!placed) {
      PUSH(lo, prot);
      placed = true;
    }
    if (e > hi) PUSH(hi, p);
  }
#undef PUSH
  free(m->pr);
  m->pr = nv;
  m->npr = n;
  return ZX_OK;
}

/* The mapping now starts at nb (a head was unmapped). */
static void mapping_trim_front(struct mm_region* m, uint64_t nb) {
  size_t j = 0;
  while (prange_end(m, j) <= nb) j++;
  memmove(&m->pr[0], &m->pr[j], (m->npr - j) * sizeof(m->pr[0]));
  m->npr -= j;
  m->pr[0].base = nb;
  m->vmo_offset += nb - m->base;
  m->size -= nb - m->base;
  m->base = nb;
  m->mergeable = true; /* as Zircon's replacement mapping */
}

/* The mapping now ends at ne (a tail was unmapped). */
static void mapping_trim_back(struct mm_region* m, uint64_t ne) {
  size_t n = 0;
  while (n < m->npr && m->pr[n].base < ne) n++;
  m->npr = n;
  m->size = ne - m->base;
  m->mergeable = true;
}

/* A copy of m's [from, end) as a new mapping (not in the tree yet), or NULL. */
static struct mm_region* mapping_tail_copy(const struct mm_region* m, uint64_t from) {
  struct mm_region* r = region_new(m->as, m->parent, from, rend(m) - from, m->flags, true);
  if (!r) return NULL;
  size_t j = 0;
  while (prange_end(m, j) <= from) j++;
  r->pr = malloc((m->npr - j) * sizeof(*r->pr));
  if (!r->pr) {
    free(r);
    return NULL;
  }
  memcpy(r->pr, &m->pr[j], (m->npr - j) * sizeof(*r->pr));
  r->npr = m->npr - j;
  r->pr[0].base = from;
  r->obj = m->obj;
  r->vmo_offset = m->vmo_offset + (from - m->base);
  r->mergeable = true;
  return r;
}

/* ---- depth-first walk over what lies in [lo, hi) below top (top itself excluded) */

struct walker {
  struct mm_region* top;
  uint64_t lo, hi;
  struct mm_region* cur;
  unsigned depth; /* of cur below top: top's children are at 1 */
  bool done;
};

static void walk_init(struct walker* w, struct mm_region* top, uint64_t lo, uint64_t hi) {
  *w = (struct walker){.top = top, .lo = lo, .hi = hi};
}

static struct mm_region* walk_first_in(const struct walker* w, const struct mm_region* v) {
  size_t i = kid_lower(v, w->lo);
  return i < v->nkids && v->kids[i]->base < w->hi ? v->kids[i] : NULL;
}

static struct mm_region* walk_next(struct walker* w) {
  if (w->done) return NULL;
  struct mm_region* c = w->cur;
  if (!c) {
    w->cur = walk_first_in(w, w->top);
    w->depth = 1;
    w->done = !w->cur;
    return w->cur;
  }
  if (!c->mapping) {
    struct mm_region* k = walk_first_in(w, c);
    if (k) {
      w->cur = k;
      w->depth++;
      return k;
    }
  }
  while (c != w->top) {
    struct mm_region* p = c->parent;
    size_t i = kid_index(p, c) + 1;
    if (i < p->nkids && p->kids[i]->base < w->hi) {
      w->cur = p->kids[i];
      return w->cur;
    }
    c = p;
    w->depth--;
  }
  w->done = true;
  w->cur = NULL;
  return NULL;
}

static struct mm_region* walk_next_mapping(struct walker* w) {
  struct mm_region* r;
  while ((r = walk_next(w)) && !r->mapping) {
  }
  return r;
}

/* ---- destruction */

/* Destroys everything below v, then v (detached from its parent if detach_top; otherwise the
 * caller removes it from the parent's array). With check_vdso, meeting the vDSO code mapping
 * stops with ACCESS_DENIED, leaving what was destroyed before it destroyed. */
static zx_status_t destroy_subtree(struct mm_region* v, bool check_vdso, struct extent* acc,
                                   bool detach_top) {
  struct mm_aspace* as = v->as;
  struct mm_region* cur = v;
  cur->wpos = 0;
  for (;;) {
    if (cur->wpos < cur->nkids) {
      struct mm_region* k = cur->kids[cur->wpos];
      if (k->mapping) {
        if (check_vdso && k == as->vdso_code) {
          for (struct mm_region* c = cur;; c = c->parent) {
            kids_drop_front(c, c->wpos);
            if (c == v) break;
          }
          return ZX_ERR_ACCESS_DENIED;
        }
        ext_add(acc, k->base, rend(k));
        mapping_free(k);
        cur->wpos++;
      } else {
        k->wpos = 0;
        cur = k;
      }
      continue;
    }
    cur->nkids = 0;
    struct mm_region* p = cur->parent;
    if (cur == v) {
      if (detach_top && p) kids_remove(p, cur);
      vmar_kill(cur);
      return ZX_OK;
    }
    vmar_kill(cur);
    p->wpos++;
    cur = p;
  }
}

/* Zircon's UnmapInternalLocked without partial sub-VMARs. */
static zx_status_t unmap_internal(struct mm_region* v, uint64_t base, uint64_t size,
                                  bool can_destroy_regions, struct extent* acc) {
  if (!is_in_range(v, base, size)) return ZX_ERR_INVALID_ARGS;
  if (v->nkids == 0) return ZX_OK;
  if (vdso_intersects(v->as, base, size)) return ZX_ERR_ACCESS_DENIED;
  uint64_t end = base + size;
  size_t i0 = kid_lower(v, base), i1 = i0;
  while (i1 < v->nkids && v->kids[i1]->base < end) i1++;
  for (size_t i = i0; i < i1; i++) {
    const struct mm_region* k = v->kids[i];
    if (!k->mapping && (!can_destroy_regions || k->base < base || rend(k) > end))
      return ZX_ERR_INVALID_ARGS;
  }
  /* Unmapping the middle of one mapping splits it: allocate first, so nothing has changed if
   * that fails (only possible when a single child is involved, as in Zircon). */
  struct mm_region* right = NULL;
  if (i1 - i0 == 1) {
    struct mm_region* k = v->kids[i0];
    if (k->mapping && k->base < base && rend(k) > end) {
      if (!kids_reserve(v, 1) || !(right = mapping_tail_copy(k, end))) return ZX_ERR_NO_MEMORY;
    }
  }
  for (size_t i = i0; i < i1; i++) {
    struct mm_region* k = v->kids[i];
    if (!k->mapping) {
      destroy_subtree(k, false, acc, false);
      v->kids[i] = NULL;
      continue;
    }
    uint64_t ub = k->base > base ? k->base : base;
    uint64_t ue = rend(k) < end ? rend(k) : end;
    ext_add(acc, ub, ue);
    if (ub == k->base && ue == rend(k)) {
      mapping_free(k);
      v->kids[i] = NULL;
    } else if (ub == k->base) {
      mapping_trim_front(k, ue);
    } else {
      mapping_trim_back(k, ub);
    }
  }
  size_t j = i0;
  for (size_t i = i0; i < v->nkids; i++)
    if (i >= i1 || v->kids[i]) v->kids[j++] = v->kids[i];
  v->nkids = j;
  if (right) {
    kids_insert(v, right);
    struct mm_aspace* as = v->as;
    if (as->hooks && as->hooks->mapping_added) as->hooks->mapping_added(right->obj, as);
  }
  return ZX_OK;
}

/* ---- placement (RegionList::GetAllocSpot / FindSpotAtIndex) */

struct spot_search {
  uint64_t target;
  uint8_t align_pow2;
  uint64_t size;
  uint64_t upper_limit;
  uint64_t count;
  uint64_t spot;
  bool found;
};

/* Counts the candidate positions in a gap; true once the target-th is in it. */
static bool record_gap(struct spot_search* s, uint64_t gap_base, uint64_t gap_size) {
  uint64_t align = 1ull << s->align_pow2;
  if (gap_base > UINT64_MAX - (align - 1)) return false;
  uint64_t aligned = (gap_base + align - 1) & ~(align - 1);
  uint64_t delta = aligned - gap_base;
  uint64_t asize = gap_size > delta ? gap_size - delta : 0;
  if (aligned >= s->upper_limit) return false;
  uint64_t limit = aligned > UINT64_MAX - asize ? UINT64_MAX : aligned + asize;
  uint64_t clamped = limit < s->upper_limit ? asize : asize - (limit - s->upper_limit);
  uint64_t n = clamped >= s->size ? ((clamped - s->size) >> s->align_pow2) + 1 : 0;
  s->count += n;
  if (s->target < n) {
    s->spot = aligned + (s->target << s->align_pow2);
    s->found = true;
    return true;
  }
  s->target -= n;
  return false;
}

static bool find_spot(const struct mm_region* v, struct spot_search* s) {
  s->count = 0;
  s->found = false;
  uint64_t gap = v->base;
  for (size_t i = 0; i < v->nkids; i++) {
    const struct mm_region* k = v->kids[i];
    if (gap < k->base && record_gap(s, gap, k->base - gap)) return true;
    if (k->base >= s->upper_limit) return false;
    gap = rend(k);
  }
  if (gap < rend(v)) return record_gap(s, gap, rend(v) - gap);
  return false;
}

static zx_status_t alloc_spot(struct mm_region* v, uint64_t size, uint8_t align_pow2,
                              uint64_t upper_limit, uint64_t* out) {
  struct mm_aspace* as = v->as;
  if (align_pow2 < 12) align_pow2 = 12;
  uint8_t entropy = (v->flags & MM_COMPACT) ? as->compact_entropy : as->entropy;
  struct spot_search s = {.align_pow2 = align_pow2, .size = size, .upper_limit = upper_limit};
  s.target = as->aslr ? rng_below(as->rng, 1ull << entropy) : 0;
  if (!find_spot(v, &s)) {
    if (s.count == 0) return ZX_ERR_NO_RESOURCES;
    /* Fewer candidates than the index drawn: draw again among those there are. */
    s.target = rng_below(as->rng, s.count);
    find_spot(v, &s);
  }
  *out = s.spot;
  return ZX_OK;
}

/* ---- creation (CreateSubVmarInner) */

struct create_args {
  uint64_t offset, size;
  uint8_t align_pow2;
  uint32_t flags;
  bool mapping;
  void* obj;
  uint64_t vmo_offset;
  uint32_t prot;
  enum mm_vdso vdso;
};

static zx_status_t create_core(struct mm_region* parent, const struct create_args* a,
                               struct mm_ops* ops, struct mm_region** out, uint64_t* base_out,
                               bool* overwrote) {
  *overwrote = false;
  if (!parent->alive) return ZX_ERR_BAD_STATE;
  if (a->size == 0) return ZX_ERR_INVALID_ARGS;
  if (a->flags & ~parent->flags & MM_CAN_MAP_RWX) return ZX_ERR_ACCESS_DENIED;
  bool is_overwrite = a->flags & MM_SPECIFIC_OVERWRITE;
  bool is_specific = (a->flags & MM_SPECIFIC) || is_overwrite;
  bool is_upper = a->flags & MM_OFFSET_IS_UPPER_LIMIT;
  if (is_specific && is_upper) return ZX_ERR_INVALID_ARGS;
  if (!is_specific && !is_upper && a->offset != 0) return ZX_ERR_INVALID_ARGS;
  if (!page_aligned(a->offset)) return ZX_ERR_INVALID_ARGS;
  if ((is_specific || is_upper) && !(parent->flags & MM_CAN_MAP_SPECIFIC))
    return ZX_ERR_ACCESS_DENIED;
  if (!is_upper && (a->offset >= parent->size || a->size > parent->size - a->offset))
    return ZX_ERR_INVALID_ARGS;
  if (is_upper && (a->offset > parent->size || a->size > parent->size || a->size > a->offset))
    return ZX_ERR_INVALID_ARGS;

  struct mm_aspace* as = parent->as;
  uint64_t base;
  bool do_overwrite = false;
  if (is_specific) {
    base = parent->base + a->offset;
    if (a->align_pow2 > 0 && (base & ((1ull << a->align_pow2) - 1))) return ZX_ERR_INVALID_ARGS;
    if (!range_free(parent, base, a->size)) {
      if (!is_overwrite) return ZX_ERR_ALREADY_EXISTS;
      do_overwrite = true;
    }
  } else {
    uint64_t upper_limit = is_upper ? parent->base + a->offset : UINT64_MAX;
    zx_status_t s = alloc_spot(parent, a->size, a->align_pow2, upper_limit, &base);
    if (s != ZX_OK) return s;
  }

  struct mm_region* r = region_new(as, parent, base, a->size, a->flags, a->mapping);
  if (!r) return ZX_ERR_NO_MEMORY;
  if (a->mapping) {
    r->pr = malloc(sizeof(*r->pr));
    if (!r->pr) {
      region_free(r);
      return ZX_ERR_NO_MEMORY;
    }
    r->pr[0] = (struct mm_prange){base, a->prot};
    r->npr = 1;
    r->obj = a->obj;
    r->vmo_offset = is_upper ? 0 : a->vmo_offset; /* Zircon passes 0 for upper-limit mappings */
  } else {
    strcpy(r->name, "useralloc");
  }
  /* The overwrite path below may split a mapping: room for that and for r. */
  if (!kids_reserve(parent, 2)) {
    region_free(r);
    return ZX_ERR_NO_MEMORY;
  }
  if (do_overwrite) {
    /* OverwriteVmMappingLocked: what the range holds goes (no sub-VMAR may be there), and the
     * vDSO rule is not applied on this path (a Zircon quirk). The MAP replaces it in Linux. */
    struct extent acc = EXTENT_EMPTY;
    zx_status_t s = unmap_internal(parent, base, a->size, false, &acc);
    if (s != ZX_OK) {
      region_free(r);
      return s;
    }
    *overwrote = true;
  } else if (a->mapping && a->vdso != MM_VDSO_NO) {
    if (as->vdso_code || a->vdso == MM_VDSO_CODE_INVALID) {
      region_free(r);
      return ZX_ERR_ACCESS_DENIED;
    }
    as->vdso_code = r;
  }
  kids_insert(parent, r);
  if (a->mapping) {
    if (as->hooks && as->hooks->mapping_added) as->hooks->mapping_added(a->obj, as);
    if (ops) {
      uint64_t fd_offset = 0;
      int fd = as->hooks && as->hooks->backing ? as->hooks->backing(a->obj, &fd_offset) : -1;
      zum_work_op_t op = {.kind = ZUM_WORK_MAP, .prot = a->prot, .fd = fd, .addr = base,
                          .len = a->size, .offset = r->vmo_offset + fd_offset,
                          .flags = mm_mapping_map_flags(r)};
      mm_ops_add(ops, &op);
    }
  } else {
    r->refs++; /* the caller's */
  }
  *out = r;
  *base_out = base;
  return ZX_OK;
}

zx_status_t mm_vmar_allocate(struct mm_region* parent, uint64_t offset, uint64_t size,
                             uint8_t align_pow2, uint32_t flags, struct mm_region** out,
                             uint64_t* base_out) {
  if (!page_aligned(size)) return ZX_ERR_INVALID_ARGS;
  if (flags & ~(MM_SPECIFIC | MM_CAN_MAP_SPECIFIC | MM_COMPACT | MM_CAN_MAP_RWX |
                MM_OFFSET_IS_UPPER_LIMIT))
    return ZX_ERR_INVALID_ARGS;
  struct create_args a = {.offset = offset, .size = size, .align_pow2 = align_pow2, .flags = flags};
  bool overwrote;
  return create_core(parent, &a, NULL, out, base_out, &overwrote);
}

zx_status_t mm_map(struct mm_region* parent, uint64_t offset, uint64_t len, uint8_t align_pow2,
                   uint32_t flags, void* obj, uint64_t vmo_offset, uint32_t prot,
                   enum mm_vdso vdso, struct mm_ops* ops, struct mm_region** out,
                   uint64_t* base_out, bool* overwrote) {
  *overwrote = false;
  if (flags & ~(MM_SPECIFIC | MM_SPECIFIC_OVERWRITE | MM_CAN_MAP_RWX | MM_OFFSET_IS_UPPER_LIMIT |
                MM_FAULT_BEYOND_STREAM_SIZE))
    return ZX_ERR_INVALID_ARGS;
  /* is_valid_mapping_flags against the VMAR's own CAN_MAP flags. */
  if (((prot & MM_PROT_READ) && !(parent->flags & MM_CAN_MAP_READ)) ||
      ((prot & MM_PROT_WRITE) && !(parent->flags & MM_CAN_MAP_WRITE)) ||
      ((prot & MM_PROT_EXECUTE) && !(parent->flags & MM_CAN_MAP_EXECUTE)))
    return ZX_ERR_ACCESS_DENIED;
  if (!page_aligned(vmo_offset)) return ZX_ERR_INVALID_ARGS;
  uint64_t size = round_len(len);
  if (size < len) return ZX_ERR_OUT_OF_RANGE;
  if (vmo_offset + size < vmo_offset) return ZX_ERR_OUT_OF_RANGE;
  if (prot & MM_PROT_READ) flags |= MM_CAN_MAP_READ;
  if (prot & MM_PROT_WRITE) flags |= MM_CAN_MAP_WRITE;
  if (prot & MM_PROT_EXECUTE) flags |= MM_CAN_MAP_EXECUTE;
  struct create_args a = {.offset = offset,
                          .size = size,
                          .align_pow2 = align_pow2,
                          .flags = flags,
                          .mapping = true,
                          .obj = obj,
                          .vmo_offset = vmo_offset,
                          .prot = prot,
                          .vdso = vdso};
  return create_core(parent, &a, ops, out, base_out, overwrote);
}

static bool can_merge(const struct mm_region* l, const struct mm_region* r) {
  return l->mapping && r->mapping && l->obj == r->obj && rend(l) == r->base &&
         l->vmo_offset + l->size == r->vmo_offset && l->flags == r->flags && l->alive &&
         r->alive && l->mergeable && r->mergeable;
}

/* l absorbs its right neighbour r (TryMergeRightNeighborLocked). */
static void merge_right(struct mm_region* l, struct mm_region* r) {
  size_t skip = l->pr[l->npr - 1].prot == r->pr[0].prot ? 1 : 0;
  struct mm_prange* nv = realloc(l->pr, (l->npr + r->npr - skip) * sizeof(*nv));
  if (!nv) return; /* as Zircon on allocation failure: no merge */
  memcpy(&nv[l->npr], &r->pr[skip], (r->npr - skip) * sizeof(*nv));
  l->pr = nv;
  l->npr += r->npr - skip;
  kids_remove(l->parent, r); /* before l grows over r's address */
  l->size += r->size;
  mapping_free(r);
}

void mm_mapping_mark_mergeable(struct mm_region* m) {
  if (!m->alive || m->as->vdso_code == m) return;
  m->mergeable = true;
  struct mm_region* p = m->parent;
  size_t i = kid_index(p, m);
  if (i + 1 < p->nkids && can_merge(m, p->kids[i + 1])) merge_right(m, p->kids[i + 1]);
  if (i > 0 && can_merge(p->kids[i - 1], m)) merge_right(p->kids[i - 1], m);
}

void mm_mapping_undo(struct mm_region* m, bool overwrote, struct mm_ops* ops) {
  uint64_t base = m->base, size = m->size;
  kids_remove(m->parent, m);
  mapping_free(m);
  mm_ops_reset(ops);
  if (overwrote) mm_ops_push(ops, ZUM_WORK_RESERVE, 0, base, size, 0, -1);
}

/* ---- unmap, protect, destroy, range ops */

zx_status_t mm_unmap(struct mm_region* v, uint64_t addr, uint64_t len, bool op_children,
                     struct mm_ops* ops) {
  if (!page_aligned(addr)) return ZX_ERR_INVALID_ARGS;
  len = round_len(len);
  if (len == 0) return ZX_ERR_INVALID_ARGS;
  if (!v->alive) return ZX_ERR_BAD_STATE;
  struct extent acc = EXTENT_EMPTY;
  zx_status_t s = unmap_internal(v, addr, len, op_children, &acc);
  ext_reserve(&acc, ops);
  return s;
}

static bool prot_allowed(const struct mm_region* m, uint32_t prot) {
  return !(((prot & MM_PROT_READ) && !(m->flags & MM_CAN_MAP_READ)) ||
           ((prot & MM_PROT_WRITE) && !(m->flags & MM_CAN_MAP_WRITE)) ||
           ((prot & MM_PROT_EXECUTE) && !(m->flags & MM_CAN_MAP_EXECUTE)));
}

zx_status_t mm_protect(struct mm_region* v, uint64_t addr, uint64_t len, uint32_t prot,
                       bool op_children, struct mm_ops* ops) {
  if (!page_aligned(addr)) return ZX_ERR_INVALID_ARGS;
  len = round_len(len);
  if (len == 0) return ZX_ERR_INVALID_ARGS;
  if (!v->alive) return ZX_ERR_BAD_STATE;
  if (!is_in_range(v, addr, len)) return ZX_ERR_INVALID_ARGS;
  uint64_t end = addr + len;

  struct walker w;
  walk_init(&w, v, addr, end);
  uint64_t expected = addr;
  struct mm_region* m;
  while ((m = walk_next_mapping(&w))) {
    if (m->base > expected) return ZX_ERR_NOT_FOUND;
    if (!prot_allowed(m, prot)) return ZX_ERR_ACCESS_DENIED;
    if (m == v->as->vdso_code) return ZX_ERR_ACCESS_DENIED;
    if (m->parent != v) {
      if (!op_children) return ZX_ERR_INVALID_ARGS;
      /* Through a parent VMAR, protections of a sub-VMAR's mapping may only shrink. */
      uint64_t stop = rend(m) < end ? rend(m) : end;
      for (size_t i = 0; i < m->npr; i++) {
        if (prange_end(m, i) <= expected || m->pr[i].base >= stop) continue;
        if ((m->pr[i].prot & prot) != prot) return ZX_ERR_ACCESS_DENIED;
      }
    }
    expected = rend(m);
  }
  if (expected < end) return ZX_ERR_NOT_FOUND;

  walk_init(&w, v, addr, end);
  while ((m = walk_next_mapping(&w))) {
    uint64_t pb = m->base > addr ? m->base : addr;
    uint64_t pe = rend(m) < end ? rend(m) : end;
    zx_status_t s = prange_set(m, pb, pe, prot);
    if (s != ZX_OK) {
      if (pb > addr) mm_ops_push(ops, ZUM_WORK_PROTECT, prot, addr, pb - addr, 0, -1);
      return s;
    }
  }
  mm_ops_push(ops, ZUM_WORK_PROTECT, prot, addr, len, 0, -1);
  return ZX_OK;
}

zx_status_t mm_destroy(struct mm_region* v, struct mm_ops* ops) {
  if (v->root) return ZX_ERR_NOT_SUPPORTED;
  if (!v->alive) return ZX_ERR_BAD_STATE;
  struct extent acc = EXTENT_EMPTY;
  zx_status_t s = destroy_subtree(v, true, &acc, true);
  ext_reserve(&acc, ops);
  return s;
}

zx_status_t mm_range_op(struct mm_region* v, uint64_t addr, uint64_t len, mm_range_fn fn,
                        void* ctx) {
  len = round_len(len);
  if (len == 0 || !page_aligned(addr)) return ZX_ERR_INVALID_ARGS;
  if (!is_in_range(v, addr, len)) return ZX_ERR_OUT_OF_RANGE;
  if (!v->alive) return ZX_ERR_BAD_STATE;
  if (vdso_intersects(v->as, addr, len)) return ZX_ERR_ACCESS_DENIED;
  uint64_t end = addr + len, expected = addr;
  struct walker w;
  walk_init(&w, v, addr, end);
  struct mm_region* m;
  while ((m = walk_next_mapping(&w))) {
    if (m->base > expected) return ZX_ERR_BAD_STATE;
    uint64_t pe = rend(m) < end ? rend(m) : end;
    zx_status_t s = fn(ctx, m, expected, pe - expected);
    if (s != ZX_OK) return s;
    expected = pe;
  }
  if (expected < end) return ZX_ERR_BAD_STATE;
  return ZX_OK;
}

void mm_push_populate(struct mm_ops* ops, const struct mm_region* m, uint64_t addr, uint64_t len) {
  uint64_t end = addr + len;
  for (size_t i = 0; i < m->npr; i++) {
    uint64_t s = m->pr[i].base, e = prange_end(m, i);
    if (e <= addr || s >= end || !m->pr[i].prot) continue;
    if (s < addr) s = addr;
    if (e > end) e = end;
    mm_ops_push(ops, ZUM_WORK_POPULATE, m->pr[i].prot, s, e - s, 0, -1);
  }
}

struct mm_region* mm_find_mapping(struct mm_region* v, uint64_t addr) {
  if (!v->alive) return NULL;
  for (;;) {
    size_t i = kid_lower(v, addr);
    if (i == v->nkids || v->kids[i]->base > addr) return NULL;
    v = v->kids[i];
    if (v->mapping) return v;
  }
}

zx_status_t mm_enumerate(struct mm_region* v, unsigned depth, mm_visit_fn fn, void* ctx) {
  if (!v->alive) return ZX_ERR_BAD_STATE;
  zx_status_t s = fn(ctx, v, depth);
  if (s != ZX_OK) return s;
  if (v->mapping) return ZX_OK;
  struct walker w;
  walk_init(&w, v, 0, UINT64_MAX);
  struct mm_region* r;
  while ((r = walk_next(&w))) {
    s = fn(ctx, r, depth + w.depth);
    if (s != ZX_OK) return s;
  }
  return ZX_OK;
}

/* ---- aspaces */

static struct mm_aspace* g_live; /* the supervisor is single-threaded */

zx_status_t mm_for_each_aspace(zx_status_t (*fn)(void* ctx, struct mm_aspace* as), void* ctx) {
  for (struct mm_aspace* as = g_live; as; as = as->next_live) {
    zx_status_t s = fn(ctx, as);
    if (s != ZX_OK) return s;
  }
  return ZX_OK;
}

struct mm_aspace* mm_aspace_create(uint64_t base, uint64_t size, uint64_t random_seed,
                                   const struct mm_hooks* hooks) {
  if (size == 0 || base + size < base || !page_aligned(base) || !page_aligned(size)) return NULL;
  struct mm_aspace* as = calloc(1, sizeof(*as));
  if (!as) return NULL;
  as->root = region_new(as, NULL, base, size, MM_CAN_MAP_SPECIFIC | MM_CAN_MAP_RWX, false);
  if (!as->root) {
    free(as);
    return NULL;
  }
  as->root->root = true;
  strcpy(as->root->name, "root");
  as->hooks = hooks;
  /* Zircon's user aspaces: aslr.entropy_bits defaults to 30; compact allocations use 0 (older
   * kernels used 8). */
  as->aslr = true;
  as->entropy = 30;
  as->compact_entropy = 0;
  uint64_t x = g_seeded ? g_seed + 0x632be59bd9b4e019ull * ++g_rank : random_seed;
  for (int i = 0; i < 4; i++) as->rng[i] = splitmix(&x);
  as->next_live = g_live;
  if (g_live) g_live->prev_live = as;
  g_live = as;
  return as;
}

void mm_aspace_destroy(struct mm_aspace* as) {
  if (!as) return;
  struct extent acc = EXTENT_EMPTY;
  if (as->root) destroy_subtree(as->root, false, &acc, false);
  as->root = NULL;
  if (as->prev_live) as->prev_live->next_live = as->next_live;
  else g_live = as->next_live;
  if (as->next_live) as->next_live->prev_live = as->prev_live;
  free(as);
}

struct mm_region* mm_aspace_root(const struct mm_aspace* as) { return as->root; }

void mm_aspace_set_aslr(struct mm_aspace* as, bool enabled, uint8_t entropy, uint8_t compact) {
  as->aslr = enabled;
  as->entropy = entropy > 36 ? 36 : entropy;
  as->compact_entropy = compact > 36 ? 36 : compact;
}

void mm_aspace_set_owner(struct mm_aspace* as, void* owner) { as->owner = owner; }
void* mm_aspace_owner(const struct mm_aspace* as) { return as->owner; }
const struct mm_region* mm_aspace_vdso_code(const struct mm_aspace* as) { return as->vdso_code; }

/* ---- accessors */

bool mm_region_is_mapping(const struct mm_region* r) { return r->mapping; }
bool mm_region_alive(const struct mm_region* r) { return r->alive; }
bool mm_region_is_root(const struct mm_region* r) { return r->root; }
uint64_t mm_region_base(const struct mm_region* r) { return r->base; }
uint64_t mm_region_size(const struct mm_region* r) { return r->size; }
uint32_t mm_region_flags(const struct mm_region* r) { return r->flags; }
uint32_t mm_mapping_map_flags(const struct mm_region* m) {
  return (m->flags & MM_CAN_MAP_WRITE) ? 0 : ZUM_MAP_READONLY;
}
const char* mm_region_name(const struct mm_region* r) { return r->name; }
struct mm_region* mm_region_parent(const struct mm_region* r) { return r->parent; }
struct mm_aspace* mm_region_aspace(const struct mm_region* r) { return r->as; }
void* mm_mapping_obj(const struct mm_region* m) { return m->obj; }
uint64_t mm_mapping_vmo_offset(const struct mm_region* m) { return m->vmo_offset; }
size_t mm_mapping_nranges(const struct mm_region* m) { return m->npr; }

void mm_mapping_range(const struct mm_region* m, size_t i, uint64_t* base, uint64_t* size,
                      uint32_t* prot) {
  *base = m->pr[i].base;
  *size = prange_end(m, i) - m->pr[i].base;
  *prot = m->pr[i].prot;
}

uint32_t mm_mapping_prot_at(const struct mm_region* m, uint64_t addr) {
  size_t i = 0;
  while (prange_end(m, i) <= addr) i++;
  return m->pr[i].prot;
}
