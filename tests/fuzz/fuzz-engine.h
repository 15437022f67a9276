/* zum's syscall fuzzer: seeded, reproducible, run from a hosted program (fuzz_hosted.c) and from
 * a pure Zircon process (tests/fuchsia/fuzz.c). Freestanding: only zx_* calls, no libc, so both
 * include it.
 *
 * Calls come from the generated table (gen/zum/fuzz-table.h, from abi/syscalls.txt) and go
 * through the vDSO entries as a hostile guest's would, with arguments biased by kind: handles
 * the fuzzer made (and closed, corrupted, invalid ones), sizes around the interesting edges,
 * pointers into a scratch mapping that has unmapped pages on both sides, unmapped, kernel and
 * misaligned addresses, short deadlines. Calls that would end the fuzzer (process_exit, fault,
 * thread_exiting, a thread's last calls) or hand it its own thread are never made, and the
 * fuzzer's own handles (process, thread, root VMAR, jobs, scratch VMAR) are kept out of every
 * argument and of the scratch memory the supervisor reads handles from. After each batch the
 * supervisor must still answer an event round trip exactly; the batch's job is killed, which
 * ends every process the batch made. Everything follows from the seed: the same seed makes the
 * same calls. */
#ifndef ZUM_TESTS_FUZZ_ENGINE_H_
#define ZUM_TESTS_FUZZ_ENGINE_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/syscalls.h>
#include <zum/fuzz-table.h>
#include <zircon/syscalls/port.h>

#define FZ_POOL 48
#define FZ_SCRATCH (16u * 1024)   /* mapped, between two unmapped 64 KiB holes */
#define FZ_HOLE (64u * 1024)
#define FZ_BATCH 1000
#define FZ_MAX_PROTECT 16

struct fz {
  uint64_t rng;
  zx_handle_t pool[FZ_POOL];
  zx_obj_type_t type[FZ_POOL];
  zx_handle_t closed[8]; /* recently closed values: stale handles */
  uint32_t nclosed;
  zx_handle_t protect[FZ_MAX_PROTECT];
  uint32_t nprotect;
  zx_handle_t parent_job; /* each batch's job is made in it */
  /* Resources the front end was given (never the root resource, nor the power one: see
   * fuzz_hosted.c); each batch gets duplicates of them in its pool. */
  zx_handle_t rsrc[16];
  uint32_t nrsrc;
  zx_handle_t job;        /* this batch's job: in the pool, killed at the end of the batch */
  zx_handle_t scratch_vmar;
  uint8_t* scratch;
  uint64_t calls, ok, skipped;
  uint64_t per_call[ZUM_FUZZ_NUM_CALLS], per_ok[ZUM_FUZZ_NUM_CALLS];
  uint32_t per_status[ZUM_FUZZ_NUM_CALLS][64]; /* by -status (0..63; others at 63) */
  void (*say)(const char* s); /* one line, no newline */
  void (*after_batch)(struct fz* f, uint64_t batch); /* may be NULL */
  uint64_t only;                                     /* nonzero: only call number only-1 */
  zx_handle_t self;                                  /* the fuzzer's process, for its counts */
  uint32_t baseline;                                 /* its handles between batches */
  /* Makes a call the vDSO does not export (hosted-only ones) with zum's trap, as a hostile
   * guest can; NULL where the front end cannot (a pure process traps only from the vDSO). */
  int64_t (*raw)(uint32_t nr, const uint64_t a[6]);
  uint64_t raw_calls;
  /* Handles a shaped call gives away (channel messages move them): out of the pool after it. */
  zx_handle_t moved[64];
  uint32_t nmoved;
};

/* How many handles the fuzzer's process holds. */
static inline uint32_t fz_handles(const struct fz* f) {
  zx_info_process_handle_stats_t st;
  uint32_t n = 0;
  if (zx_object_get_info(f->self, ZX_INFO_PROCESS_HANDLE_STATS, &st, sizeof(st), NULL, NULL) !=
      ZX_OK)
    return 0;
  for (unsigned i = 0; i < ZX_OBJ_TYPE_UPPER_BOUND; i++) n += st.handle_count[i];
  return n;
}

