/* Resource objects: the kinds' address spaces, exclusive reservations, and the checks other
 * calls make (Zircon's ResourceDispatcher and object/resource.cc).
 *
 * zum's machine, which the address spaces describe (Zircon gets them from the platform):
 * - MMIO: zum gives guests no physical memory. Every physical address is the host's RAM or
 *   nothing, and Zircon's root resource filter forbids minting RAM, so here it forbids the whole
 *   space: MMIO requests through the root resource are ACCESS_DENIED (as Zircon's for RAM), and
 *   the MMIO allocator holds nothing.
 * - IRQ: [0, 256), the x86 vectors; no interrupt line is wired to anything (sys_hardware.c).
 * - IOPORT: [0, 0x10000), the x86 port space.
 * - SMC: none, as on x86: the allocator has no pool, so creating one is BAD_STATE.
 * - SYSTEM: [0, ZX_RSRC_SYSTEM_COUNT), one unit per system sub-range. */
#include "kobj/resource.h"

#include <stdlib.h>
#include <string.h>

#include "kobj/sysutil.h"

static const struct {
  bool has_pool;
  uint64_t base, size;
} kspace[ZX_RSRC_KIND_COUNT] = {
    [ZX_RSRC_KIND_MMIO] = {true, 0, 0},
    [ZX_RSRC_KIND_IRQ] = {true, 0, 256},
    [ZX_RSRC_KIND_IOPORT] = {true, 0, 0x10000},
    [ZX_RSRC_KIND_SYSTEM] = {true, 0, ZX_RSRC_SYSTEM_COUNT},
};

static struct list_node live[ZX_RSRC_KIND_COUNT];
static bool live_ready;
static struct kresource* root;
static struct kresource* ranged[ZX_RSRC_KIND_COUNT];

static void live_init(void) {
  if (live_ready) return;
  for (unsigned i = 0; i < ZX_RSRC_KIND_COUNT; i++) list_init(&live[i]);
  live_ready = true;
}

static void resource_destroy(struct kobj* o) {
  struct kresource* r = to_kresource(o);
  /* An exclusive range goes back to the allocator with its resource. */
  list_del(&r->node);
  free(r);
}

/* Resources have no signals and cannot be waited on (their rights lack WAIT). */
static const struct kobj_ops kresource_ops = {
    .type = ZX_OBJ_TYPE_RESOURCE,
    .name = "resource",
    .default_rights = ZX_DEFAULT_RESOURCE_RIGHTS,
    .not_waitable = true,
    .destroy = resource_destroy,
};

static bool intersects(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  return alen && blen && a < b + blen && b < a + alen;
}

static struct kresource* make(zx_rsrc_kind_t kind, uint64_t base, uint64_t size, uint32_t flags,
                              const char* name, size_t name_len) {
  live_init();
  struct kresource* r = calloc(1, sizeof(*r));
  if (!r) return NULL;
  kobj_init(&r->base, &kresource_ops, 0);
  r->kind = kind, r->flags = flags, r->base_addr = base, r->size = size;
  if (name && name_len) kobj_set_name(&r->base, name, name_len);
  list_add_tail(&live[kind], &r->node);
  return r;
}

zx_status_t kresource_create(zx_rsrc_kind_t kind, uint64_t base, uint64_t size, uint32_t flags,
                             const char* name, size_t name_len, struct kresource** out) {
  live_init();
  if (kind >= ZX_RSRC_KIND_COUNT || (flags & ZX_RSRC_FLAGS_MASK) != flags)
    return ZX_ERR_INVALID_ARGS;
  if (kind == ZX_RSRC_KIND_ROOT) {
    /* An abstract kind has no range. */
    if (base || size) return ZX_ERR_INVALID_ARGS;
  } else {
    if (!kspace[kind].has_pool) return ZX_ERR_BAD_STATE;
    /* RegionAllocator::GetRegion: an empty or wrapping range is INVALID_ARGS; one outside the
     * space or over a live exclusive reservation is not available, NOT_FOUND. */
    if (size == 0 || base + size < base) return ZX_ERR_INVALID_ARGS;
    uint64_t sb = kspace[kind].base, ss = kspace[kind].size;
    if (base < sb || base + size > sb + ss) return ZX_ERR_NOT_FOUND;
    struct list_node* pos;
    list_for_each(pos, &live[kind]) {
      struct kresource* o = list_entry(pos, struct kresource, node);
      bool held = (o->flags & ZX_RSRC_FLAG_EXCLUSIVE) || (flags & ZX_RSRC_FLAG_EXCLUSIVE);
      if (held && intersects(base, size, o->base_addr, o->size)) return ZX_ERR_NOT_FOUND;
    }
  }
  struct kresource* r = make(kind, base, size, flags, name, name_len);
  if (!r) return ZX_ERR_NO_MEMORY;
  *out = r;
  return ZX_OK;
}

