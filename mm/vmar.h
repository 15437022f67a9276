/* The VMAR tree of one address space: regions (VMARs) and mappings, placement with Zircon's
 * randomisation, splits on partial unmap and protect, and the Linux operations each change needs.
 * Pure logic, like Zircon's vm/ (vm_address_region.cc, vm_mapping.cc): it knows nothing of
 * kernel objects or handles. What a mapping maps is an opaque `obj` pointer; the layer above is
 * told when a mapping starts or stops referring to one (struct mm_hooks).
 *
 * Nothing here recurses over the tree: a guest can nest VMARs as deep as it likes (a child may
 * be as large as its parent), so every walk is iterative.
 *
 * Statuses and check orders are Zircon's (see each function). */
#ifndef ZUM_MM_VMAR_H_
#define ZUM_MM_VMAR_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>
#include <zum/abi-private.h>

#ifndef MM_PAGE_SIZE
#define MM_PAGE_SIZE 4096u
#endif
#define MM_NAME_LEN 32u

/* Region flags: the values of Zircon's internal VMAR_FLAG_*. */
#define MM_COMPACT 0x1u
#define MM_SPECIFIC 0x2u
#define MM_SPECIFIC_OVERWRITE 0x4u
#define MM_CAN_MAP_SPECIFIC 0x8u
#define MM_CAN_MAP_READ 0x10u
#define MM_CAN_MAP_WRITE 0x20u
#define MM_CAN_MAP_EXECUTE 0x40u
#define MM_REQUIRE_NON_RESIZABLE 0x80u
#define MM_ALLOW_FAULTS 0x100u
#define MM_OFFSET_IS_UPPER_LIMIT 0x200u
#define MM_FAULT_BEYOND_STREAM_SIZE 0x800u
#define MM_CAN_MAP_RWX (MM_CAN_MAP_READ | MM_CAN_MAP_WRITE | MM_CAN_MAP_EXECUTE)

/* Protections: the ZX_VM_PERM_* bits (also Linux's PROT_* values). */
#define MM_PROT_READ 1u
#define MM_PROT_WRITE 2u
#define MM_PROT_EXECUTE 4u
#define MM_PROT_RWX 7u

struct mm_aspace;
struct mm_region;

/* ---- Linux operations a change needs: zum_work_op_t records (kind ZUM_WORK_MAP / RESERVE /
 * PROTECT / POPULATE), the form the guest runs them in. A MAP's fd and offset are where the
 * mapped object's memory is (mm_hooks.backing); its flags are the layer above's to set. */
struct mm_ops {
  size_t n, cap;
  bool oom; /* an op could not be recorded (out of memory) */
  zum_work_op_t* v;
  zum_work_op_t local[4];
};

void mm_ops_init(struct mm_ops* ops);
void mm_ops_reset(struct mm_ops* ops);
void mm_ops_free(struct mm_ops* ops);
void mm_ops_push(struct mm_ops* ops, uint32_t kind, uint32_t prot, uint64_t addr, uint64_t len,
                 uint64_t offset, int fd);
/* Appends op as it is (the layer above: a MAP's fault source). */
void mm_ops_add(struct mm_ops* ops, const zum_work_op_t* op);

/* ---- Placement randomness. */

/* Makes placement reproducible: every address space created afterwards draws its addresses from
 * a generator seeded by `seed` and its creation rank (zum run --seed N). */
void mm_set_seed(uint64_t seed);

/* ---- Address spaces. */

struct mm_hooks {
  /* A mapping object started (or stopped) referring to obj: take (drop) a reference. Splitting a
   * mapping in two adds one; merging two into one removes one (Zircon's num_mappings). */
  void (*mapping_added)(void* obj, const struct mm_aspace* as);
  void (*mapping_removed)(void* obj, const struct mm_aspace* as);
  /* Where obj's memory is, for a MAP op: the host fd, and obj's offset in it (added to the
   * op's). NULL: fd -1, offset as in obj. */
  int (*backing)(void* obj, uint64_t* fd_offset);
};

/* A new address space whose root region covers [base, base + size), named "root", with
 * CAN_MAP_SPECIFIC and CAN_MAP_READ/WRITE/EXECUTE. `random_seed` seeds placement unless
 * mm_set_seed was called. ASLR as Zircon's user aspaces: 30 bits of entropy, 0 for COMPACT. */
struct mm_aspace* mm_aspace_create(uint64_t base, uint64_t size, uint64_t random_seed,
                                   const struct mm_hooks* hooks);
/* Destroys every region and mapping (the process is gone: no Linux operations) and frees the
 * aspace. Region objects still referenced stay allocated, dead. */
