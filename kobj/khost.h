/* What the syscall layer asks of the host beyond a process's memory: starting hosted programs,
 * the console, randomness. host/ and launcher/ provide it; tests fake it. */
#ifndef ZUM_KOBJ_KHOST_H_
#define ZUM_KOBJ_KHOST_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

struct kjob;
struct kproc;
struct kcall;

struct khost_ops {
  /* Starts hosted executable `path` as a new running process in `job`. */
  zx_status_t (*spawn_hosted)(struct kjob* job, const char* path, char* const argv[],
                              struct kproc** out);
  /* Makes an empty pure process named `name` in `job`, in state INITIAL with no threads and no
   * root VMAR yet (the caller adds it). Returns it with one reference for the caller. */
  zx_status_t (*spawn_pure)(struct kjob* job, const char* name, struct kproc** out);
  /* zx_debug_write: the kernel console, which is the supervisor's stderr. */
  void (*debug_write)(const char* buf, size_t len);
  /* Fills buf with cryptographically strong random bytes; 0 or -1. */
  int (*random_fill)(void* buf, size_t len);
  /* Gives the calling process an agent socket for address-space work asked by other
   * processes; returns its fd number in the caller, or -errno. */
  int (*attach_agent)(struct kcall* c);
  /* Optional: gives the calling process a work channel (ZUM_WORK_FD_CHANNEL); its fd number in
   * the caller, or -errno. */
  int (*attach_work_channel)(struct kcall* c);
  /* Tells the user about a fault that is about to kill a process (optional). */
  void (*report_fault)(struct kcall* c, uint32_t signo, uint32_t code, uint64_t addr, uint64_t pc);
};

extern const struct khost_ops* khost;

#endif
