/* VMAR syscalls and process memory access, with Zircon's check orders (lib/syscalls/vmar.cc,
 * object/vm_address_region_dispatcher.cc, lib/syscalls/task.cc; the tree checks are in
 * mm/vmar.c). Every change to a tree is then applied to the owning process's Linux address space
 * through kcall_mm_apply before the call returns: the handler returns what that returns. What a
 * mapping of a copy-on-write setting needs, and zum_vm_fault past its decode, are kobj/cow.c's.
 *
 * Deliberate differences, each also noted where it happens:
 *  - zx_process_write_memory works as on a kernel booted with kernel.enable-debugging-syscalls
 *    (zum is a development tool); it writes the mapped VMO itself, as Zircon did before mappings
 *    that could never be writable were redirected to a private copy-on-write clone: zum does not
 *    make that clone, so the write shows in every mapping of the VMO.
 *  - There is no execute-only memory on x86, so PERM_READ_IF_XOM_UNSUPPORTED always adds READ. */
#include <stdlib.h>
#include <string.h>

#include "kobj/cow.h"
#include "kobj/kmm.h"
#include "kobj/share.h"
#include "kobj/sysutil.h"
#include "kobj/vdso.h"
#include "kobj/vmar.h"
#include "kobj/vmo.h"
#include "mm/vmar.h"
#include "mm/vmo.h"
#include "sys-decls.h"

#define PERM_RWX (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE)
#define CAN_MAP_RWX (ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE)
/* kMaxDebugReadBlock / kMaxDebugWriteBlock */
#define MAX_DEBUG_BLOCK (64u * 1024u * 1024u)

/* ---- flags */

/* is_valid_mapping_protection: no way to express writable or executable without readable. */
static bool valid_protection(uint32_t options) {
  return (options & ZX_VM_PERM_READ) || !(options & (ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE));
}

/* split_syscall_flags: ZX_VM_* into protections, region flags and an alignment. */
static zx_status_t split_flags(uint32_t options, uint32_t* vmar_flags, uint32_t* prot,
                               uint8_t* align_pow2) {
  static const struct {
    uint32_t zx, mm;
  } map[] = {
      {ZX_VM_COMPACT, MM_COMPACT},
      {ZX_VM_SPECIFIC, MM_SPECIFIC},
      {ZX_VM_SPECIFIC_OVERWRITE, MM_SPECIFIC_OVERWRITE},
      {ZX_VM_CAN_MAP_SPECIFIC, MM_CAN_MAP_SPECIFIC},
      {ZX_VM_CAN_MAP_READ, MM_CAN_MAP_READ},
      {ZX_VM_CAN_MAP_WRITE, MM_CAN_MAP_WRITE},
      {ZX_VM_CAN_MAP_EXECUTE, MM_CAN_MAP_EXECUTE},
      {ZX_VM_REQUIRE_NON_RESIZABLE, MM_REQUIRE_NON_RESIZABLE},
      {ZX_VM_ALLOW_FAULTS, MM_ALLOW_FAULTS},
      {ZX_VM_OFFSET_IS_UPPER_LIMIT, MM_OFFSET_IS_UPPER_LIMIT},
      {ZX_VM_FAULT_BEYOND_STREAM_SIZE, MM_FAULT_BEYOND_STREAM_SIZE},
  };
  *prot = options & PERM_RWX;
  options &= ~(PERM_RWX | ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED);
  uint32_t f = 0;
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
    if (options & map[i].zx) f |= map[i].mm;
    options &= ~map[i].zx;
  }
  if (options & ((1u << ZX_VM_ALIGN_BASE) - 1u)) return ZX_ERR_INVALID_ARGS;
  uint32_t align = options >> ZX_VM_ALIGN_BASE;
  if ((align < 10 && align != 0) || align > 32) return ZX_ERR_INVALID_ARGS;
  *vmar_flags = f;
  *align_pow2 = (uint8_t)align;
  return ZX_OK;
}

/* ---- applying the Linux side */

/* The process whose address space v belongs to (NULL once it is gone). */
static struct kproc* owner_of(const struct kvmar* v) {
  struct mm_aspace* as = mm_region_aspace(v->region);
  return as ? mm_aspace_owner(as) : NULL;
}