static inline uint64_t fz_next(struct fz* f) { /* splitmix64 */
  uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static inline uint64_t fz_below(struct fz* f, uint64_t n) { return n ? fz_next(f) % n : 0; }
static inline int fz_chance(struct fz* f, unsigned percent) { return fz_below(f, 100) < percent; }

/* ---- tiny formatting */
static inline char* fz_puts(char* p, const char* s) {
  while (*s) *p++ = *s++;
  *p = 0;
  return p;
}
static inline char* fz_putu(char* p, uint64_t v) {
  char b[24];
  int n = 0;
  do b[n++] = (char)('0' + v % 10); while (v /= 10);
  while (n) *p++ = b[--n];
  *p = 0;
  return p;
}
static inline char* fz_puti(char* p, int64_t v) {
  if (v < 0) {
    *p++ = '-';
    return fz_putu(p, (uint64_t)0 - (uint64_t)v);
  }
  return fz_putu(p, (uint64_t)v);
}

static inline int fz_protected(const struct fz* f, uint32_t v) {
  for (uint32_t i = 0; i < f->nprotect; i++)
    if (f->protect[i] == v) return 1;
  return 0;
}

static inline void fz_protect(struct fz* f, zx_handle_t h) {
  if (h != ZX_HANDLE_INVALID && f->nprotect < FZ_MAX_PROTECT) f->protect[f->nprotect++] = h;
}

/* The supervisor reads handle values from guest memory (close_many, channel writes, wait
 * items, call args): never let the fuzzer's own handles be found there. */
static inline void fz_scrub(struct fz* f) {
  uint32_t* w = (uint32_t*)f->scratch;
  for (size_t i = 0; i < FZ_SCRATCH / 4; i++)
    if (fz_protected(f, w[i])) w[i] = ZX_HANDLE_INVALID;
}

static inline void fz_pool_add(struct fz* f, zx_handle_t h) {
  if (h == ZX_HANDLE_INVALID || fz_protected(f, h)) return;
  for (int i = 0; i < FZ_POOL; i++)
    if (f->pool[i] == h) return;
  zx_info_handle_basic_t b;
  zx_obj_type_t t = ZX_OBJ_TYPE_NONE;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL) == ZX_OK) t = b.type;
  int at = -1;
  for (int i = 0; i < FZ_POOL && at < 0; i++)
    if (f->pool[i] == ZX_HANDLE_INVALID) at = i;
  if (at < 0) {
    at = (int)fz_below(f, FZ_POOL);
    if (f->pool[at] == f->job) {
      zx_handle_close(h);
      return;
    }
    zx_handle_close(f->pool[at]);
    f->closed[f->nclosed++ % 8] = f->pool[at];
  }
  f->pool[at] = h;
  f->type[at] = t;
}

/* The object type a call's handle argument wants (0: any), so that most calls get past the
 * type checks into the code behind them. */