struct kresource* kresource_root(void) {
  if (!root) root = make(ZX_RSRC_KIND_ROOT, 0, 0, 0, "root", 4);
  return root;
}

struct kresource* kresource_ranged_root(zx_rsrc_kind_t kind) {
  static const char* const names[ZX_RSRC_KIND_COUNT] = {"mmio", "irq", "ioport", "root", "smc",
                                                        "system"};
  if (kind >= ZX_RSRC_KIND_COUNT || kind == ZX_RSRC_KIND_ROOT || !kspace[kind].has_pool)
    return NULL;
  if (!ranged[kind]) ranged[kind] = make(kind, 0, 0, 0, names[kind], strlen(names[kind]));
  return ranged[kind];
}

bool kresource_is_ranged_root(const struct kresource* r, zx_rsrc_kind_t kind) {
  /* Only the kernel makes a resource with an empty range (kresource_create refuses size 0). */
  return r->kind == kind && kind != ZX_RSRC_KIND_ROOT && r->base_addr == 0 && r->size == 0;
}

void kresource_info(const struct kresource* r, zx_info_resource_t* info) {
  memset(info, 0, sizeof(*info));
  info->kind = r->kind;
  info->flags = r->flags;
  info->base = r->base_addr;
  info->size = r->size;
  memcpy(info->name, r->base.name, sizeof(info->name));
}

/* root_resource_filter_can_access_region: see the MMIO note at the top. */
static bool root_filter_allows(zx_rsrc_kind_t kind) { return kind != ZX_RSRC_KIND_MMIO; }

zx_status_t kresource_check_range(const struct kresource* r, zx_rsrc_kind_t kind, uint64_t base,
                                  uint64_t size) {
  if (r->kind == ZX_RSRC_KIND_ROOT || kresource_is_ranged_root(r, kind))
    return root_filter_allows(kind) ? ZX_OK : ZX_ERR_ACCESS_DENIED;
  if (r->kind != kind) return ZX_ERR_WRONG_TYPE;
  uint64_t rb = r->base_addr, rs = r->size;
  /* MMIO counts in whole pages (unreachable here: no MMIO resource below the root exists). */
  if (kind == ZX_RSRC_KIND_MMIO) {
    uint64_t arb = rb & ~(uint64_t)(ZX_PAGE_SIZE - 1);
    rs = ((rb - arb) + rs + ZX_PAGE_SIZE - 1) & ~(uint64_t)(ZX_PAGE_SIZE - 1);
    rb = arb;
  }
  /* GetIntersect must give exactly the request: inside [rb, rb + rs). */
  if (size == 0 || base < rb || base + size < base || base + size > rb + rs)
    return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

static zx_status_t lookup(struct kcall* c, zx_handle_t h, struct kresource** out) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, h, ZX_OBJ_TYPE_RESOURCE, ZX_RIGHT_NONE, &o);
  if (s == ZX_OK) *out = to_kresource(o);
  return s;
}

zx_status_t kcall_resource(struct kcall* c, zx_handle_t h, zx_rsrc_kind_t kind) {
  struct kresource* r;
  zx_status_t s = lookup(c, h, &r);
  if (s != ZX_OK) return s;
  return (r->kind == kind || r->kind == ZX_RSRC_KIND_ROOT) ? ZX_OK : ZX_ERR_WRONG_TYPE;
}

zx_status_t kcall_resource_kind_base(struct kcall* c, zx_handle_t h, zx_rsrc_kind_t kind,
                                     uint64_t base) {
  struct kresource* r;
  zx_status_t s = lookup(c, h, &r);
  if (s != ZX_OK) return s;
  /* The ranged root of the kind passes as well: it stands for every base. */
  if ((r->kind == kind && r->base_addr == base) || r->kind == ZX_RSRC_KIND_ROOT ||
      kresource_is_ranged_root(r, kind))
    return ZX_OK;
  return ZX_ERR_WRONG_TYPE;
}

zx_status_t kcall_resource_ranged(struct kcall* c, zx_handle_t h, zx_rsrc_kind_t kind,
                                  uint64_t base, uint64_t size) {
  struct kresource* r;
  zx_status_t s = lookup(c, h, &r);
  if (s != ZX_OK) return s;
  return kresource_check_range(r, kind, base, size);
}