/* Hands ops to the target's Linux address space, finishing the call with status. */
static int64_t apply(struct kcall* c, struct kproc* target, struct mm_ops* ops,
                     zx_status_t status) {
  if (ops->oom && status == ZX_OK) status = ZX_ERR_NO_MEMORY;
  int64_t r = target ? kcall_mm_apply(c, target, ops->v, ops->n, status) : status;
  mm_ops_free(ops);
  return r;
}

/* Page-table population (MAP_RANGE, and COMMIT, ALWAYS_NEED, PREFETCH after their VMO work):
 * Zircon's MapRange maps only the pages the VMO already has and never commits any, while Linux
 * populating a memfd mapping would allocate every page it touches (and fail past the memfd's
 * end). So the operations cover only the runs of [addr, addr + len) of mapping m whose VMO pages
 * exist, found by halving the range until each piece is wholly present or wholly absent. */
static void populate_present(struct mm_ops* ops, struct mm_region* m, uint64_t addr,
                             uint64_t len) {
  struct kvmo* vmo = to_kvmo(mm_mapping_obj(m));
  uint64_t size = kvmo_size(vmo);
  uint64_t off = mm_mapping_vmo_offset(m) + (addr - mm_region_base(m));
  if (off >= size) return;
  if (len > size - off) len = size - off;
  struct {
    uint64_t off, len;
  } stack[70];
  unsigned n = 0;
  stack[n].off = off;
  stack[n].len = len;
  n++;
  uint64_t run_off = 0, run_len = 0;
  while (n > 0) {
    n--;
    uint64_t o = stack[n].off, l = stack[n].len;
    uint64_t c = kvmo_committed_range(vmo, o, l);
    if (c == 0) continue;
    if (c < l && l > ZX_PAGE_SIZE) {
      /* Split at a page boundary; the left half is handled first (address order). */
      uint64_t half = (l / 2 + ZX_PAGE_SIZE - 1) & ~(uint64_t)(ZX_PAGE_SIZE - 1);
      stack[n].off = o + half;
      stack[n].len = l - half;
      n++;
      stack[n].off = o;
      stack[n].len = half;
      n++;
      continue;
    }
    if (run_len && run_off + run_len == o) {
      run_len += l;
      continue;
    }
    if (run_len) mm_push_populate(ops, m, addr + (run_off - off), run_len);
    run_off = o;
    run_len = l;
  }
  if (run_len) mm_push_populate(ops, m, addr + (run_off - off), run_len);
}

/* ---- zx_vmar_allocate */

int64_t sys_vmar_allocate(struct kcall* c, zx_handle_t parent_vmar, zx_vm_option_t options,
                          size_t offset, size_t size, zum_uaddr_t child_vmar,
                          zum_uaddr_t child_addr) {
  zx_rights_t need = 0;
  if (options & ZX_VM_CAN_MAP_READ) need |= ZX_RIGHT_READ;
  if (options & ZX_VM_CAN_MAP_WRITE) need |= ZX_RIGHT_WRITE;
  if (options & ZX_VM_CAN_MAP_EXECUTE) need |= ZX_RIGHT_EXECUTE;
  struct kobj* o;
  zx_status_t s = kcall_object(c, parent_vmar, ZX_OBJ_TYPE_VMAR, need, &o);
  if (s != ZX_OK) return s;
  uint32_t flags, prot;
  uint8_t align;
  s = split_flags(options, &flags, &prot, &align);
  if (s != ZX_OK) return s;
  if (prot) return ZX_ERR_INVALID_ARGS;
  struct mm_region* r;
  uint64_t base;
  s = mm_vmar_allocate(to_kvmar(o)->region, offset, size, align, flags, &r, &base);
  if (s != ZX_OK) return s;
  /* A reservation: nothing changes in Linux (the range already is a PROT_NONE reservation). */
  struct kvmar* nv = kvmar_wrap(r);
  struct mm_ops ops;
  mm_ops_init(&ops);
  if (!nv) {
    mm_destroy(r, &ops);
    mm_region_unref(r);
    mm_ops_free(&ops);
    return ZX_ERR_NO_MEMORY;
  }
  mm_region_unref(r);
  /* Zircon adds the handle, then copies the address out, destroying the new VMAR if either
   * fails; the caller can tell no difference in the order used here. */
  s = kcall_copy_out(c, child_addr, &base, sizeof(base));
  if (s == ZX_OK) s = kcall_out_handle(c, &nv->base, kvmar_rights(flags), child_vmar);
  if (s != ZX_OK) mm_destroy(nv->region, &ops);
  mm_ops_free(&ops); /* an empty VMAR: no operations */
  kobj_unref(&nv->base);
  return s;
}