static inline int fz_prefix(const char* name, const char* p) {
  while (*p && *name == *p) name++, p++;
  return *p == 0;
}
static inline zx_obj_type_t fz_want(const char* name, int arg) {
  static const struct {
    const char* prefix;
    int arg;
    zx_obj_type_t type;
  } w[] = {
      {"vmo_create_physical", 0, ZX_OBJ_TYPE_RESOURCE},
      {"vmo_create_contiguous", 0, ZX_OBJ_TYPE_BTI},
      {"channel_", 0, ZX_OBJ_TYPE_CHANNEL},   {"port_", 0, ZX_OBJ_TYPE_PORT},
      {"timer_", 0, ZX_OBJ_TYPE_TIMER},       {"vmo_", 0, ZX_OBJ_TYPE_VMO},
      {"vmar_map", 3, ZX_OBJ_TYPE_VMO},       {"vmar_", 0, ZX_OBJ_TYPE_VMAR},
      {"process_create_shared", 0, ZX_OBJ_TYPE_PROCESS},
      {"process_create", 0, ZX_OBJ_TYPE_JOB}, {"process_start", 1, ZX_OBJ_TYPE_THREAD},
      {"process_", 0, ZX_OBJ_TYPE_PROCESS},   {"thread_create", 0, ZX_OBJ_TYPE_PROCESS},
      {"thread_", 0, ZX_OBJ_TYPE_THREAD},     {"job_set_critical", 2, ZX_OBJ_TYPE_PROCESS},
      {"job_", 0, ZX_OBJ_TYPE_JOB},           {"spawn", 0, ZX_OBJ_TYPE_JOB},
      {"object_wait_async", 1, ZX_OBJ_TYPE_PORT},
      {"object_signal_peer", 0, ZX_OBJ_TYPE_EVENTPAIR}, {"fifo_", 0, ZX_OBJ_TYPE_FIFO},
      {"socket_", 0, ZX_OBJ_TYPE_SOCKET},     {"clock_", 0, ZX_OBJ_TYPE_CLOCK},
      {"counter_", 0, ZX_OBJ_TYPE_COUNTER},   {"debuglog_create", 0, ZX_OBJ_TYPE_RESOURCE},
      {"debuglog_", 0, ZX_OBJ_TYPE_DEBUGLOG}, {"system_get_event", 0, ZX_OBJ_TYPE_JOB},
      {"system_", 0, ZX_OBJ_TYPE_RESOURCE},   {"resource_", 0, ZX_OBJ_TYPE_RESOURCE},
      {"profile_", 0, ZX_OBJ_TYPE_RESOURCE},  {"object_set_profile", 1, ZX_OBJ_TYPE_PROFILE},
      {"interrupt_create", 0, ZX_OBJ_TYPE_RESOURCE}, {"interrupt_bind", 1, ZX_OBJ_TYPE_PORT},
      {"interrupt_", 0, ZX_OBJ_TYPE_INTERRUPT}, {"ioports_", 0, ZX_OBJ_TYPE_RESOURCE},
      {"iommu_", 0, ZX_OBJ_TYPE_RESOURCE},    {"smc_", 0, ZX_OBJ_TYPE_RESOURCE},
      {"msi_allocate", 0, ZX_OBJ_TYPE_RESOURCE}, {"guest_create", 0, ZX_OBJ_TYPE_RESOURCE},
      {"framebuffer_", 0, ZX_OBJ_TYPE_RESOURCE}, {"debug_", 0, ZX_OBJ_TYPE_RESOURCE},
      {"ktrace_", 0, ZX_OBJ_TYPE_RESOURCE},   {"mtrace_", 0, ZX_OBJ_TYPE_RESOURCE},
      {"vmo_transfer_data", 4, ZX_OBJ_TYPE_VMO},
      {"stream_create", 1, ZX_OBJ_TYPE_VMO},  {"stream_", 0, ZX_OBJ_TYPE_STREAM},
  };
  for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
    if (w[i].arg == arg && fz_prefix(name, w[i].prefix)) return w[i].type;
  return ZX_OBJ_TYPE_NONE;
}

static inline zx_handle_t fz_typed(struct fz* f, zx_obj_type_t want) {
  uint32_t start = (uint32_t)fz_below(f, FZ_POOL);
  for (uint32_t k = 0; k < FZ_POOL; k++) {
    uint32_t i = (start + k) % FZ_POOL;
    if (f->pool[i] != ZX_HANDLE_INVALID && f->type[i] == want) return f->pool[i];
  }
  return ZX_HANDLE_INVALID;
}

static inline int fz_foreign(const struct fz* f, zx_handle_t h) {
  for (int i = 0; i < FZ_POOL; i++)
    if (f->pool[i] == h) return 0;
  return zx_object_get_info(h, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL) == ZX_OK;
}

static inline uint64_t fz_handle(struct fz* f, zx_obj_type_t want) {
  uint64_t r = fz_below(f, 100);
  uint32_t h;
  if (want != ZX_OBJ_TYPE_NONE && r < 60 && (h = fz_typed(f, want)) != ZX_HANDLE_INVALID) {
    /* the right type */
  } else if (r < 70) {
    h = f->pool[fz_below(f, FZ_POOL)];
    if (h == ZX_HANDLE_INVALID) h = f->job;
  } else if (r < 76) {
    h = ZX_HANDLE_INVALID;
  } else if (r < 84) {
    h = f->closed[fz_below(f, 8)];
  } else if (r < 90) {
    h = f->pool[fz_below(f, FZ_POOL)] ^ (1u << fz_below(f, 32));
  } else if (r < 95) {
    h = (uint32_t)fz_below(f, 64);
  } else {
    h = (uint32_t)fz_next(f);
  }
  /* A made-up value that names a live handle outside the pool could be one of the fuzzer's
   * own (the runtime's, say): never use it. */
  if (fz_protected(f, h) || (r >= 76 && fz_foreign(f, h))) h = ZX_HANDLE_INVALID;
  if (fz_chance(f, 1)) return fz_next(f) | h; /* garbage in the upper half */
  return h;
}

