/* zx_object_get_info topics of address spaces: ZX_INFO_VMAR_MAPS, ZX_INFO_PROCESS_MAPS and
 * ZX_INFO_PROCESS_VMOS (object_info.cc, diagnostics.cc, process_dispatcher.cc).
 *
 * Records come in depth-first pre-order, children in address order. A mapping gives one record
 * per piece of uniform protection (a protect of part of a mapping makes several), as current
 * Zircon. Array topics: a short buffer is not an error (actual < avail). */
#include <stdio.h>
#include <string.h>
#include <zircon/syscalls/object.h>

#include "kobj/share.h"
#include "kobj/sysutil.h"
#include "kobj/vmar.h"
#include "kobj/vmo.h"
#include "mm/vmar.h"

_Static_assert(sizeof(zx_info_maps_t) == 152, "zx_info_maps_t is 152 bytes");
_Static_assert(sizeof(zx_info_maps_v2_t) == 104, "zx_info_maps_v2_t is 104 bytes");
_Static_assert(sizeof(zx_info_maps_v1_t) == 96, "zx_info_maps_v1_t is 96 bytes");
_Static_assert(offsetof(zx_info_maps_t, u) == 64, "zx_info_maps_t.u at 64");

static zx_status_t put_actual_avail(struct kcall* c, zum_uaddr_t actual, zum_uaddr_t avail,
                                    size_t n, size_t a) {
  if (actual && kcall_copy_out(c, actual, &n, sizeof(n)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  if (avail && kcall_copy_out(c, avail, &a, sizeof(a)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  return ZX_OK;
}

/* ---- maps */

struct maps_out {
  struct kcall* c;
  zum_uaddr_t buffer;
  size_t record; /* sizeof the requested layout */
  size_t max;
  size_t n, avail;
};

/* Writes entry e as record n in the requested layout. */
static zx_status_t put_maps(struct maps_out* o, const zx_info_maps_t* e) {
  o->avail++;
  if (o->n >= o->max) return ZX_OK;
  union {
    zx_info_maps_t cur;
    zx_info_maps_v2_t v2;
    zx_info_maps_v1_t v1;
  } u;
  memset(&u, 0, sizeof(u));
  if (o->record == sizeof(zx_info_maps_t)) {
    u.cur = *e;
  } else {
    /* The common head (name .. type) is the same in every layout. */
    memcpy(&u.v2, e, offsetof(zx_info_maps_v2_t, u));
    const zx_info_maps_mapping_t* m = &e->u.mapping;
    if (e->type == ZX_INFO_MAPS_TYPE_MAPPING) {
      u.v2.u.mapping.mmu_flags = m->mmu_flags;
      u.v2.u.mapping.vmo_koid = m->vmo_koid;
      u.v2.u.mapping.vmo_offset = m->vmo_offset;
      u.v2.u.mapping.committed_pages = m->committed_bytes / ZX_PAGE_SIZE;
      if (o->record == sizeof(zx_info_maps_v2_t))
        u.v2.u.mapping.populated_pages = m->populated_bytes / ZX_PAGE_SIZE;
    }
  }
  if (kcall_copy_out(o->c, o->buffer + o->n * o->record, &u, o->record) != ZX_OK)
    return ZX_ERR_INVALID_ARGS;
  o->n++;
  return ZX_OK;
}

static zx_status_t maps_visit(void* ctx, struct mm_region* r, unsigned depth) {
  struct maps_out* o = ctx;
  zx_info_maps_t e;
  memset(&e, 0, sizeof(e));
  e.depth = depth;
  if (!mm_region_is_mapping(r)) {
    strncpy(e.name, mm_region_name(r), sizeof(e.name) - 1);
    e.base = mm_region_base(r);
    e.size = mm_region_size(r);
    e.type = ZX_INFO_MAPS_TYPE_VMAR;
    return put_maps(o, &e);
  }
  struct kobj* vmo = mm_mapping_obj(r);
  memcpy(e.name, vmo->name, sizeof(e.name));
  e.type = ZX_INFO_MAPS_TYPE_MAPPING;
  e.u.mapping.vmo_koid = vmo->koid;
  uint64_t vmo_size = kvmo_size(to_kvmo(vmo));
  for (size_t i = 0; i < mm_mapping_nranges(r); i++) {
    uint64_t base, size;
    uint32_t prot;
    mm_mapping_range(r, i, &base, &size, &prot);
    e.base = base;
    e.size = size;
    e.u.mapping.mmu_flags = prot;
    uint64_t off = mm_mapping_vmo_offset(r) + (base - mm_region_base(r));
    e.u.mapping.vmo_offset = off;
    /* Attributed bytes of the VMO range shown (nothing lies past the VMO's end). Every zum VMO
     * is private (no copy-on-write sharing): the private and scaled counts are the same. */
    uint64_t bytes = 0;
    if (off < vmo_size)
      bytes = kvmo_committed_range(to_kvmo(vmo), off, size < vmo_size - off ? size : vmo_size - off);
    e.u.mapping.committed_bytes = bytes;
    e.u.mapping.populated_bytes = bytes;
    e.u.mapping.committed_private_bytes = bytes;
    e.u.mapping.populated_private_bytes = bytes;
    e.u.mapping.committed_scaled_bytes = bytes;
    e.u.mapping.populated_scaled_bytes = bytes;
    zx_status_t s = put_maps(o, &e);
    if (s != ZX_OK) return s;
  }
  return ZX_OK;
}

static int64_t info_vmar_maps(struct kcall* c, zx_handle_t handle, zum_uaddr_t buffer,
                              size_t buffer_size, zum_uaddr_t actual, zum_uaddr_t avail) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_VMAR, ZX_RIGHT_INSPECT, &o);
  if (s != ZX_OK) return s;
  struct maps_out out = {c, buffer, sizeof(zx_info_maps_t), buffer_size / sizeof(zx_info_maps_t),
                         0, 0};
  /* The queried VMAR is record 0 at depth 0; a destroyed one is BAD_STATE. */
  s = mm_enumerate(to_kvmar(o)->region, 0, maps_visit, &out);
  if (s != ZX_OK) return s;
  return put_actual_avail(c, actual, avail, out.n, out.avail);
}

static int64_t info_process_maps(struct kcall* c, zx_handle_t handle, uint32_t topic,
                                 zum_uaddr_t buffer, size_t buffer_size, zum_uaddr_t actual,
                                 zum_uaddr_t avail) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_PROCESS, ZX_RIGHT_INSPECT, &o);
  if (s != ZX_OK) return s;
  size_t record = topic == ZX_INFO_PROCESS_MAPS_V1   ? sizeof(zx_info_maps_v1_t)
                  : topic == ZX_INFO_PROCESS_MAPS_V2 ? sizeof(zx_info_maps_v2_t)
                                                     : sizeof(zx_info_maps_t);
  size_t max = buffer_size / record;
  struct kproc* p = to_kproc(o);
  struct mm_region* root = p->root_vmar ? to_kvmar(p->root_vmar)->region : NULL;
  if (p->state == KPROC_DEAD || !root || !mm_region_alive(root)) {
    /* Zircon returns BAD_STATE from deep inside, leaving its record count where the syscall
     * layer initialised it (the buffer's capacity) and avail 0, and copies both out first. */
    s = put_actual_avail(c, actual, avail, max, 0);
    return s != ZX_OK ? s : ZX_ERR_BAD_STATE;
  }
  /* A shared process member has two address spaces: its restricted region first (it lies
   * lower), then the shared region, each as Zircon's GetVmAspaceMaps writes it. */
  struct mm_region* restricted = p->restricted_vmar ? to_kvmar(p->restricted_vmar)->region : NULL;
  struct maps_out out = {c, buffer, record, max, 0, 0};
  for (int i = 0; i < 2; i++) {
    struct mm_region* as = i == 0 ? restricted : root;
    if (!as) continue;
    if (!mm_region_alive(as)) {
      s = ZX_ERR_BAD_STATE;
    } else {
      /* The address space itself (counted even when there is no room for it). */
      zx_info_maps_t e;
      memset(&e, 0, sizeof(e));
      if (as == restricted)
        snprintf(e.name, sizeof(e.name), "proc(restricted):%llu",
                 (unsigned long long)p->base.koid);
      else
        snprintf(e.name, sizeof(e.name), "proc:%llu",
                 (unsigned long long)(p->share ? p->share->first_koid : p->base.koid));
      e.base = mm_region_base(as);
      e.size = mm_region_size(as);
      e.type = ZX_INFO_MAPS_TYPE_ASPACE;
      s = put_maps(&out, &e);
      if (s == ZX_OK) s = mm_enumerate(as, 1, maps_visit, &out);
    }
    if (s != ZX_OK) {
      zx_status_t s2 = put_actual_avail(c, actual, avail, 0, 0);
      return s2 != ZX_OK ? s2 : s;
    }
  }
  return put_actual_avail(c, actual, avail, max > 0 ? out.n : 0, out.avail);
}