/* ---- zx_vmar_destroy */

int64_t sys_vmar_destroy(struct kcall* c, zx_handle_t handle) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_VMAR, ZX_RIGHT_OP_CHILDREN, &o);
  if (s != ZX_OK) return s;
  struct kvmar* v = to_kvmar(o);
  struct kproc* target = owner_of(v);
  struct mm_ops ops;
  mm_ops_init(&ops);
  s = mm_destroy(v->region, &ops);
  return apply(c, target, &ops, s);
}

/* ---- zx_vmar_map */

/* Zircon's vDSO rule: an executable mapping of the vDSO VMO must be exactly its code segment
 * (and, in mm/, the only one in the address space). */
static enum mm_vdso vdso_kind(struct kobj* vmo, uint32_t prot, uint64_t vmo_offset,
                              uint64_t len) {
  if (!(prot & ZX_VM_PERM_EXECUTE) || !kvdso_is(vmo)) return MM_VDSO_NO;
  uint64_t size = (len + ZX_PAGE_SIZE - 1) & ~(uint64_t)(ZX_PAGE_SIZE - 1);
  return vmo_offset == kvdso_code_offset() && size == kvdso_code_size() && size >= len
             ? MM_VDSO_CODE
             : MM_VDSO_CODE_INVALID;
}