static inline uint64_t fz_size(struct fz* f) {
  switch (fz_below(f, 12)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return fz_below(f, 64);
    case 3: return 4096;
    case 4: return fz_below(f, FZ_SCRATCH);
    case 5: return FZ_SCRATCH;
    case 6: return FZ_SCRATCH + 1 + fz_below(f, 4096);
    case 7: return 1ull << fz_below(f, 64);
    case 8: return ~0ull - fz_below(f, 4096);
    case 9: return (1ull << 63) + fz_below(f, 3);
    case 10: return fz_below(f, 16) * 4096;
    default: return fz_below(f, 1u << 20);
  }
}

static inline uint64_t fz_ptr(struct fz* f) {
  uintptr_t s = (uintptr_t)f->scratch;
  switch (fz_below(f, 16)) {
    case 0: return 0;
    case 1: return 8;
    case 2: return s - 8;                          /* straddles the hole before */
    case 3: return s + FZ_SCRATCH - fz_below(f, 16); /* straddles the hole after */
    case 4: return s + FZ_SCRATCH + FZ_HOLE / 2;   /* in the hole */
    case 5: return 0xffff888000000000ull + fz_below(f, 4096) * 8; /* kernel */
    case 6: return 0x8000000000000000ull;          /* not canonical */
    case 7: return s + 1 + 8 * fz_below(f, FZ_SCRATCH / 8 - 1); /* misaligned */
    case 8: return fz_next(f);
    default: return s + 8 * fz_below(f, FZ_SCRATCH / 8 - 64);
  }
}

static inline uint64_t fz_deadline(struct fz* f) {
  switch (fz_below(f, 10)) {
    case 0: case 1: case 2: case 3: return 0;
    case 4: return (uint64_t)ZX_TIME_INFINITE_PAST;
    case 5: return 1;
    case 6: return (uint64_t)zx_deadline_after(ZX_MSEC(1));
    default: return (uint64_t)zx_deadline_after((zx_duration_t)fz_below(f, 100000));
  }
}

static inline uint64_t fz_flags(struct fz* f) {
  switch (fz_below(f, 10)) {
    case 0: case 1: case 2: case 8: case 9: return 0;
    case 3: return 1ull << fz_below(f, 32);
    case 4: return (1ull << fz_below(f, 32)) | (1ull << fz_below(f, 32));
    case 5: return ~0ull;
    case 6: return fz_below(f, 16);
    default: return (uint32_t)fz_next(f);
  }
}

static inline uint64_t fz_int(struct fz* f) {
  switch (fz_below(f, 8)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return ~0ull;
    case 3: return fz_below(f, 32);
    case 4: return 1ull << fz_below(f, 64);
    default: return fz_next(f);
  }
}

static inline uint64_t fz_value(struct fz* f, uint8_t kind, zx_obj_type_t want) {
  switch (kind) {
    case ZUM_FZ_HANDLE: return fz_handle(f, want);
    case ZUM_FZ_PTR: return fz_ptr(f);
    case ZUM_FZ_HANDLE_OUT:
      if (fz_chance(f, 85)) return (uintptr_t)f->scratch + 8 * fz_below(f, 4); /* the out slots */
      return fz_ptr(f);
    case ZUM_FZ_SIZE: return fz_size(f);
    case ZUM_FZ_ADDR:
      return fz_chance(f, 50) ? fz_ptr(f) : 0x200000ull + 4096 * fz_below(f, 1u << 20);
    case ZUM_FZ_FLAGS: return fz_flags(f);
    case ZUM_FZ_SIGNALS: return fz_chance(f, 50) ? 1ull << fz_below(f, 32) : fz_flags(f);
    case ZUM_FZ_RIGHTS:
      return fz_chance(f, 40) ? ZX_RIGHT_SAME_RIGHTS : fz_chance(f, 30) ? 0 : fz_flags(f);
    case ZUM_FZ_DEADLINE: return fz_deadline(f);
    case ZUM_FZ_DURATION: return fz_chance(f, 50) ? fz_below(f, 1000000) : fz_int(f);
    case ZUM_FZ_TOPIC:
      return fz_chance(f, 90) ? (fz_below(f, 32) | (fz_below(f, 4) << 28)) : fz_int(f);
    case ZUM_FZ_PROPERTY: return fz_chance(f, 90) ? fz_below(f, 24) : fz_int(f);
    case ZUM_FZ_KOID: return fz_chance(f, 80) ? fz_below(f, 4096) : fz_int(f);
    default: return fz_int(f);
  }
}

