/* Events and event pairs: objects that are nothing but signals. */
#ifndef ZUM_KOBJ_EVENT_H_
#define ZUM_KOBJ_EVENT_H_

#include "kobj/object.h"

struct keventpair {
  struct kobj base;
  struct keventpair* peer; /* NULL once the peer's last handle is gone */
};

extern const struct kobj_ops kevent_ops, keventpair_ops;

struct kobj* kevent_create(void);
/* Makes a connected pair; both are returned with one reference each. */
int keventpair_create(struct kobj** a, struct kobj** b);

#endif
