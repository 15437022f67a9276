/* zum-launch's loader service: fuchsia.ldsvc.Loader, served to a process started through a
 * Fuchsia ld.so for the whole life of that process (so dlopen works after start-up too).
 *
 * It runs in zum-launch's main loop, which waits on the process and every loader connection
 * together (zx_object_wait_many): zum-launch has nothing else to do while the program runs, and
 * one loop needs no locks and no second Zircon thread in the hosted program. Every request is
 * guest input: sizes, names and handles are checked before anything is opened. */
#ifndef ZUM_LAUNCH_LDSVC_H_
#define ZUM_LAUNCH_LDSVC_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

#include "host/guest/launch/sysroot.h"

/* The protocol's ordinals (FIDL method hashes of fuchsia.ldsvc/Loader.*). */
#define LDSVC_ORDINAL_DONE 0x63ba6b76d3671001ull
#define LDSVC_ORDINAL_LOAD_OBJECT 0x48c5a151d6df2853ull
#define LDSVC_ORDINAL_CONFIG 0x6a8a1a1464632841ull
#define LDSVC_ORDINAL_CLONE 0x57e643a9ab6e4c29ull

/* Zircon's ld.so and loader services keep requests within 1024 bytes: a 16-byte header, a
 * 16-byte string header, and names of at most 991 bytes (one byte stays free for a NUL). */
#define LDSVC_MAX_REQUEST 1024u
#define LDSVC_MAX_NAME 991u
#define LDSVC_REPLY_SIZE 24u
/* Open connections at once (the first one and its clones). */
#define LDSVC_MAX_CONNECTIONS 32u
/* A Config prefix (a subdirectory name of the library directories, e.g. "asan"). */
#define LDSVC_MAX_PREFIX 64u

struct ldsvc_conn {
  zx_handle_t ch;
  char prefix[LDSVC_MAX_PREFIX];  /* "" or "NAME/" */
  bool exclusive;                 /* Config "NAME!": only the prefixed name is tried */
};

struct ldsvc {
  const struct sysroot* search;
  struct ldsvc_conn conns[LDSVC_MAX_CONNECTIONS];
  size_t nconns;
  bool trace;  /* ZUM_LDSVC_TRACE set: one line per request on stderr */
};

void ldsvc_init(struct ldsvc* l, const struct sysroot* search);

/* A new connection: the server end stays here, the client end goes to the process
 * (PA_LDSVC_LOADER). */
zx_status_t ldsvc_connect(struct ldsvc* l, zx_handle_t* client);

/* The connections to wait on (at most LDSVC_MAX_CONNECTIONS items); returns how many. */
size_t ldsvc_wait_items(const struct ldsvc* l, zx_wait_item_t* items);

/* Serves the connections the n items of the last ldsvc_wait_items (now waited on) show ready. */
void ldsvc_handle(struct ldsvc* l, const zx_wait_item_t* items, size_t n);

/* Closes every connection (the process has ended). */
void ldsvc_close(struct ldsvc* l);

#endif