/* Fills the scratch page with a mix the supervisor will read as structures: pool handles,
 * small ints, sizes, pointers back into the scratch, garbage. */
static inline void fz_fill(struct fz* f) {
  uint64_t* w = (uint64_t*)f->scratch;
  uint32_t n = (uint32_t)fz_below(f, 64);
  for (uint32_t i = 0; i < n; i++) {
    uint64_t at = fz_below(f, FZ_SCRATCH / 8);
    switch (fz_below(f, 6)) {
      case 0: w[at] = fz_handle(f, 0) | ((uint64_t)fz_handle(f, 0) << 32); break;
      case 1: w[at] = fz_ptr(f); break;
      case 2: w[at] = fz_size(f); break;
      case 3: w[at] = fz_flags(f); break;
      default: w[at] = fz_next(f); break;
    }
  }
}

static inline int fz_skipped_call(const struct fz* f, const struct zum_fuzz_call* c) {
  /* hosted_init is kept: a second one must be refused (BAD_STATE), and is fuzzed for that. A
   * thread's last calls end the fuzzer's thread; their private calls are for pure processes
   * only (a hosted caller is killed) and mark the caller's thread dying. interrupt_wait has no
   * deadline: on an untriggered interrupt only another thread could end it, and the fuzzer has
   * one. thread_suspended is a stub's report (pure processes only, and a no-op unless the caller
   * is being suspended). */
  static const char* const skip[] = {"process_exit", "thread_exiting", "fault", "thread_self",
                                     "thread_suspended",
                                     "vmar_unmap_handle_close_thread_exit",
                                     "futex_wake_thread_exiting", "vmar_unmap_by_agent",
                                     "handle_close_thread_exiting", "interrupt_wait"};
  for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
    const char *a = c->name, *b = skip[i];
    while (*a && *a == *b) a++, b++;
    if (*a == *b) return 1;
  }
  return (c->flags & ZUM_FZ_NORETURN) != 0 || (!c->fn && !f->raw);
}

static inline int fz_is(const struct zum_fuzz_call* c, const char* name) {
  const char* a = c->name;
  while (*a && *a == *name) a++, name++;
  return *a == *name;
}

#include "fuzz-shapes.h"

/* zum_spawn never gets to start a host program: its path is one that does not exist (or
 * unreadable memory), everything else is fuzzed. */
static inline void fz_spawn_args(struct fz* f, uint64_t* a) {
  static const char path[] = "/nonexistent/zum-fuzz";
  uintptr_t s = (uintptr_t)f->scratch;
  zum_spawn_args_t* sa = (zum_spawn_args_t*)(s + FZ_SHAPE_BLOCK + 512);
  switch (fz_below(f, 4)) {
    case 0: sa->path = 0; break;
    case 1: sa->path = s + FZ_SCRATCH - 4; break; /* runs into the hole unterminated */
    default: sa->path = (uintptr_t)path; break;
  }
  sa->argv = fz_chance(f, 70) ? (uintptr_t)&sa->path : fz_ptr(f);
  uint32_t n = fz_count(f, 64);
  sa->handles = fz_handle_array(f, n, ZX_HANDLE_INVALID, 0);
  sa->handle_info = s + FZ_SHAPE_BYTES;
  sa->num_handles = n;
  sa->reserved = (uint32_t)(fz_chance(f, 90) ? 0 : fz_int(f));
  a[1] = fz_chance(f, 95) ? (uint64_t)(uintptr_t)sa : fz_ptr(f);
}

/* Calls that start Linux processes are costly: a few per batch. Calls that may commit memory
 * get sizes a machine can hold. */