int64_t sys_vmar_map(struct kcall* c, zx_handle_t handle, zx_vm_option_t options,
                     size_t vmar_offset, zx_handle_t vmo, uint64_t vmo_offset, size_t len,
                     zum_uaddr_t mapped_addr) {
  struct khandle *hv, *ho;
  zx_status_t s = kcall_object_h(c, handle, ZX_OBJ_TYPE_VMAR, ZX_RIGHT_NONE, &hv);
  if (s != ZX_OK) return s;
  s = kcall_object_h(c, vmo, ZX_OBJ_TYPE_VMO, ZX_RIGHT_NONE, &ho);
  if (s != ZX_OK) return s;
  struct kvmar* v = to_kvmar(hv->obj);
  struct kobj* vo = ho->obj;
  zx_rights_t vmar_rights = hv->rights, vmo_rights = ho->rights;
  /* FAULT_BEYOND_STREAM_SIZE first makes sure the VMO tracks a stream size: every zum VMO is
   * paged and has one. */

  /* vmar_map_common */
  if (!(vmo_rights & ZX_RIGHT_MAP)) return ZX_ERR_ACCESS_DENIED;
  if (options & ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED) options |= ZX_VM_PERM_READ;
  if (!valid_protection(options)) return ZX_ERR_INVALID_ARGS;
  bool map_range = options & ZX_VM_MAP_RANGE;
  options &= ~ZX_VM_MAP_RANGE;
  if (map_range && (options & ZX_VM_SPECIFIC_OVERWRITE)) return ZX_ERR_INVALID_ARGS;
  if (options & CAN_MAP_RWX) return ZX_ERR_INVALID_ARGS;
  bool can_read = (vmo_rights & ZX_RIGHT_READ) && (vmar_rights & ZX_RIGHT_READ);
  bool can_write = (vmo_rights & ZX_RIGHT_WRITE) && (vmar_rights & ZX_RIGHT_WRITE);
  bool can_exec = (vmo_rights & ZX_RIGHT_EXECUTE) && (vmar_rights & ZX_RIGHT_EXECUTE);
  if ((options & ZX_VM_PERM_READ) && !can_read) return ZX_ERR_ACCESS_DENIED;
  if ((options & ZX_VM_PERM_WRITE) && !can_write) return ZX_ERR_ACCESS_DENIED;
  if ((options & ZX_VM_PERM_EXECUTE) && !can_exec) return ZX_ERR_ACCESS_DENIED;
  /* What both handles allow caps later protects of this mapping. */
  if (can_read) options |= ZX_VM_CAN_MAP_READ;
  if (can_write) options |= ZX_VM_CAN_MAP_WRITE;
  if (can_exec) options |= ZX_VM_CAN_MAP_EXECUTE;
  if ((options & ZX_VM_FAULT_BEYOND_STREAM_SIZE) && !(options & ZX_VM_ALLOW_FAULTS))
    return ZX_ERR_INVALID_ARGS;

  /* VmAddressRegionDispatcher::Map */
  if (!valid_protection(options)) return ZX_ERR_INVALID_ARGS;
  uint32_t flags, prot;
  uint8_t align;
  s = split_flags(options, &flags, &prot, &align);
  if (s != ZX_OK) return s;
  if (flags & MM_REQUIRE_NON_RESIZABLE) {
    flags &= ~MM_REQUIRE_NON_RESIZABLE;
    if (kvmo_resizable(to_kvmo(vo))) return ZX_ERR_NOT_SUPPORTED;
  }
  if (flags & MM_ALLOW_FAULTS)
    flags &= ~MM_ALLOW_FAULTS;
  else if (kvmo_discardable(to_kvmo(vo)))
    return ZX_ERR_NOT_SUPPORTED;

  struct kproc* target = owner_of(v);
  if (!kcow_map_ready(c, target, to_kvmo(vo))) return KCALL_PARKED;
  struct mm_ops ops;
  mm_ops_init(&ops);
  struct mm_region* m;
  uint64_t base;
  bool overwrote;
  s = mm_map(v->region, vmar_offset, len, align, flags, vo, vmo_offset, prot,
             vdso_kind(vo, prot, vmo_offset, len), &ops, &m, &base, &overwrote);
  if (s != ZX_OK) {
    mm_ops_free(&ops);
    return s;
  }
  s = kcow_map(target, to_kvmo(vo), m, base, vmo_offset, (prot & MM_PROT_WRITE) != 0, &ops);
  if (s != ZX_OK) {
    mm_mapping_undo(m, overwrote, &ops);
    return apply(c, target, &ops, s);
  }
  /* MAP_RANGE: page tables for the pages already there (nothing is committed). */
  if (map_range) populate_present(&ops, m, base, mm_region_size(m));
  if (kcall_copy_out(c, mapped_addr, &base, sizeof(base)) != ZX_OK) {
    mm_mapping_undo(m, overwrote, &ops);
    return apply(c, target, &ops, ZX_ERR_INVALID_ARGS);
  }
  if (target && mm_aspace_vdso_code(mm_region_aspace(m)) == m) {
    /* The process's vDSO code mapping: where its system calls may come from, and
     * ZX_PROP_PROCESS_VDSO_BASE_ADDRESS (the code mapping's base minus the code's offset). */
    target->vdso_code_start = base;
    target->vdso_code_end = base + mm_region_size(m);
    target->vdso_base = base - kvdso_code_offset();
    if (target->share) kshare_vdso_mapped(target, mm_region_aspace(m));
  }
  mm_mapping_mark_mergeable(m); /* m may be merged away: not used after this */
  return apply(c, target, &ops, ZX_OK);
}

/* ---- zx_vmar_unmap */

int64_t sys_vmar_unmap(struct kcall* c, zx_handle_t handle, zx_vaddr_t addr, size_t len) {
  struct khandle* h;
  zx_status_t s = kcall_object_h(c, handle, ZX_OBJ_TYPE_VMAR, ZX_RIGHT_NONE, &h);
  if (s != ZX_OK) return s;
  struct kvmar* v = to_kvmar(h->obj);
  struct kproc* target = owner_of(v);
  struct mm_ops ops;
  mm_ops_init(&ops);
  s = mm_unmap(v->region, addr, len, h->rights & ZX_RIGHT_OP_CHILDREN, &ops);
  return apply(c, target, &ops, s);
}

