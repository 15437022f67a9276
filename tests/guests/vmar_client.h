/* The client side of tests/helpers/vmar_helper, shared by the guests that drive it: where the
 * helper is, and one request/reply over its channel (protocol in vmar_proto.h). Include after
 * guest_test.h. */
#ifndef ZUM_TESTS_GUESTS_VMAR_CLIENT_H_
#define ZUM_TESTS_GUESTS_VMAR_CLIENT_H_

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zum/zum.h>

#include "vmar_proto.h"

static const char* helper_path(void) { return guest_helper_path("vmar_helper"); }

/* Sends a request and waits for the reply; returns its length. */
static uint32_t ask(zx_handle_t ch, uint32_t op, uint64_t addr, const void* data, uint64_t len,
                    char* reply) {
  uint8_t msg[sizeof(struct vmar_req) + VMAR_PROTO_MAX];
  struct vmar_req req = {.op = op, .addr = addr, .len = len};
  memcpy(msg, &req, sizeof(req));
  uint32_t n = sizeof(req);
  if (data) {
    memcpy(msg + n, data, len);
    n += (uint32_t)len;
  }
  CHECK_EQ(zx_channel_write(ch, 0, msg, n, NULL, 0), ZX_OK);
  if (op == VMAR_REQ_EXIT) return 0;
  zx_signals_t seen = 0;
  CHECK_EQ(zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, &seen), ZX_OK);
  uint32_t nb = 0, nh = 0;
  CHECK_EQ(zx_channel_read(ch, 0, reply, NULL, VMAR_PROTO_MAX, 0, &nb, &nh), ZX_OK);
  reply[nb < VMAR_PROTO_MAX ? nb : VMAR_PROTO_MAX - 1] = 0;
  return nb;
}

/* Starts vmar_helper (a hosted process that hands over its root VMAR and then serves requests
 * on the channel); *ch is our end, *proc its process. Returns its root VMAR, or INVALID. */
static zx_handle_t start_vmar_helper(zx_handle_t* proc, zx_handle_t* ch) {
  zx_handle_t theirs;
  *proc = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_channel_create(0, ch, &theirs), ZX_OK);
  const char* argv[] = {"vmar_helper", NULL};
  uint32_t info = PA_HND(PA_USER0, 0);
  zx_status_t s = zum_spawn(zx_job_default(), helper_path(), argv, &theirs, &info, 1, proc);
  CHECK_EQ(s, ZX_OK);
  if (s != ZX_OK) return ZX_HANDLE_INVALID;
  zx_signals_t seen = 0;
  CHECK_EQ(zx_object_wait_one(*ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, &seen), ZX_OK);
  zx_handle_t vmar = ZX_HANDLE_INVALID;
  uint32_t nb = 0, nh = 0;
  CHECK_EQ(zx_channel_read(*ch, 0, NULL, &vmar, 0, 1, &nb, &nh), ZX_OK);
  CHECK_EQ(nh, 1);
  return vmar;
}

#endif