static inline int fz_one(struct fz* f) {
  const struct zum_fuzz_call* c = &zum_fuzz_calls[fz_below(f, ZUM_FUZZ_NUM_CALLS)];
  if (f->only && c != &zum_fuzz_calls[f->only - 1]) return 0;
  if (fz_skipped_call(f, c)) return 0;
  int costly = fz_is(c, "process_create") || fz_is(c, "process_create_shared") ||
               fz_is(c, "spawn") || fz_is(c, "thread_start") || fz_is(c, "process_start");
  if (costly && !fz_chance(f, 3)) return 0;
  uint64_t a[8] = {0};
  for (int i = 0; i < c->nargs; i++) a[i] = fz_value(f, c->kind[i], fz_want(c->name, i));
  if (fz_is(c, "process_create") || fz_is(c, "thread_create") ||
      fz_is(c, "process_create_shared")) {
    /* A name that reads, mostly, so creation gets past its argument checks. */
    int name = fz_is(c, "process_create_shared") ? 2 : 1;
    if (fz_chance(f, 70)) a[name] = (uintptr_t)f->scratch + 64, a[name + 1] = fz_below(f, 32);
  }
  if (fz_is(c, "vmo_op_range") || fz_is(c, "vmar_op_range")) {
    if (a[3] > (1u << 20)) a[3] &= (1u << 20) - 1; /* a commit of 2^40 bytes would be real */
  } else if (fz_is(c, "vmar_map")) {
    if (a[5] > (1u << 20)) a[5] &= (1u << 20) - 1;
  } else if (fz_is(c, "debug_write")) {
    /* Its pointer checks, not pages of garbage on the console the results are read from. */
    static const uint64_t bad[] = {0, 8, 0xffff888000000000ull, 0x8000000000000000ull};
    a[0] = fz_chance(f, 50) ? bad[fz_below(f, 4)]
                            : (uintptr_t)f->scratch - 8 * (1 + fz_below(f, 8)); /* the hole */
    if (a[0] >= (uintptr_t)f->scratch - 64 && a[1] > 64) a[1] = 64 + fz_below(f, 256);
  } else if (fz_is(c, "vmar_allocate")) {
    if (a[3] > (1ull << 32)) a[3] &= (1ull << 32) - 1;
  }
  if (fz_is(c, "vmar_map") && fz_chance(f, 50)) {
    /* Mostly-valid mappings, so the address-space work behind them runs. */
    a[1] = ZX_VM_PERM_READ | (fz_chance(f, 70) ? ZX_VM_PERM_WRITE : 0) |
           (fz_chance(f, 30) ? ZX_VM_SPECIFIC : 0) | (fz_chance(f, 10) ? ZX_VM_MAP_RANGE : 0);
    a[2] = (a[1] & ZX_VM_SPECIFIC) ? 4096 * fz_below(f, 256) : 0;
    a[4] = 4096 * fz_below(f, 16);
    a[5] = 4096 * (1 + fz_below(f, 16));
    a[6] = (uintptr_t)f->scratch + 8 * fz_below(f, 4);
  } else if (fz_is(c, "vmar_allocate") && fz_chance(f, 50)) {
    a[1] = ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC |
           (fz_chance(f, 30) ? ZX_VM_SPECIFIC : 0);
    a[2] = (a[1] & ZX_VM_SPECIFIC) ? 4096 * fz_below(f, 256) : 0;
    a[3] = 4096 * (1 + fz_below(f, 256));
  } else if ((fz_is(c, "vmar_unmap") || fz_is(c, "vmar_protect") || fz_is(c, "vmar_op_range") ||
              fz_is(c, "process_read_memory") || fz_is(c, "process_write_memory")) &&
             fz_chance(f, 50)) {
    /* Where the child processes' mappings are: the bottom of their address space. */
    int at = fz_is(c, "vmar_protect") || fz_is(c, "vmar_op_range") ? 2 : 1;
    a[at] = 0x200000ull + 4096 * fz_below(f, 1u << 14);
    if (fz_is(c, "vmar_protect")) a[1] = ZX_VM_PERM_READ | (fz_chance(f, 50) ? ZX_VM_PERM_WRITE : 0);
    if (!fz_is(c, "process_read_memory") && !fz_is(c, "process_write_memory"))
      a[at + 1] = 4096 * (1 + fz_below(f, 64));
  }
  f->nmoved = 0;
  if (fz_chance(f, 50)) fz_shape(f, c, a);
  if (fz_is(c, "spawn")) fz_spawn_args(f, a);
  if (fz_chance(f, 10)) fz_fill(f);
  uint64_t* outs = (uint64_t*)f->scratch;
  outs[0] = outs[1] = outs[2] = outs[3] = 0;
  fz_scrub(f);
  int32_t s;
  if (c->fn) {
    s = (int32_t)((zum_fuzz_fn)c->fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
  } else {
    s = (int32_t)f->raw(c->nr, a);
    f->raw_calls++;
  }
  for (uint32_t i = 0; i < f->nmoved; i++)
    for (int k = 0; k < FZ_POOL; k++)
      if (f->pool[k] == f->moved[i] && f->moved[i] != f->job) f->pool[k] = ZX_HANDLE_INVALID;
  f->calls++;
  f->per_call[c - zum_fuzz_calls]++;
  f->per_status[c - zum_fuzz_calls][s <= 0 && s > -63 ? -s : 63]++;
  if (s == ZX_OK) {
    f->ok++;
    f->per_ok[c - zum_fuzz_calls]++;
    /* New handles: where the call was told to write them. */
    uint32_t* slots = (uint32_t*)f->scratch;
    for (int i = 0; i < 8; i++)
      if (slots[i] != ZX_HANDLE_INVALID) fz_pool_add(f, slots[i]);
  }
  return 1;
}

/* The supervisor still answers, and exactly: an event round trip. */
static inline int fz_check(struct fz* f, const char** what) {
  zx_handle_t ev = ZX_HANDLE_INVALID;
  zx_signals_t seen = 0;
  *what = "event_create";
  if (zx_event_create(0, &ev) != ZX_OK || ev == ZX_HANDLE_INVALID) return 0;
  *what = "object_signal";
  if (zx_object_signal(ev, 0, ZX_USER_SIGNAL_0) != ZX_OK) return 0;
  *what = "object_wait_one";
  if (zx_object_wait_one(ev, ZX_USER_SIGNAL_0, 0, &seen) != ZX_OK ||
      (seen & ZX_USER_SIGNAL_0) == 0)
    return 0;
  *what = "object_wait_one (timeout)";
  if (zx_object_wait_one(ev, ZX_USER_SIGNAL_1, zx_deadline_after(ZX_USEC(10)), &seen) !=
      ZX_ERR_TIMED_OUT)
    return 0;
  *what = "handle_close";
  if (zx_handle_close(ev) != ZX_OK) return 0;
  *what = "handle_close (closed)";
  if (zx_handle_close(ev) != ZX_ERR_BAD_HANDLE) return 0;
  (void)f;
  return 1;
}

/* Each batch starts from a job of its own and one object of each kind in the pool, a child
 * process with a thread and a sub-VMAR among them, so calls reach past the handle checks. */
static inline int fz_new_job(struct fz* f) {
  if (zx_job_create(f->parent_job, 0, &f->job) != ZX_OK) return 0;
  fz_pool_add(f, f->job);
  zx_handle_t a, b;
  if (zx_channel_create(0, &a, &b) == ZX_OK) fz_pool_add(f, a), fz_pool_add(f, b);
  if (zx_eventpair_create(0, &a, &b) == ZX_OK) fz_pool_add(f, a), fz_pool_add(f, b);
  if (zx_event_create(0, &a) == ZX_OK) fz_pool_add(f, a);
  if (zx_fifo_create(1 + fz_below(f, 16), 1 + fz_below(f, 64), 0, &a, &b) == ZX_OK)
    fz_pool_add(f, a), fz_pool_add(f, b);
  if (zx_socket_create((uint32_t)fz_below(f, 2), &a, &b) == ZX_OK)
    fz_pool_add(f, a), fz_pool_add(f, b);
  if (zx_clock_create(fz_below(f, 8), NULL, &a) == ZX_OK) fz_pool_add(f, a);
  if (zx_counter_create(0, &a) == ZX_OK) fz_pool_add(f, a);
  if (zx_debuglog_create(ZX_HANDLE_INVALID, 0, &a) == ZX_OK) fz_pool_add(f, a);
  if (zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &a) == ZX_OK)
    fz_pool_add(f, a);
  if (zx_port_create(ZX_PORT_BIND_TO_INTERRUPT, &a) == ZX_OK) fz_pool_add(f, a);
  for (uint32_t i = 0; i < f->nrsrc; i++)
    if (zx_handle_duplicate(f->rsrc[i], ZX_RIGHT_SAME_RIGHTS, &a) == ZX_OK) fz_pool_add(f, a);
  if (zx_port_create(0, &a) == ZX_OK) fz_pool_add(f, a);
  if (zx_timer_create(0, ZX_CLOCK_MONOTONIC, &a) == ZX_OK) fz_pool_add(f, a);
  if (zx_vmo_create(65536, 0, &a) == ZX_OK) fz_pool_add(f, a);
  /* A stream over a resizable VMO of its own, so writes may grow it. */
  if (zx_vmo_create(65536, ZX_VMO_RESIZABLE, &a) == ZX_OK) {
    if (zx_stream_create((uint32_t)fz_below(f, 8), a, fz_below(f, 65536), &b) == ZX_OK)
      fz_pool_add(f, b);
    zx_handle_close(a);
  }
  if (zx_process_create(f->job, "fz", 2, 0, &a, &b) == ZX_OK) {
    fz_pool_add(f, a);
    fz_pool_add(f, b);
    zx_handle_t t, v;
    uintptr_t addr;
    if (zx_thread_create(a, "fzt", 3, 0, &t) == ZX_OK) fz_pool_add(f, t);
    if (zx_vmar_allocate(b, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                         1 << 24, &v, &addr) == ZX_OK)
      fz_pool_add(f, v);
  }
  return 1;
}