/* ---- zx_vmar_protect */

int64_t sys_vmar_protect(struct kcall* c, zx_handle_t handle, zx_vm_option_t options,
                         zx_vaddr_t addr, size_t len) {
  if (options & ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED) options |= ZX_VM_PERM_READ;
  zx_rights_t need = 0;
  if (options & ZX_VM_PERM_READ) need |= ZX_RIGHT_READ;
  if (options & ZX_VM_PERM_WRITE) need |= ZX_RIGHT_WRITE;
  if (options & ZX_VM_PERM_EXECUTE) need |= ZX_RIGHT_EXECUTE;
  struct khandle* h;
  zx_status_t s = kcall_object_h(c, handle, ZX_OBJ_TYPE_VMAR, need, &h);
  if (s != ZX_OK) return s;
  if (!valid_protection(options)) return ZX_ERR_INVALID_ARGS;
  /* VmAddressRegionDispatcher::Protect */
  if (addr & (ZX_PAGE_SIZE - 1)) return ZX_ERR_INVALID_ARGS;
  uint32_t flags, prot;
  uint8_t align;
  s = split_flags(options, &flags, &prot, &align);
  if (s != ZX_OK) return s;
  if (flags || align) return ZX_ERR_INVALID_ARGS;
  struct kvmar* v = to_kvmar(h->obj);
  struct kproc* target = owner_of(v);
  /* Making memory writable can write-protect it (kobj/cow.c). */
  if (!kcow_protect_ready(c, target, prot)) return KCALL_PARKED;
  struct mm_ops ops;
  mm_ops_init(&ops);
  s = mm_protect(v->region, addr, len, prot, h->rights & ZX_RIGHT_OP_CHILDREN, &ops);
  /* Made writable: the snapshots of what the range maps are kept out of the writes. */
  if (s == ZX_OK && (prot & MM_PROT_WRITE)) s = kcow_protect(target, v->region, &ops);
  return apply(c, target, &ops, s);
}

/* ---- zx_vmar_op_range */

struct range_ctx {
  uint32_t op;
  bool op_children;
  struct mm_region* vmar;
  struct mm_ops* ops;
};

