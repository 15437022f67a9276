/* Files as VMOs: what the loader service returns and how the program reaches ld.so. */
#ifndef ZUM_LAUNCH_FILE_VMO_H_
#define ZUM_LAUNCH_FILE_VMO_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

/* Files larger than this are refused (ZX_ERR_FILE_BIG). */
#define FILE_VMO_MAX_SIZE (1ull << 30)

/* An executable VMO holding `size` bytes of `data`, named `name` (truncated to the 31 bytes a
 * Zircon name holds). */
zx_status_t file_vmo_from_bytes(const void* data, uint64_t size, const char* name,
                                zx_handle_t* out);

/* An executable VMO holding the regular file at `path`, named `name`. ZX_ERR_NOT_FOUND when
 * there is no such file, ZX_ERR_ACCESS_DENIED when it cannot be read, ZX_ERR_NOT_FILE when it is
 * not a regular file, ZX_ERR_FILE_BIG, ZX_ERR_IO, ZX_ERR_NO_MEMORY. */
zx_status_t file_vmo_open(const char* path, const char* name, zx_handle_t* out);

#endif
