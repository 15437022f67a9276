/* The supervisor's side of a guest's userfaultfd (DESIGN.md section 5). The guest's runtime makes
 * the userfaultfd (it must belong to the guest's address space) and hands it over with its agent
 * hello; the ioctls below act on the guest's address space from the supervisor. */
#ifndef ZUM_HOST_UFFD_H_
#define ZUM_HOST_UFFD_H_

#include <stdbool.h>
#include <stdint.h>

/* Registers [addr, addr+len) for write-protect faults (and missing-page faults when `missing`)
 * and write-protects it, mapped pages and holes alike. 0 or an errno. */
int host_uffd_write_protect(int uffd, uint64_t addr, uint64_t len, bool missing);
/* Lifts the write protection of [addr, addr+len). 0 or an errno. */
int host_uffd_release(int uffd, uint64_t addr, uint64_t len);

#endif
