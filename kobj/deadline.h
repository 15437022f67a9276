/* Pending deadlines (wait timeouts, timers, nanosleep) in a binary min-heap. The supervisor's
 * loop arms one host timer for the earliest and calls kdeadline_run when it fires. */
#ifndef ZUM_KOBJ_DEADLINE_H_
#define ZUM_KOBJ_DEADLINE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kdeadline {
  int64_t when;
  void (*fire)(struct kdeadline* d);
  size_t heap_index; /* SIZE_MAX when not armed */
};

void kdeadline_init(struct kdeadline* d, void (*fire)(struct kdeadline*));
/* Arms (or re-arms) d for `when`; returns false only when out of memory. */
bool kdeadline_arm(struct kdeadline* d, int64_t when);
void kdeadline_cancel(struct kdeadline* d);
static inline bool kdeadline_armed(const struct kdeadline* d) { return d->heap_index != SIZE_MAX; }
/* The earliest armed deadline, or INT64_MAX. */
int64_t kdeadline_next(void);
/* Fires every deadline at or before now (each is disarmed before its fire runs). */
void kdeadline_run(int64_t now);
size_t kdeadline_count(void);

#endif
