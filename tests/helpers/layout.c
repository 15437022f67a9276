/* Test helper: prints where a VMAR and a mapping were placed, relative to the root VMAR. */
#include <inttypes.h>
#include <stdio.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

int main(void) {
  zx_info_vmar_t root;
  zx_handle_t sub, vmo;
  zx_vaddr_t a, m;
  if (zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &root, sizeof(root), NULL, NULL) ||
      zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ, 0, 1 << 20, &sub, &a) ||
      zx_vmo_create(4096, 0, &vmo) ||
      zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, 4096, &m))
    return 1;
  printf("%" PRIx64 " %" PRIx64 "\n", (uint64_t)(a - root.base), (uint64_t)(m - root.base));
  return 0;
}
