/* The futex table: every futex that has waiters, its wait queue and its owner (Zircon's
 * FutexContext, kernel/object/futex_context.cc). The calls are in kobj/sys_futex.c.
 *
 * A futex is named by a key: a context and a guest address. The context is the process for
 * private addresses, and the process's group (struct kshare) for addresses in a shared region,
 * so the members of a zx_process_create_shared group meet in the same futexes there (sys_futex.c
 * picks the context). One table serves every context: a futex exists only while it has waiters
 * (Zircon: "futexes without waiters are not permitted to have owners", so an owner never keeps
 * one alive either), and is freed with its last waiter. A waiter is part of a parked call: the
 * table never completes a call itself, it calls the waiter's `woken` hook once the waiter is
 * out of every queue.
 *
 * The supervisor runs one call at a time, so nothing here needs a lock, and what a call reads
 * and changes (the guest's futex value, the queues) cannot change under it. */
#ifndef ZUM_KOBJ_FUTEX_H_
#define ZUM_KOBJ_FUTEX_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

#include "kobj/list.h"

struct kthread;
struct kfutex;

struct kfutex_waiter {
  struct list_node node;   /* in futex->waiters, oldest first */
  struct kfutex* futex;    /* the futex it waits in now (a requeue moves it); NULL once woken */
  struct kthread* thread;  /* the waiting thread (may be NULL) */
  /* Woken by a wake or requeue: the waiter is already out of every queue. */
  void (*woken)(struct kfutex_waiter* w);
};

struct kfutex {
  struct kfutex* next;          /* hash chain */
  const void* ctx;              /* the key: context and address */
  uint64_t addr;
  struct list_node waiters;     /* never empty while the futex exists */
  size_t num_waiters;
  struct kthread* owner;        /* referenced; NULL if none */
  struct list_node owner_node;  /* in owner->futexes_owned */
};

/* The futex with this key, or NULL if nobody waits there. */
struct kfutex* kfutex_find(const void* ctx, uint64_t addr);

/* Queues w (its thread set by the caller) at the tail of the futex with this key, making the
 * futex if it has no waiters yet, and gives the futex `owner` (NULL: no owner), as Zircon's
 * BlockAndAssignOwner. NO_MEMORY leaves everything as it was. */
zx_status_t kfutex_wait(const void* ctx, uint64_t addr, struct kfutex_waiter* w,
                        struct kthread* owner);

/* Takes w out of its queue (timeout, cancel, thread death). A futex left without waiters loses
 * its owner and is freed. */
void kfutex_leave(struct kfutex_waiter* w);

/* Sets f's owner (NULL: none). f has waiters, by the table's rule. */
void kfutex_set_owner(struct kfutex* f, struct kthread* owner);

/* Wakes up to wake_count of from's oldest waiters (UINT32_MAX: all), then moves up to
 * requeue_count of the rest, oldest first, to the futex keyed (to_ctx, to_addr) (nothing moves
 * when to_ctx is NULL). Owners afterwards: from's is the thread woken first if assign_woken and
 * waiters remain, else none; the target's is to_owner if it has waiters, else none. `from` may
 * be NULL (no waiters): then only the target's owner changes. Every woken waiter's hook runs
 * after the queues are settled. NO_MEMORY (nothing changed) if the target could not be made.
 * The work is bounded by the waiters that exist, never by the counts. */
zx_status_t kfutex_requeue(struct kfutex* from, uint32_t wake_count, bool assign_woken,
                           const void* to_ctx, uint64_t to_addr, uint32_t requeue_count,
                           struct kthread* to_owner);

/* Thread t is dead: it owns nothing any more (Zircon releases a dying thread's queues). */
void kfutex_thread_exit(struct kthread* t);

/* How many futexes exist (for tests). */
size_t kfutex_count(void);

#endif