static zx_status_t range_one(void* ctx, struct mm_region* m, uint64_t addr, uint64_t len) {
  struct range_ctx* rc = ctx;
  /* Commit, decommit and prefetch act as if adding permissions, which is never allowed through
   * a parent VMAR; nothing is without OP_CHILDREN. */
  if ((rc->op == ZX_VMAR_OP_COMMIT || rc->op == ZX_VMAR_OP_DECOMMIT ||
       rc->op == ZX_VMAR_OP_PREFETCH || !rc->op_children) &&
      mm_region_parent(m) != rc->vmar)
    return ZX_ERR_INVALID_ARGS;
  struct kvmo* vmo = to_kvmo(mm_mapping_obj(m));
  uint32_t flags = mm_region_flags(m);
  uint64_t vmo_off = mm_mapping_vmo_offset(m) + (addr - mm_region_base(m));
  if (flags & MM_FAULT_BEYOND_STREAM_SIZE) {
    uint64_t ss = kvmo_stream_size(vmo);
    if (len > (ss > vmo_off ? ss - vmo_off : 0)) return ZX_ERR_OUT_OF_RANGE;
  }
  zx_status_t s = ZX_OK;
  switch (rc->op) {
    case ZX_VMAR_OP_COMMIT:
      if (!(flags & MM_CAN_MAP_WRITE)) return ZX_ERR_ACCESS_DENIED;
      s = mm_vmo_commit(kvmo_mm(vmo), vmo_off, len);
      if (s == ZX_OK) populate_present(rc->ops, m, addr, len);
      return s;
    case ZX_VMAR_OP_DECOMMIT:
      if (!(flags & MM_CAN_MAP_WRITE)) return ZX_ERR_ACCESS_DENIED;
      return mm_vmo_decommit(kvmo_mm(vmo), vmo_off, len);
    case ZX_VMAR_OP_MAP_RANGE:
      populate_present(rc->ops, m, addr, len);
      return ZX_OK;
    case ZX_VMAR_OP_ZERO:
      if (!(flags & MM_CAN_MAP_WRITE)) return ZX_ERR_ACCESS_DENIED;
      return mm_vmo_zero(kvmo_mm(vmo), vmo_off, len);
    case ZX_VMAR_OP_ALWAYS_NEED:
      /* An eviction hint (zum never evicts), then page tables. */
      populate_present(rc->ops, m, addr, len);
      return ZX_OK;
    case ZX_VMAR_OP_DONT_NEED:
      return ZX_OK;
    case ZX_VMAR_OP_PREFETCH:
      if (!(flags & MM_CAN_MAP_READ)) return ZX_ERR_ACCESS_DENIED;
      s = mm_vmo_prefetch(kvmo_mm(vmo), vmo_off, len);
      if (s == ZX_OK) populate_present(rc->ops, m, addr, len);
      return s;
  }
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_vmar_op_range(struct kcall* c, zx_handle_t handle, uint32_t op, zx_vaddr_t address,
                          size_t size, zum_uaddr_t buffer, size_t buffer_size) {
  /* No rights are required yet (a TODO in Zircon); OP_CHILDREN decides sub-VMAR access. */
  struct khandle* h;
  zx_status_t s = kcall_object_h(c, handle, ZX_OBJ_TYPE_VMAR, ZX_RIGHT_NONE, &h);
  if (s != ZX_OK) return s;
  switch (op) {
    case ZX_VMAR_OP_COMMIT:
    case ZX_VMAR_OP_DECOMMIT:
    case ZX_VMAR_OP_MAP_RANGE:
    case ZX_VMAR_OP_ZERO:
    case ZX_VMAR_OP_DONT_NEED:
    case ZX_VMAR_OP_ALWAYS_NEED:
    case ZX_VMAR_OP_PREFETCH:
      break;
    default:
      return ZX_ERR_INVALID_ARGS;
  }
  if (buffer || buffer_size) return ZX_ERR_INVALID_ARGS;
  struct kvmar* v = to_kvmar(h->obj);
  struct kproc* target = owner_of(v);
  struct mm_ops ops;
  mm_ops_init(&ops);
  struct range_ctx rc = {op, (h->rights & ZX_RIGHT_OP_CHILDREN) != 0, v->region, &ops};
  s = mm_range_op(v->region, address, size, range_one, &rc);
  /* Not atomic: what was done before an error stands, and its page tables too. */
  return apply(c, target, &ops, s);
}

/* ---- zx_process_read_memory / zx_process_write_memory */

/* The mapping at vaddr in process p and the VMO range [*off, *off + *len) it shows there,
 * len clamped to the mapping's end (never spanning mappings). */
static zx_status_t debug_lookup(struct kproc* p, uint64_t vaddr, size_t* len,
                                struct mm_region** out, uint64_t* off) {
  /* The address space at vaddr (a shared process member's restricted region or its shared
   * one: Zircon's aspace_at). */
  struct kobj* root = kshare_vmar_at(p, vaddr);
  if (!root || !mm_region_alive(to_kvmar(root)->region)) return ZX_ERR_BAD_STATE;
  /* The C++ kernel answers NO_MEMORY for a gap (the 2025 Rust port NOT_FOUND). */
  struct mm_region* m = mm_find_mapping(to_kvmar(root)->region, vaddr);
  if (!m) return ZX_ERR_NO_MEMORY;
  uint64_t in = vaddr - mm_region_base(m);
  if (*len > mm_region_size(m) - in) *len = mm_region_size(m) - in;
  *off = mm_mapping_vmo_offset(m) + in;
  *out = m;
  return ZX_OK;
}

/* The transfer is trimmed to the VMO's end ("TrimLength"): nothing left -> OUT_OF_RANGE. */
static zx_status_t trim_to_vmo(struct kvmo* vmo, uint64_t off, size_t* len) {
  uint64_t size = kvmo_size(vmo);
  if (off >= size) return ZX_ERR_OUT_OF_RANGE;
  if (*len > size - off) *len = size - off;
  return mm_vmo_check_rw(kvmo_mm(vmo), off, *len);
}

#define DEBUG_CHUNK (64u * 1024u)

int64_t sys_process_read_memory(struct kcall* c, zx_handle_t handle, zx_vaddr_t vaddr,
                                zum_uaddr_t buffer, size_t buffer_size, zum_uaddr_t actual) {
  if (!buffer) return ZX_ERR_INVALID_ARGS;
  if (buffer_size == 0 || buffer_size > MAX_DEBUG_BLOCK) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s =
      kcall_object(c, handle, ZX_OBJ_TYPE_PROCESS, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  struct mm_region* m;
  uint64_t off;
  size_t len = buffer_size;
  s = debug_lookup(to_kproc(o), vaddr, &len, &m, &off);
  if (s != ZX_OK) return s;
  struct kvmo* vmo = to_kvmo(mm_mapping_obj(m));
  s = trim_to_vmo(vmo, off, &len);
  if (s != ZX_OK) return s;
  uint8_t* chunk = malloc(len < DEBUG_CHUNK ? len : DEBUG_CHUNK);
  if (!chunk) return ZX_ERR_NO_MEMORY;
  for (size_t done = 0; done < len && s == ZX_OK;) {
    size_t n = len - done < DEBUG_CHUNK ? len - done : DEBUG_CHUNK;
    s = mm_vmo_read(kvmo_mm(vmo), off + done, chunk, n);
    if (s == ZX_OK && kcall_copy_out(c, buffer + done, chunk, n) != ZX_OK) s = ZX_ERR_INVALID_ARGS;
    done += n;
  }
  free(chunk);
  if (s != ZX_OK) return s;
  return kcall_copy_out(c, actual, &len, sizeof(len));
}

int64_t sys_process_write_memory(struct kcall* c, zx_handle_t handle, zx_vaddr_t vaddr,
                                 zum_uaddr_t buffer, size_t buffer_size, zum_uaddr_t actual) {
  /* Zircon first refuses (NOT_SUPPORTED) unless kernel.enable-debugging-syscalls is set: zum
   * behaves as a kernel with it set. */
  if (!buffer) return ZX_ERR_INVALID_ARGS;
  if (buffer_size == 0 || buffer_size > MAX_DEBUG_BLOCK) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_PROCESS, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  struct mm_region* m;
  uint64_t off;
  size_t len = buffer_size;
  s = debug_lookup(to_kproc(o), vaddr, &len, &m, &off);
  if (s != ZX_OK) return s;
  struct kobj* vo = mm_mapping_obj(m);
  if (kvdso_is(vo)) return ZX_ERR_ACCESS_DENIED; /* never the vDSO */
  struct kvmo* vmo = to_kvmo(vo);
  s = trim_to_vmo(vmo, off, &len);
  if (s != ZX_OK) return s;
  uint8_t* chunk = malloc(len < DEBUG_CHUNK ? len : DEBUG_CHUNK);
  if (!chunk) return ZX_ERR_NO_MEMORY;
  for (size_t done = 0; done < len && s == ZX_OK;) {
    size_t n = len - done < DEBUG_CHUNK ? len - done : DEBUG_CHUNK;
    if (kcall_copy_in(c, chunk, buffer + done, n) != ZX_OK)
      s = ZX_ERR_INVALID_ARGS;
    else
      s = mm_vmo_write(kvmo_mm(vmo), off + done, chunk, n);
    done += n;
  }
  free(chunk);
  if (s != ZX_OK) return s;
  return kcall_copy_out(c, actual, &len, sizeof(len));
}

/* ---- zum_vm_fault (a fault the guest's runtime could not resolve: kcow_vm_fault) */

int64_t sys_vm_fault(struct kcall* c, uint64_t addr, uint32_t flags) {
  if (flags & ~ZUM_VM_FAULT_WRITE) return ZX_ERR_INVALID_ARGS;
  return kcow_vm_fault(c->proc, addr, (flags & ZUM_VM_FAULT_WRITE) != 0);
}