void mm_aspace_destroy(struct mm_aspace* as);
/* Calls fn for every address space not yet destroyed, stopping at the first error. */
zx_status_t mm_for_each_aspace(zx_status_t (*fn)(void* ctx, struct mm_aspace* as), void* ctx);
/* The root region (NULL once destroyed). */
struct mm_region* mm_aspace_root(const struct mm_aspace* as);
/* ASLR configuration (tests): enabled, entropy bits, compact entropy bits. */
void mm_aspace_set_aslr(struct mm_aspace* as, bool enabled, uint8_t entropy, uint8_t compact);
/* An opaque owner pointer for the layer above (the process). */
void mm_aspace_set_owner(struct mm_aspace* as, void* owner);
void* mm_aspace_owner(const struct mm_aspace* as);
/* The vDSO code mapping, if any (see mm_map). */
const struct mm_region* mm_aspace_vdso_code(const struct mm_aspace* as);

/* ---- Regions: VMARs and mappings. */

/* VMAR regions are reference counted (the layer above holds one per VMAR object); a destroyed
 * region stays readable (base, size, name) while referenced. Mappings are owned by the tree. */
void mm_region_ref(struct mm_region* r);
void mm_region_unref(struct mm_region* r);

bool mm_region_is_mapping(const struct mm_region* r);
bool mm_region_alive(const struct mm_region* r);
bool mm_region_is_root(const struct mm_region* r);
uint64_t mm_region_base(const struct mm_region* r);
uint64_t mm_region_size(const struct mm_region* r);
uint32_t mm_region_flags(const struct mm_region* r);
const char* mm_region_name(const struct mm_region* r);
/* The parent VMAR (NULL for a root or a dead region). */
struct mm_region* mm_region_parent(const struct mm_region* r);
/* The aspace of a live region (NULL once dead). */
struct mm_aspace* mm_region_aspace(const struct mm_region* r);
/* Mappings: what they map, from where. */
void* mm_mapping_obj(const struct mm_region* m);
uint64_t mm_mapping_vmo_offset(const struct mm_region* m);
/* The ZUM_MAP_* flags every MAP op of m carries from the start: ZUM_MAP_READONLY when m can
 * never become writable (no MM_CAN_MAP_WRITE). */
uint32_t mm_mapping_map_flags(const struct mm_region* m);
/* Mappings: their protection ranges (uniform-protection pieces, ascending). */
size_t mm_mapping_nranges(const struct mm_region* m);
void mm_mapping_range(const struct mm_region* m, size_t i, uint64_t* base, uint64_t* size,
                      uint32_t* prot);
/* Mappings: the protection at addr (inside the mapping). */
uint32_t mm_mapping_prot_at(const struct mm_region* m, uint64_t addr);

/* zx_vmar_allocate below the syscall layer (VmAddressRegion::CreateSubVmar + CreateSubVmarInner):
 * size not page aligned -> INVALID_ARGS; flags beyond SPECIFIC, CAN_MAP_SPECIFIC, COMPACT,
 * CAN_MAP_RWX, OFFSET_IS_UPPER_LIMIT -> INVALID_ARGS; then the creation core:
 *   parent dead -> BAD_STATE; size 0 -> INVALID_ARGS; CAN_MAP_RWX beyond the parent's ->
 *   ACCESS_DENIED; specific with upper-limit -> INVALID_ARGS; offset without specific/upper-limit
 *   -> INVALID_ARGS; offset unaligned -> INVALID_ARGS; specific/upper-limit without the parent's
 *   CAN_MAP_SPECIFIC -> ACCESS_DENIED; range outside the parent -> INVALID_ARGS; specific address
 *   misaligned for align_pow2 -> INVALID_ARGS; occupied -> ALREADY_EXISTS; no room ->
 *   NO_RESOURCES.
 * align_pow2 is 0 (page) or 10..32 (checked by the caller). On success *out holds a reference
 * for the caller, *base_out the address. Reservations need no Linux operation. */
zx_status_t mm_vmar_allocate(struct mm_region* parent, uint64_t offset, uint64_t size,
                             uint8_t align_pow2, uint32_t flags, struct mm_region** out,
                             uint64_t* base_out);

/* What a new mapping is for the vDSO rule (Zircon lib/userabi/vdso.cc). */
enum mm_vdso {
  MM_VDSO_NO = 0,          /* not an executable mapping of a vDSO VMO */
  MM_VDSO_CODE = 1,        /* executable vDSO mapping of exactly the code segment */
  MM_VDSO_CODE_INVALID = 2 /* executable vDSO mapping of anything else */
};

/* zx_vmar_map below the dispatcher (VmAddressRegion::CreateVmMapping + the creation core):
 * flags beyond SPECIFIC, SPECIFIC_OVERWRITE, CAN_MAP_RWX, OFFSET_IS_UPPER_LIMIT,
 * FAULT_BEYOND_STREAM_SIZE -> INVALID_ARGS; prot beyond the parent's CAN_MAP flags ->
 * ACCESS_DENIED; vmo_offset unaligned -> INVALID_ARGS; len rounding or vmo_offset + len overflow
 * -> OUT_OF_RANGE; then the core as for mm_vmar_allocate (len 0 -> INVALID_ARGS...), with
 * SPECIFIC_OVERWRITE replacing whatever mappings the range holds (a sub-VMAR in it ->
 * INVALID_ARGS, the vDSO code -> ACCESS_DENIED), then the vDSO rule (ACCESS_DENIED).
 * flags should carry the CAN_MAP_* the handles allow (they cap later protects); the mapping also
 * gets CAN_MAP_* for prot. With OFFSET_IS_UPPER_LIMIT the mapping starts at VMO offset 0, as in
 * Zircon. Appends the MAP operation. *out is valid until the tree changes again; *overwrote
 * says whether SPECIFIC_OVERWRITE replaced anything. */
