/* The Linux side of VMO memory (DESIGN.md section 5): one memfd per VMO. Sparse: a hole reads
 * as zeros, which is Zircon's zero fill, and mappings of the memfd (MAP_SHARED) see exactly what
 * pread/pwrite see. mm/vmo.c uses these as the platform's VMO memory (host_memfd_mem_ops, the
 * supervisor's and the unit tests' alike); nothing here knows about VMOs. Linux errors come back
 * as zx_status_t. */
#ifndef ZUM_HOST_MEMFD_H_
#define ZUM_HOST_MEMFD_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

#include "host/platform.h"

/* The largest length Linux gives a memfd (MAX_LFS_FILESIZE rounded down to a page). */
#define HOST_MEMFD_MAX_SIZE 0x7FFFFFFFFFFFF000ull

/* A new memfd (close-on-exec) of `size` bytes, all holes. NO_MEMORY when Linux has no room or
 * no file descriptor left. */
zx_status_t host_memfd_create(uint64_t size, int* out_fd);
void host_memfd_close(int fd);
/* Another descriptor of the memfd (close-on-exec): >= 0, or -errno. */
int host_memfd_dup(int fd);
/* Another descriptor that may only read: an O_RDONLY open file of the memfd (>= 0, or -errno;
 * host/sv/memfd_ro.c keeps one per memfd and hands out dups of it). */
int host_memfd_dup_readonly(int fd);
/* Closes what host_memfd_dup_readonly keeps for fd (before fd is closed or replaced). */
void host_memfd_forget_readonly(int fd);
/* Sets the length; shrinking frees what lies beyond it. */
zx_status_t host_memfd_resize(int fd, uint64_t size);
/* Exactly len bytes at off (holes and anything past the end read as zeros). */
zx_status_t host_memfd_read(int fd, uint64_t off, void* buf, size_t len);
/* Exactly len bytes at off (within the length). */
zx_status_t host_memfd_write(int fd, uint64_t off, const void* buf, size_t len);
/* Whole pages (off, len page aligned, within the length) put in only where the memfd has no page
 * yet; pages already there, however they got there (a guest's userfaultfd, say), stay as they
 * are (host/sv/memfd_insert.c). */
zx_status_t host_memfd_insert(int fd, uint64_t off, const void* buf, size_t len);
/* Makes the memfd's contents and length final (the vDSO's image, which every process maps): fd
 * becomes, under the same number, a copy sealed with F_SEAL_WRITE, F_SEAL_SHRINK, F_SEAL_GROW
 * and F_SEAL_SEAL, so no descriptor of it, no shared writable mapping and no mprotect of a
 * shared mapping can change it, whoever holds it; private mappings still work. ZX_OK, or the
 * failure (fd unchanged). Before anyone else has fd. */
zx_status_t host_memfd_seal(int fd);
/* Drops what host_memfd_insert keeps for fd (before fd is closed). */
void host_memfd_forget_window(int fd);
/* Allocates the pages of [off, off+len) (page aligned) without changing their contents. */
zx_status_t host_memfd_commit(int fd, uint64_t off, uint64_t len);
/* Frees the pages of [off, off+len) (page aligned): they read as zeros again. */
zx_status_t host_memfd_decommit(int fd, uint64_t off, uint64_t len);
/* False when the page at `off` certainly reads as zeros (a hole, or allocated but never
 * written); true when it may hold data. */
bool host_memfd_page_has_data(int fd, uint64_t off);
/* The first page at or after `off` that may hold data (*out), or false: none. */
bool host_memfd_next_data(int fd, uint64_t off, uint64_t* out);
/* Bytes of memory the memfd holds (allocated pages, including swapped-out ones). */
uint64_t host_memfd_committed(int fd);
/* Bytes of [off, off+len) (page aligned) resident in memory. */
uint64_t host_memfd_committed_range(int fd, uint64_t off, uint64_t len);

/* The functions above as the platform's VMO memory (struct platform_mem_ops). */
extern const struct platform_mem_ops host_memfd_mem_ops;

#endif
