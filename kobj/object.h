/* The base of every kernel object: koid, reference and handle counts, signals and observers.
 * Like Zircon's Dispatcher. The supervisor is single-threaded, so nothing here locks. */
#ifndef ZUM_KOBJ_OBJECT_H_
#define ZUM_KOBJ_OBJECT_H_

#include <stdbool.h>
#include <stdint.h>
#include <zircon/types.h>

#include "host/platform.h"
#include "kobj/list.h"

struct kobj;
struct khandle;

struct kobj_ops {
  zx_obj_type_t type;
  const char* name;
  /* Rights of a fresh handle to an object of this type. */
  zx_rights_t default_rights;
  /* Signals object_signal may set or clear besides the user signals. */
  zx_signals_t allowed_signals;
  /* Objects that cannot be waited on (ports, VMARs...): waits and signals are NOT_SUPPORTED. */
  bool not_waitable;
  /* The last handle went away (the object may live on through internal references). */
  void (*on_zero_handles)(struct kobj* o);
  /* A handle went away and others remain (optional; channels use it to collect cycles). */
  void (*on_handle_removed)(struct kobj* o);
  /* The last reference went away: free it. */
  void (*destroy)(struct kobj* o);
  /* The koid of the related object reported by ZX_INFO_HANDLE_BASIC (peer, parent), or 0. */
  zx_koid_t (*related_koid)(struct kobj* o);
  /* The peer for object_signal_peer, or NULL when the peer is gone. NULL op: not peered. */
  struct kobj* (*peer)(struct kobj* o);
};

struct kobj {
  const struct kobj_ops* ops;
  zx_koid_t koid;
  uint32_t refs;
  uint32_t handle_count;
  zx_signals_t signals;
  struct list_node observers;
  char name[ZX_MAX_NAME_LEN];
};

/* Watches an object's signals on behalf of a wait (wait_one, wait_many, wait_async). */
struct kobserver {
  struct list_node node;
  struct kobj* obj;
  /* The handle the wait was made through: closing it cancels the wait. May be NULL. */
  const struct khandle* handle;
  zx_signals_t watched;
  /* Called when one of the object's signals becomes active while any watched signal is asserted
   * (and once immediately from kobj_observe if already asserted). Returns true to be removed,
   * in which case it may free the observer (it is already unlinked). Must not unlink other
   * observers of the same object: defer such work (kobj_defer). */
  bool (*on_signals)(struct kobserver* o, zx_signals_t signals);
  /* The handle was closed, or the object is being torn down: the observer has been removed. */
  void (*on_cancel)(struct kobserver* o);
};

void kobj_init(struct kobj* o, const struct kobj_ops* ops, zx_signals_t initial_signals);
zx_koid_t kobj_next_koid(void);

static inline void kobj_ref(struct kobj* o) { o->refs++; }
void kobj_unref(struct kobj* o);

/* Clears then sets signals; observers whose watched signals become asserted are told. */
void kobj_signal(struct kobj* o, zx_signals_t clear, zx_signals_t set);
/* The same, and `pulse` is asserted for the observers told now without being kept (Zircon's
 * UpdateState with a pulse: ZX_CLOCK_UPDATED). */
void kobj_signal_pulse(struct kobj* o, zx_signals_t clear, zx_signals_t set, zx_signals_t pulse);

/* Adds an observer. If a watched signal is already asserted, on_signals runs now, and if it
 * returns true the observer is not added. Returns true when the observer stays attached. */
bool kobj_observe(struct kobj* o, struct kobserver* ob);
void kobj_unobserve(struct kobserver* ob);
/* Cancels every observer attached through `handle` (the handle is being closed). */
void kobj_cancel_handle_observers(struct kobj* o, const struct khandle* handle);

/* Work that must not run inside a signal walk (it would unlink other observers of the same
 * object): queued here and run by kobj_run_deferred() once the walk is over. */
struct kdeferred {
  struct list_node node;
  void (*run)(struct kdeferred* d);
};
void kobj_defer(struct kdeferred* d);
void kobj_undefer(struct kdeferred* d);
void kobj_run_deferred(void);

/* Zircon's name rule: at most ZX_MAX_NAME_LEN-1 characters, cut at the first NUL. */
void kobj_set_name(struct kobj* o, const char* name, size_t len);

/* The kernel's clocks (nanoseconds), from the platform: Zircon's monotonic clock, and its boot
 * clock (monotonic time plus time suspended). */
static inline int64_t kobj_now(void) { return platform->now(); }
static inline int64_t kobj_boot_now(void) {
  return platform->boot_now ? platform->boot_now() : platform->now();
}

#endif