static inline void fz_end_batch(struct fz* f) {
  zx_task_kill(f->job); /* every process and job the batch made */
  for (int i = 0; i < FZ_POOL; i++) {
    if (f->pool[i] != ZX_HANDLE_INVALID) zx_handle_close(f->pool[i]);
    f->pool[i] = ZX_HANDLE_INVALID;
  }
  f->job = ZX_HANDLE_INVALID;
  /* Handles the supervisor wrote where the fuzzer does not look (into scratch through a
   * pointer in a structure, say) stay in its table; when enough have piled up, find the
   * aligned ones and close them, so a long run does not grow without bound. */
  if (f->self != ZX_HANDLE_INVALID && fz_handles(f) > f->baseline + 64) {
    uint32_t* w = (uint32_t*)f->scratch;
    for (size_t i = 0; i < FZ_SCRATCH / 4; i++)
      if (w[i] != ZX_HANDLE_INVALID && !fz_protected(f, w[i]) &&
          zx_object_get_info(w[i], ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL) == ZX_OK)
        zx_handle_close(w[i]);
  }
}

/* Sets up the scratch mapping in `root_vmar`: [hole | scratch | hole]. */
static inline int fz_setup(struct fz* f, zx_handle_t root_vmar) {
  zx_handle_t vmo;
  uintptr_t base;
  if (zx_vmar_allocate(root_vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                       0, 2 * FZ_HOLE + FZ_SCRATCH, &f->scratch_vmar, &base) != ZX_OK)
    return 0;
  if (zx_vmo_create(FZ_SCRATCH, 0, &vmo) != ZX_OK) return 0;
  zx_vaddr_t at;
  zx_status_t s = zx_vmar_map(f->scratch_vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC,
                              FZ_HOLE, vmo, 0, FZ_SCRATCH, &at);
  zx_handle_close(vmo);
  if (s != ZX_OK) return 0;
  f->scratch = (uint8_t*)at;
  fz_protect(f, f->scratch_vmar);
  fz_protect(f, root_vmar);
  return 1;
}

