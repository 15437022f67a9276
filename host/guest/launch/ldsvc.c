/* The loader service (ldsvc.h). Wire format (FIDL): a request is a 16-byte header (txid u32,
 * flags and magic, ordinal u64) then, for LoadObject and Config, a string header (u64 size,
 * u64 all-ones "present") and the bytes padded to 8; Clone carries one handle (u32 all-ones,
 * padded to 8); Done has no body and no reply. A reply is the header echoed, an int32 status and
 * a u32 that is all-ones when a VMO handle follows. A request that breaks the format closes its
 * connection, as a FIDL server does; a well-formed request for a name that cannot be served is
 * answered with a status. */
#include "host/guest/launch/ldsvc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "host/guest/launch/file_vmo.h"

#define HEADER_SIZE 16u
#define STRING_HEADER_SIZE 16u
#define PRESENT64 UINT64_MAX
#define PRESENT32 UINT32_MAX

void ldsvc_init(struct ldsvc* l, const struct sysroot* search) {
  memset(l, 0, sizeof(*l));
  l->search = search;
  const char* t = getenv("ZUM_LDSVC_TRACE");
  l->trace = t && *t && strcmp(t, "0") != 0;
}

static bool add_conn(struct ldsvc* l, zx_handle_t ch) {
  if (l->nconns == LDSVC_MAX_CONNECTIONS) return false;
  l->conns[l->nconns++] = (struct ldsvc_conn){.ch = ch};
  return true;
}

static void drop_conn(struct ldsvc* l, size_t i) {
  zx_handle_close(l->conns[i].ch);
  l->conns[i] = l->conns[--l->nconns];
}

zx_status_t ldsvc_connect(struct ldsvc* l, zx_handle_t* client) {
  zx_handle_t server;
  zx_status_t s = zx_channel_create(0, &server, client);
  if (s != ZX_OK) return s;
  if (!add_conn(l, server)) {
    zx_handle_close(server);
    zx_handle_close(*client);
    return ZX_ERR_NO_RESOURCES;
  }
  return ZX_OK;
}

/* A name the service may look up: one path component (no '/', not "." or ".."), no NUL. */
static bool plain_name(const char* name, size_t len) {
  if (len == 0 || memchr(name, '\0', len) || memchr(name, '/', len)) return false;
  return !(len == 1 && name[0] == '.') && !(len == 2 && name[0] == '.' && name[1] == '.');
}

/* Looks `rel` (a checked relative name, possibly "PREFIX/NAME") up in the search path. */
static zx_status_t find_in_dirs(struct ldsvc* l, const char* rel, const char* base,
                                zx_handle_t* vmo) {
  zx_status_t first_error = ZX_ERR_NOT_FOUND;
  for (size_t i = 0; i < l->search->ndirs; i++) {
    const char* dir = l->search->dirs[i];
    size_t n = strlen(dir) + 1 + strlen(rel) + 1;
    char* path = malloc(n);
    if (!path) return ZX_ERR_NO_MEMORY;
    snprintf(path, n, "%s/%s", dir, rel);
    zx_status_t s = file_vmo_open(path, base, vmo);
    free(path);
    if (s == ZX_OK) return ZX_OK;
    if (s != ZX_ERR_NOT_FOUND && first_error == ZX_ERR_NOT_FOUND) first_error = s;
  }
  return first_error;
}

static zx_status_t load_object(struct ldsvc* l, const struct ldsvc_conn* c, const char* name,
                               size_t len, zx_handle_t* vmo) {
  if (len > LDSVC_MAX_NAME || !plain_name(name, len)) return ZX_ERR_INVALID_ARGS;
  if (c->prefix[0]) {
    char rel[LDSVC_MAX_PREFIX + LDSVC_MAX_NAME + 1];
    size_t pl = strnlen(c->prefix, LDSVC_MAX_PREFIX - 1);
    memcpy(rel, c->prefix, pl);
    memcpy(rel + pl, name, len); /* len <= LDSVC_MAX_NAME: checked by the caller */
    rel[pl + len] = '\0';
    zx_status_t s = find_in_dirs(l, rel, name, vmo);
    if (s == ZX_OK || c->exclusive) return s;
  }
  return find_in_dirs(l, name, name, vmo);
}

/* Config(NAME): later LoadObject(X) tries NAME/X first; NAME! tries only that. */
static zx_status_t config(struct ldsvc_conn* c, const char* name, size_t len) {
  bool exclusive = len > 0 && name[len - 1] == '!';
  size_t n = exclusive ? len - 1 : len;
  if (len < 2 || n + 2 > sizeof(c->prefix) || !plain_name(name, n)) return ZX_ERR_INVALID_ARGS;
  memcpy(c->prefix, name, n);
  c->prefix[n] = '/';
  c->prefix[n + 1] = '\0';
  c->exclusive = exclusive;
  return ZX_OK;
}

static uint64_t get64(const uint8_t* p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}
static uint32_t get32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static zx_status_t reply(zx_handle_t ch, const uint8_t* header, zx_status_t rv, zx_handle_t vmo) {
  uint8_t r[LDSVC_REPLY_SIZE] = {0};
  memcpy(r, header, HEADER_SIZE);
  uint32_t present = vmo != ZX_HANDLE_INVALID ? PRESENT32 : 0;
  memcpy(r + 16, &rv, 4);
  memcpy(r + 20, &present, 4);
  return zx_channel_write(ch, 0, r, sizeof(r), vmo != ZX_HANDLE_INVALID ? &vmo : NULL,
                          vmo != ZX_HANDLE_INVALID ? 1 : 0);
}

