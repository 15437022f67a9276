/* Copy-on-write fault sources, the guest side (DESIGN.md section 5): one userfaultfd per guest
 * process, in SIGBUS mode. A mapping made with ZUM_MAP_UFFD is registered for missing-page faults;
 * its ZUM_WORK_FAULT_SOURCE says where the bytes of a page missing from the mapped memfd come
 * from. No thread reads the userfaultfd: a missing page raises SIGBUS in the faulting thread,
 * whose handler calls zum_cow_fault, which copies the page (and, for sequential faults, the next
 * few) in with UFFDIO_COPY; the access then retries.
 *
 * Freestanding (raw system calls, no libc): the same file is compiled into the pure-process stub
 * and into the hosted library. Every function is safe in a signal handler and from any thread.
 * All state is process-wide behind one spinlock, which is never held while touching guest
 * memory. */
#ifndef ZUM_RUNTIME_COW_H_
#define ZUM_RUNTIME_COW_H_

#include <stdbool.h>
#include <stdint.h>
#include <zum/abi-private.h> /* ZUM_MAP_* */

/* Sources at once in a process; one more makes zum_cow_add_source fail with ENOMEM. */
#define ZUM_COW_MAX_SOURCES 1024
/* The largest batch a fault copies: sequential faults double it from one page up to this. */
#define ZUM_COW_MAX_BATCH_PAGES 16
#define ZUM_COW_PAGE 4096ul

/* Creates the process's userfaultfd (close-on-exec; without UFFD_USER_MODE_ONLY first, then with
 * it) and negotiates UFFD_FEATURE_SIGBUS | UFFD_FEATURE_MISSING_SHMEM, and where the host has it
 * UFFD_FEATURE_WP_HUGETLBFS_SHMEM (the supervisor may write-protect shared-memory mappings
 * through it). 0 (also when it exists already) or an errno; without it every other call here is
 * harmless and zum_cow_fault says "not ours". */
int zum_cow_init(void);
bool zum_cow_available(void);
/* The userfaultfd, or -1. */
int zum_cow_uffd(void);
/* Whether the userfaultfd is restricted to faults from user mode (UFFD_USER_MODE_ONLY). */
bool zum_cow_user_mode_only(void);
/* Whether it can write-protect shared memory (UFFD_FEATURE_WP_HUGETLBFS_SHMEM). */
bool zum_cow_write_protect(void);

/* Whether the faults zum_cow_fault leaves go on to the supervisor (zum_vm_fault, the runtime
 * told ZUM_AGENT_CAP_VM_FAULT), which fills any missing page of a copy-on-write mapping itself.
 * Then a remap holds no place for its source and a range just forgotten is not retried: what
 * is not found here is the supervisor's. Off at first. */
void zum_cow_set_fallback(bool on);

/* Registers [addr, addr + len) (page-aligned) for missing-page faults. 0 or an errno. */
int zum_cow_register(uint64_t addr, uint64_t len);

/* From now on a missing page P of [addr, addr + len) is filled with the bytes of fd at
 * off + (P - addr); bytes at or past addr + src_len, and past the end of fd, read as zeros.
 * Takes fd in every case (closed on failure, or when the source is forgotten). Whatever the
 * range overlapped before is forgotten first (so sources never overlap). addr and len must be
 * page-aligned and len nonzero: EINVAL. A full table: ENOMEM. No userfaultfd: EOPNOTSUPP. */
int zum_cow_add_source(uint64_t addr, uint64_t len, int fd, uint64_t off, uint64_t src_len);

/* Forgets every source overlapping [addr, addr + len): removed if covered, otherwise trimmed or
 * split in two (the two halves share the fd). An fd no source uses any more is closed. 0, or
 * ENOMEM when a split needs a slot and the table is full (then nothing changed). */
int zum_cow_forget(uint64_t addr, uint64_t len);

/* A range change as one step for faulting threads (the runtimes' MAP and RESERVE work ops):
 * forgets [addr, addr + len), calls change(ctx) (mmap, munmap: 0 or an errno), and with
 * ZUM_MAP_UFFD in map_flags registers the new mapping for missing pages and (without a fallback,
 * zum_cow_set_fallback) holds a place for its source: a fault there waits until
 * zum_cow_add_source of the same range fills it (or the range is forgotten). With ZUM_MAP_WP it
 * registers the mapping for write-protect faults too and write-protects all of it. Returns
 * change's error, the registration's, ENOMEM (table full: nothing was changed), or EOPNOTSUPP
 * (ZUM_MAP_UFFD without a userfaultfd, or ZUM_MAP_WP without write protection: nothing was
 * changed). */
int zum_cow_remap(uint64_t addr, uint64_t len, uint32_t map_flags, int (*change)(void* ctx),
                  void* ctx);

/* Resolves a SIGBUS at addr (the handler's si_addr, for si_code BUS_ADRERR): 1 when the access
 * may retry (a page was copied in, another thread did it, or the range just changed under the
 * fault), 0 when it is not a copy-on-write fault (no source, or the copy failed: beyond the end
 * of the mapped memfd, no registered mapping, ...) and the caller treats it as a real fault. */
int zum_cow_fault(uint64_t addr);

/* The whole of a runtime's answer to such a SIGBUS (the stub's and libzum's handlers): 1 when the
 * access may retry because zum_cow_fault copied the page in or, with ask_supervisor (the runtime
 * told ZUM_AGENT_CAP_VM_FAULT), the supervisor's zum_vm_fault resolved it (a page without a
 * source here, a write to a page it write-protected; write: the page-fault error code's bit 1);
 * 0 when it is a real fault, which each handler treats its own way. The trap is made from the
 * caller's own text (the stub's seal allows zum_vm_fault there). */
int zum_cow_resolve(uint64_t addr, bool write, bool ask_supervisor);

/* Copies in every missing page of [addr, addr + len) that a source covers (ahead of
 * MADV_POPULATE_*, which fails with EFAULT on a page only a SIGBUS-mode fault could bring).
 * 0 or an errno. */
int zum_cow_fill(uint64_t addr, uint64_t len);

/* What a source looks like now (tests, diagnostics). */
struct zum_cow_source {
  uint64_t addr, len, off, src_len;
  int fd; /* -1: a place held by zum_cow_remap */
};
/* The source containing addr: 1 and *out, or 0. */
int zum_cow_lookup(uint64_t addr, struct zum_cow_source* out);
/* Sources in the table (places held included). */
unsigned zum_cow_count(void);

#endif
