/* The generated description of every trapped call (kcall-table.c, from abi/syscalls.txt). */
#ifndef ZUM_KOBJ_KCALL_TABLE_H_
#define ZUM_KOBJ_KCALL_TABLE_H_

#include <stdint.h>
#include <zum/sysno.h>

#include "kobj/kcall.h"

enum zum_arg_kind {
  ZUM_ARG_UNSIGNED,
  ZUM_ARG_SIGNED,
  ZUM_ARG_HEX,
  ZUM_ARG_PTR,
  ZUM_ARG_HANDLE,
  ZUM_ARG_SIGNALS,
  ZUM_ARG_RIGHTS,
  ZUM_ARG_TIME,
  ZUM_ARG_DURATION,
  ZUM_ARG_TOPIC,
  ZUM_ARG_PROPERTY,
  ZUM_ARG_KOID,
};

#define KCALL_BLOCKING 1u
#define KCALL_NORETURN 2u
#define KCALL_PRIVATE 4u
#define KCALL_WORK 8u
#define KCALL_HOSTED_ONLY 16u /* refused to pure processes */
#define KCALL_PURE_ONLY 32u   /* refused to hosted processes */
/* Six values, the first two of 32 bits: both in the first register (low, high half), the rest
 * in the next four, the tag in the sixth (abi/gen_syscalls.py, packs_first_two). */
#define KCALL_PACKED 64u

struct kcall_arg_desc {
  const char* name;
  enum zum_arg_kind kind;
};

struct kcall_desc {
  const char* name;
  uint8_t nargs;
  uint8_t flags;
  uint8_t returns_status;
  struct kcall_arg_desc args[8];
};

typedef int64_t (*kcall_handler_fn)(struct kcall* c);

extern const struct kcall_desc kcall_table[ZUM_SYS_COUNT];
extern const kcall_handler_fn kcall_handlers[ZUM_SYS_COUNT];

/* Runs c (c->nr is already an index into the table, c->args[0..5] the registers). Fetches
 * arguments 7 and 8 from guest memory for calls that have them. Returns the result or
 * KCALL_PARKED. A call the caller's kind of process may not make (KCALL_HOSTED_ONLY,
 * KCALL_PURE_ONLY) is an invalid system call: the caller dies of the policy exception
 * (KCALL_NOREPLY). */
int64_t kcall_dispatch(struct kcall* c);

#endif
