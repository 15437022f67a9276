/* Suspend tokens (Zircon's SuspendTokenDispatcher): each open token keeps one thread suspended;
 * closing the last handle to a token lets the thread go on once no other token names it. */
#ifndef ZUM_KOBJ_SUSPEND_H_
#define ZUM_KOBJ_SUSPEND_H_

#include "kobj/object.h"
#include "kobj/task.h"

/* A token suspending t (not the caller's own thread): the host is asked to stop it if it was not
 * already suspended; t becomes SUSPENDED when its stub reports (sys_thread_suspended). Returns it
 * with one reference for the caller, or NULL with *err: NOT_SUPPORTED (t is a hosted process's,
 * has not started, or the host cannot stop threads), NO_MEMORY, or the host's failure as
 * BAD_STATE (the thread is gone). */
struct kobj* ksuspend_thread(struct kthread* t, zx_status_t* err);

#endif
