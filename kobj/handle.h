/* Handles and handle tables. A handle is a (object, rights) pair owned by one table, or by a
 * channel message while in flight. Values follow Zircon's encoding: the two low bits are always
 * set and each table XORs in its own random secret, so values are not predictable across
 * processes and a value from one process is useless in another. */
#ifndef ZUM_KOBJ_HANDLE_H_
#define ZUM_KOBJ_HANDLE_H_

#include <stdint.h>
#include <zircon/types.h>

#include "kobj/list.h"
#include "kobj/object.h"

/* System-wide handle arena size, as Zircon's kMaxHandleCount. */
#define KHANDLE_ARENA_SIZE (256u * 1024u)

struct khtable;

struct khandle {
  struct kobj* obj;
  zx_rights_t rights;
  struct khtable* table; /* NULL while in flight in a message */
  uint32_t base_value;   /* arena index | generation << 18 */
  struct list_node node; /* in table->handles */
  struct kjob* charged;  /* the job charged for it, referenced (kobj/quota.h); NULL: none */
};

struct khtable {
  uint32_t mixer; /* random secret << 2 */
  uint32_t count;
  uint32_t refs;  /* shared processes share one table */
  struct list_node handles;
};

struct khtable* khtable_create(void);
void khtable_ref(struct khtable* t);
/* Drops a reference; the last one closes every handle still in the table. */
void khtable_unref(struct khtable* t);
/* Closes every handle in the table (process death). */
void khtable_close_all(struct khtable* t);

/* Makes a new handle (not yet in any table). Takes a handle-count and a reference on obj.
 * NULL when the arena is exhausted. Handles a guest's call makes are charged to its job
 * (khandle_create_charged; kobj/quota.h) until destroyed, wherever they travel; this one is the
 * supervisor's own (startup handles it hands out, tests). */
struct khandle* khandle_create(struct kobj* obj, zx_rights_t rights);
struct kjob;
/* The same, charged to job: NULL as well when the job may hold no more handles. */
struct khandle* khandle_create_charged(struct kjob* job, struct kobj* obj, zx_rights_t rights);
/* Puts h into t and returns its value there. */
zx_handle_t khandle_attach(struct khtable* t, struct khandle* h);
/* Takes h out of its table (for transfer); h keeps its object. */
void khandle_detach(struct khandle* h);
/* Destroys h (detaching it first if needed): cancels waits made through it, drops the object's
 * handle count (running on_zero_handles at zero) and reference. */
void khandle_destroy(struct khandle* h);

/* The handle with this value in t, or NULL (ZX_ERR_BAD_HANDLE). */
struct khandle* khandle_lookup(const struct khtable* t, zx_handle_t value);
zx_handle_t khandle_value(const struct khtable* t, const struct khandle* h);

/* Handles currently in use system-wide (for leak checks in tests). */
uint32_t khandle_live_count(void);

#endif