/* ---- vmos */

struct vmos_out {
  struct kcall* c;
  zum_uaddr_t buffer;
  size_t record;
  size_t max;
  size_t n, avail;
  zx_status_t status;
};

static void put_vmo(struct vmos_out* o, struct kobj* vmo, uint32_t via, zx_rights_t rights) {
  o->avail++;
  if (o->status != ZX_OK || o->n >= o->max) return;
  zx_info_vmo_t info;
  memset(&info, 0, sizeof(info));
  kvmo_get_info(to_kvmo(vmo), via, rights, &info);
  if (kcall_copy_out(o->c, o->buffer + o->n * o->record, &info, o->record) != ZX_OK) {
    o->status = ZX_ERR_INVALID_ARGS;
    return;
  }
  o->n++;
}

static zx_status_t vmos_visit(void* ctx, struct mm_region* r, unsigned depth) {
  if (mm_region_is_mapping(r)) put_vmo(ctx, mm_mapping_obj(r), ZX_INFO_VMO_VIA_MAPPING, 0);
  return ZX_OK;
}

static int64_t info_process_vmos(struct kcall* c, zx_handle_t handle, uint32_t topic,
                                 zum_uaddr_t buffer, size_t buffer_size, zum_uaddr_t actual,
                                 zum_uaddr_t avail) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_PROCESS, ZX_RIGHT_INSPECT, &o);
  if (s != ZX_OK) return s;
  size_t record = topic == ZX_INFO_PROCESS_VMOS_V1   ? sizeof(zx_info_vmo_v1_t)
                  : topic == ZX_INFO_PROCESS_VMOS_V2 ? sizeof(zx_info_vmo_v2_t)
                  : topic == ZX_INFO_PROCESS_VMOS_V3 ? sizeof(zx_info_vmo_v3_t)
                                                     : sizeof(zx_info_vmo_t);
  size_t max = buffer_size / record;
  struct kproc* p = to_kproc(o);
  struct mm_region* root = p->root_vmar ? to_kvmar(p->root_vmar)->region : NULL;
  if (p->state != KPROC_RUNNING) {
    /* As for PROCESS_MAPS: the capacity and 0 are copied out, then BAD_STATE. */
    s = put_actual_avail(c, actual, avail, max, 0);
    return s != ZX_OK ? s : ZX_ERR_BAD_STATE;
  }
  struct vmos_out out = {c, buffer, record, max, 0, 0, ZX_OK};
  /* One record per VMO handle (duplicates and all), then one per mapping. */
  struct list_node* pos;
  list_for_each(pos, &p->table->handles) {
    struct khandle* h = list_entry(pos, struct khandle, node);
    if (h->obj->ops->type == ZX_OBJ_TYPE_VMO) put_vmo(&out, h->obj, ZX_INFO_VMO_VIA_HANDLE, h->rights);
  }
  if (root && mm_region_alive(root)) mm_enumerate(root, 0, vmos_visit, &out);
  /* A shared process member: its restricted region's mappings after the shared region's, as
   * Zircon's GetVmos. */
  struct mm_region* restricted = p->restricted_vmar ? to_kvmar(p->restricted_vmar)->region : NULL;
  if (restricted && mm_region_alive(restricted)) mm_enumerate(restricted, 0, vmos_visit, &out);
  if (out.status != ZX_OK) {
    zx_status_t s2 = put_actual_avail(c, actual, avail, max, 0);
    return s2 != ZX_OK ? s2 : out.status;
  }
  return put_actual_avail(c, actual, avail, out.n, out.avail);
}

int64_t kvmar_get_info(struct kcall* c, zx_handle_t handle, uint32_t topic, zum_uaddr_t buffer,
                       size_t buffer_size, zum_uaddr_t actual, zum_uaddr_t avail) {
  switch (topic) {
    case ZX_INFO_VMAR_MAPS:
      return info_vmar_maps(c, handle, buffer, buffer_size, actual, avail);
    case ZX_INFO_PROCESS_MAPS:
    case ZX_INFO_PROCESS_MAPS_V1:
    case ZX_INFO_PROCESS_MAPS_V2:
      return info_process_maps(c, handle, topic, buffer, buffer_size, actual, avail);
    case ZX_INFO_PROCESS_VMOS:
    case ZX_INFO_PROCESS_VMOS_V1:
    case ZX_INFO_PROCESS_VMOS_V2:
    case ZX_INFO_PROCESS_VMOS_V3:
      return info_process_vmos(c, handle, topic, buffer, buffer_size, actual, avail);
  }
  return ZX_ERR_NOT_SUPPORTED;
}