zx_status_t mm_map(struct mm_region* parent, uint64_t offset, uint64_t len, uint8_t align_pow2,
                   uint32_t flags, void* obj, uint64_t vmo_offset, uint32_t prot,
                   enum mm_vdso vdso, struct mm_ops* ops, struct mm_region** out,
                   uint64_t* base_out, bool* overwrote);
/* After a successful map: the mapping may merge with neighbours that map the same obj at
 * contiguous offsets with identical flags (never the vDSO code mapping). */
void mm_mapping_mark_mergeable(struct mm_region* m);
/* Undoes a mapping just made (the caller could not report its address): it is removed; the
 * caller's operations are replaced by what Linux then needs (nothing, or a reservation of the
 * range if the map had overwritten mappings). */
void mm_mapping_undo(struct mm_region* m, bool overwrote, struct mm_ops* ops);

/* zx_vmar_unmap (VmAddressRegion::Unmap): addr unaligned -> INVALID_ARGS; len rounded (overflow:
 * 0), 0 -> INVALID_ARGS; dead -> BAD_STATE; outside -> INVALID_ARGS; no children -> OK; the vDSO
 * code in range -> ACCESS_DENIED; a sub-VMAR partly in range, or any in range without
 * op_children -> INVALID_ARGS; then mappings are trimmed, split or destroyed and sub-VMARs
 * destroyed. Appends one RESERVE of the span that was mapped. */
zx_status_t mm_unmap(struct mm_region* v, uint64_t addr, uint64_t len, bool op_children,
                     struct mm_ops* ops);

/* zx_vmar_protect (VmAddressRegion::Protect), after the caller's flag checks: addr unaligned ->
 * INVALID_ARGS; len rounded, 0 -> INVALID_ARGS; dead -> BAD_STATE; outside -> INVALID_ARGS; per
 * mapping in range (sub-VMARs included, address order): gap -> NOT_FOUND, prot beyond its CAN_MAP
 * -> ACCESS_DENIED, vDSO code -> ACCESS_DENIED, in a sub-VMAR without op_children ->
 * INVALID_ARGS, in a sub-VMAR adding a permission -> ACCESS_DENIED; uncovered tail -> NOT_FOUND.
 * Appends one PROTECT of the range. */
zx_status_t mm_protect(struct mm_region* v, uint64_t addr, uint64_t len, uint32_t prot,
                       bool op_children, struct mm_ops* ops);

/* zx_vmar_destroy below the rights check: the root -> NOT_SUPPORTED; dead -> BAD_STATE; then
 * children depth-first in address order (the vDSO code mapping -> ACCESS_DENIED, what was
 * destroyed before it stays destroyed), then the region itself. Appends one RESERVE of the span
 * that was mapped. */
zx_status_t mm_destroy(struct mm_region* v, struct mm_ops* ops);

/* zx_vmar_op_range's walk (VmAddressRegion::RangeOp), after the op and buffer checks: len
 * rounded, 0 or addr unaligned -> INVALID_ARGS; outside -> OUT_OF_RANGE; dead -> BAD_STATE; the
 * vDSO code in range -> ACCESS_DENIED; then for each mapping piece in address order (sub-VMARs
 * included): a gap before it -> BAD_STATE, else fn(ctx, mapping, addr, len) whose error stops
 * the walk; a gap at the end -> BAD_STATE. */
typedef zx_status_t (*mm_range_fn)(void* ctx, struct mm_region* m, uint64_t addr, uint64_t len);
zx_status_t mm_range_op(struct mm_region* v, uint64_t addr, uint64_t len, mm_range_fn fn,
                        void* ctx);
/* Appends POPULATE operations for [addr, addr + len) of mapping m, one per protection piece that
 * has any access. */
void mm_push_populate(struct mm_ops* ops, const struct mm_region* m, uint64_t addr, uint64_t len);

/* The mapping containing addr anywhere below v (NULL: a gap, or only VMARs there). */
struct mm_region* mm_find_mapping(struct mm_region* v, uint64_t addr);

/* Depth-first pre-order over v (at `depth`) and everything below it, children in address order
 * (Zircon's EnumerateChildren). Dead v -> BAD_STATE. A non-OK status from fn stops the walk and
 * is returned. */
typedef zx_status_t (*mm_visit_fn)(void* ctx, struct mm_region* r, unsigned depth);
zx_status_t mm_enumerate(struct mm_region* v, unsigned depth, mm_visit_fn fn, void* ctx);

#endif
