/* nanosleep: park the caller until the deadline. */
#include <stdlib.h>

#include "kobj/deadline.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

struct sleeper {
  struct kcall* call;
  struct kdeadline deadline;
};

static void sleep_done(struct kdeadline* d) {
  struct sleeper* s = container_of(d, struct sleeper, deadline);
  struct kcall* c = s->call;
  free(s);
  kcall_complete(c, ZX_OK);
}

static void sleep_abandon(struct kcall* c) {
  struct sleeper* s = c->park_state;
  kdeadline_cancel(&s->deadline);
  free(s);
}

int64_t sys_nanosleep(struct kcall* c, zx_instant_mono_t deadline) {
  if (deadline <= kobj_now()) return ZX_OK;
  struct sleeper* s = calloc(1, sizeof(*s));
  if (!s) return ZX_ERR_NO_MEMORY;
  s->call = c;
  kdeadline_init(&s->deadline, sleep_done);
  /* ZX_TIME_INFINITE sleeps forever: no deadline is armed, only kill ends it. */
  if (deadline != ZX_TIME_INFINITE && !kdeadline_arm(&s->deadline, deadline)) {
    free(s);
    return ZX_ERR_NO_MEMORY;
  }
  if (c->thread) c->thread->blocked_state = ZX_THREAD_STATE_BLOCKED_SLEEPING;
  return kcall_park(c, sleep_abandon, s);
}