static void trace(const struct ldsvc* l, const char* what, const char* name, size_t len,
                  zx_status_t s) {
  if (!l->trace) return;
  fprintf(stderr, "zum-launch: ldsvc %s '%.*s': %s\n", what, (int)(len > 200 ? 200 : len),
          name ? name : "", zx_status_get_string(s));
}

/* Handles one request read from connection i. False: drop the connection. */
static bool handle(struct ldsvc* l, size_t i, uint8_t* msg, uint32_t nbytes, zx_handle_t* hs,
                   uint32_t nhandles) {
  struct ldsvc_conn* c = &l->conns[i];
  if (nbytes < HEADER_SIZE || nbytes > LDSVC_MAX_REQUEST) return false;
  uint64_t ordinal = get64(msg + 8);
  if (ordinal == LDSVC_ORDINAL_CLONE) {
    if (nbytes != HEADER_SIZE + 8 || nhandles != 1 || get32(msg + 16) != PRESENT32) return false;
    zx_info_handle_basic_t b;
    if (zx_object_get_info(hs[0], ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL) != ZX_OK ||
        b.type != ZX_OBJ_TYPE_CHANNEL)
      return false;
    zx_status_t rv = ZX_OK;
    if (!add_conn(l, hs[0])) {
      zx_handle_close(hs[0]);
      rv = ZX_ERR_NO_RESOURCES;
    }
    trace(l, "Clone", NULL, 0, rv);
    return reply(c->ch, msg, rv, ZX_HANDLE_INVALID) == ZX_OK;
  }
  if (nhandles != 0) return false;
  if (ordinal == LDSVC_ORDINAL_DONE) {
    trace(l, "Done", NULL, 0, ZX_OK);
    return false; /* no reply: the client is finished with this connection */
  }
  if (ordinal != LDSVC_ORDINAL_LOAD_OBJECT && ordinal != LDSVC_ORDINAL_CONFIG) return false;
  if (nbytes < HEADER_SIZE + STRING_HEADER_SIZE || get64(msg + 24) != PRESENT64) return false;
  uint64_t len = get64(msg + 16);
  if (len > LDSVC_MAX_NAME || nbytes != ((HEADER_SIZE + STRING_HEADER_SIZE + len + 7) & ~7ull))
    return false;
  /* The string need not end in a NUL; the buffer has room for one past any valid request. */
  char* name = (char*)msg + HEADER_SIZE + STRING_HEADER_SIZE;
  bool embedded_nul = memchr(name, '\0', len) != NULL;
  name[len] = '\0';
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_status_t rv;
  if (embedded_nul) {
    rv = ZX_ERR_INVALID_ARGS;
    trace(l, ordinal == LDSVC_ORDINAL_CONFIG ? "Config" : "LoadObject", name, strlen(name), rv);
  } else if (ordinal == LDSVC_ORDINAL_CONFIG) {
    rv = config(c, name, len);
    trace(l, "Config", name, len, rv);
  } else {
    rv = load_object(l, c, name, len, &vmo);
    trace(l, "LoadObject", name, len, rv);
  }
  return reply(c->ch, msg, rv, vmo) == ZX_OK;
}

/* Reads and handles one message of connection i. False: drop it. */
static bool serve_one(struct ldsvc* l, size_t i) {
  /* Room for any message a channel can carry, so nothing stays queued unread. */
  static uint8_t msg[ZX_CHANNEL_MAX_MSG_BYTES];
  zx_handle_t hs[ZX_CHANNEL_MAX_MSG_HANDLES];
  uint32_t nbytes = 0, nhandles = 0;
  zx_status_t s = zx_channel_read(l->conns[i].ch, 0, msg, hs, sizeof(msg),
                                  ZX_CHANNEL_MAX_MSG_HANDLES, &nbytes, &nhandles);
  if (s != ZX_OK) return false;
  bool keep = handle(l, i, msg, nbytes, hs, nhandles);
  if (!keep) {
    /* A handle the request carried is ours to close, unless Clone kept it. */
    for (uint32_t h = 0; h < nhandles; h++) {
      bool kept = false;
      for (size_t c = 0; c < l->nconns; c++) kept |= l->conns[c].ch == hs[h];
      if (!kept) zx_handle_close(hs[h]);
    }
  }
  return keep;
}

size_t ldsvc_wait_items(const struct ldsvc* l, zx_wait_item_t* items) {
  for (size_t i = 0; i < l->nconns; i++)
    items[i] = (zx_wait_item_t){.handle = l->conns[i].ch,
                                .waitfor = ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED};
  return l->nconns;
}

void ldsvc_handle(struct ldsvc* l, const zx_wait_item_t* items, size_t n) {
  /* Backwards: dropping connection i moves the last one into its place. */
  for (size_t i = n; i-- > 0;) {
    zx_signals_t p = items[i].pending;
    if (p & ZX_CHANNEL_READABLE) {
      if (!serve_one(l, i)) drop_conn(l, i);
    } else if (p & ZX_CHANNEL_PEER_CLOSED) {
      drop_conn(l, i);
    }
  }
}

void ldsvc_close(struct ldsvc* l) {
  while (l->nconns) drop_conn(l, l->nconns - 1);
}
