/* zx_vmo_transfer_data through the real trap: the checks in Zircon's order, the data moved and
 * the source range left zero, the refusals zum makes (a copy-on-write source, overlap). */
#include <zircon/syscalls.h>

#include "guest_test.h"

int main(void) {
  zx_handle_t src, dst, ro, child;
  const uint64_t P = 4096;
  CHECK_EQ(zx_vmo_create(8 * P, 0, &src), ZX_OK);
  CHECK_EQ(zx_vmo_create(8 * P, 0, &dst), ZX_OK);
  char a[4096], b[4096];
  memset(a, 'a', sizeof(a));
  CHECK_EQ(zx_vmo_write(src, a, P, sizeof(a)), ZX_OK);
  CHECK_EQ(zx_vmo_write(src, "end", 6 * P, 3), ZX_OK);
  memset(b, 'b', sizeof(b));
  CHECK_EQ(zx_vmo_write(dst, b, 0, sizeof(b)), ZX_OK);
  /* Options, alignment, then the handles. */
  CHECK_EQ(zx_vmo_transfer_data(dst, 1, 0, P, src, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_transfer_data(dst, 0, 1, P, src, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_transfer_data(dst, 0, 0, 100, src, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_transfer_data(dst, 0, 0, P, src, 7), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_transfer_data(ZX_HANDLE_INVALID, 0, 0, P, src, 0), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_handle_duplicate(src, ZX_RIGHT_READ, &ro), ZX_OK);
  CHECK_EQ(zx_vmo_transfer_data(dst, 0, 0, P, ro, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_transfer_data(ro, 0, 0, P, dst, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_transfer_data(dst, 0, 0, 16 * P, src, 0), ZX_ERR_OUT_OF_RANGE);
  /* Move [0, 8P) of src to dst: dst gets src's contents, holes included; src reads zero. */
  CHECK_EQ(zx_vmo_transfer_data(dst, 0, 0, 8 * P, src, 0), ZX_OK);
  CHECK_EQ(zx_vmo_read(dst, b, 0, sizeof(b)), ZX_OK);
  CHECK_EQ(b[0], 0);
  CHECK_EQ(b[4095], 0);
  CHECK_EQ(zx_vmo_read(dst, b, P, sizeof(b)), ZX_OK);
  CHECK(memcmp(a, b, sizeof(b)) == 0);
  CHECK_EQ(zx_vmo_read(dst, b, 6 * P, 3), ZX_OK);
  CHECK(memcmp(b, "end", 3) == 0);
  CHECK_EQ(zx_vmo_read(src, b, P, sizeof(b)), ZX_OK);
  CHECK_EQ(b[0], 0);
  CHECK_EQ(b[4095], 0);
  /* Within one VMO: apart is fine, overlapping is refused, the same range is nothing to do. */
  CHECK_EQ(zx_vmo_transfer_data(dst, 0, 4 * P, P, dst, P), ZX_OK);
  CHECK_EQ(zx_vmo_read(dst, b, 4 * P, sizeof(b)), ZX_OK);
  CHECK(memcmp(a, b, sizeof(b)) == 0);
  CHECK_EQ(zx_vmo_transfer_data(dst, 0, 4 * P, 2 * P, dst, 3 * P), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_transfer_data(dst, 0, 4 * P, 2 * P, dst, 4 * P), ZX_OK);
  /* A copy-on-write child's pages may still be its parent's: refused. */
  CHECK_EQ(zx_vmo_create_child(dst, ZX_VMO_CHILD_SNAPSHOT, 0, 8 * P, &child), ZX_OK);
  CHECK_EQ(zx_vmo_transfer_data(src, 0, 0, P, child, 4 * P), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_transfer_data(src, 0, 0, 0, child, 0), ZX_OK);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(src), ZX_OK);
  CHECK_EQ(zx_handle_close(dst), ZX_OK);
  return GUEST_RESULT();
}