/* Runs `ncalls` calls from `seed`; says what it did. 0: the supervisor answered throughout. */
static inline int fz_run(struct fz* f, uint64_t seed, uint64_t ncalls) {
  char line[256], *p;
  f->rng = seed;
  uint64_t batches = 0;
  if (f->self != ZX_HANDLE_INVALID) f->baseline = fz_handles(f);
  while (f->calls < ncalls) {
    if (!fz_new_job(f)) {
      f->say("fuzz: FAIL: cannot create the batch's job");
      return 1;
    }
    for (int i = 0; i < FZ_BATCH && f->calls < ncalls; i++)
      if (!fz_one(f)) f->skipped++;
    fz_end_batch(f);
    batches++;
    if (f->after_batch) f->after_batch(f, batches);
    const char* what;
    if (!fz_check(f, &what)) {
      p = fz_puts(line, "fuzz: FAIL: after batch ");
      p = fz_putu(p, batches);
      p = fz_puts(p, " (seed ");
      p = fz_putu(p, seed);
      p = fz_puts(p, ", call ");
      p = fz_putu(p, f->calls);
      p = fz_puts(p, ") the supervisor's answer to ");
      fz_puts(p, what);
      f->say(line);
      return 1;
    }
  }
  p = fz_puts(line, "fuzz: seed ");
  p = fz_putu(p, seed);
  p = fz_puts(p, ": ");
  p = fz_putu(p, f->calls);
  p = fz_puts(p, " calls (");
  p = fz_putu(p, f->ok);
  p = fz_puts(p, " ZX_OK), ");
  p = fz_putu(p, batches);
  fz_puts(p, " batches, supervisor answered after each");
  f->say(line);
  (void)fz_puti;
  return 0;
}

#endif
