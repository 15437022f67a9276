/* Calls a Linux signal interrupted: every Zircon call runs exactly once and its caller gets its
 * real status, whatever signals its thread receives (DESIGN.md section 10, "Interrupted calls").
 *
 * A signal can take a trapped thread off its wait at any moment: before the supervisor answers
 * (the answer then finds nobody, NOTIF_SEND says ENOENT) or even after (the thread was woken by
 * the signal while the answer was being written: NOTIF_SEND succeeds, the thread never sees it).
 * The thread then issues the identical trap again: Linux restarts it (no handler, SA_RESTART) or
 * the trap site does (a handler without SA_RESTART makes the trap return -EINTR), possibly after
 * a handler made calls of its own. So the supervisor cannot know whether an answer arrived; the
 * guest tells it instead: every trap carries a tag, a value the trap site takes fresh for each
 * new call (the time-stamp counter) and keeps when it issues the same call again. A call whose
 * thread, number, registers and tag equal one already answered is that call again: it gets the
 * recorded answer; one equal to a parked call takes that call over. */
#ifndef ZUM_KOBJ_RESTART_H_
#define ZUM_KOBJ_RESTART_H_

#include <stdbool.h>
#include <stdint.h>

struct kcall;
struct kthread;

/* The request was handed to the parked call it restarts: the transport frees it without an
 * answer (the parked call answers under the new request id). */
#define KCALL_ADOPTED (INT64_MIN + 2)

/* How many answers a thread keeps, and how many parked calls it may leave behind in signal
 * handlers (one per nesting level). Both bound what a guest can make the supervisor hold:
 * a thread's records live in its kthread and go with it. */
#define KTHREAD_ANSWERS 16
#define KTHREAD_INTERRUPTED 8

struct kanswer {
  bool valid;
  bool lost;     /* its NOTIF_SEND failed: the thread certainly did not get it */
  uint32_t nr;
  uint64_t tag;
  uint64_t seq;  /* order of recording, per thread */
  uint64_t regs[6];
  int64_t result;
};

/* Before a tagged call runs: KCALL_ADOPTED, a recorded answer to send as the result (*hit set),
 * or (nothing found) 0 with *hit clear, after which the call is new and runs. A new call while
 * the thread has a parked call means a signal handler interrupted that one: it stays parked
 * (among the thread's interrupted calls) until its own restart arrives. */
int64_t krestart_check(struct kcall* c, bool* hit);
/* After an answer was sent (lost: NOTIF_SEND said the thread was gone): keep it for a restart. */
void krestart_record(struct kcall* c, bool lost);
/* A call parks (kcall_park). */
void krestart_park(struct kcall* c);
/* A parked call finishes or is abandoned: it is no longer the thread's. */
void krestart_unpark(struct kcall* c);
/* The thread dies or its process is killed: abandons every call it has parked. */
void krestart_abandon_all(struct kthread* t);

#endif
