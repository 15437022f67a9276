/* The peer process of tests/guests/vmar.c. It sends a duplicate of its root VMAR handle over the
 * PA_USER0 channel, then serves requests on it, one reply each:
 *   {READ, addr, len}        -> the len bytes at addr, read through a plain pointer
 *   {WRITE, addr, len} bytes -> writes them at addr through a plain pointer; replies "ok"
 *   {PROBE_R / PROBE_W, addr} -> "fault" or "ok": whether reading / writing addr faults (tried
 *                               in a forked Linux child, which makes no Zircon call)
 *   {EXIT}                   -> exits 0
 * So the guest can check that mappings it makes in this process's VMAR are really there. */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>

#include "../guests/vmar_proto.h"


int main(void) {
  zx_handle_t ch = zx_take_startup_handle(PA_HND(PA_USER0, 0));
  if (ch == ZX_HANDLE_INVALID) return 2;
  zx_handle_t root = ZX_HANDLE_INVALID;
  if (zx_handle_duplicate(zx_vmar_root_self(), ZX_RIGHT_SAME_RIGHTS, &root) != ZX_OK) return 3;
  if (zx_channel_write(ch, 0, NULL, 0, &root, 1) != ZX_OK) return 4;
  for (;;) {
    zx_signals_t seen = 0;
    if (zx_object_wait_one(ch, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE,
                           &seen) != ZX_OK)
      return 5;
    if (!(seen & ZX_CHANNEL_READABLE)) return 6;
    struct vmar_req req;
    uint8_t buf[sizeof(req) + VMAR_PROTO_MAX];
    uint32_t nb = 0, nh = 0;
    if (zx_channel_read(ch, 0, buf, NULL, sizeof(buf), 0, &nb, &nh) != ZX_OK) return 7;
    if (nb < sizeof(req)) return 8;
    memcpy(&req, buf, sizeof(req));
    uint8_t* p = (uint8_t*)(uintptr_t)req.addr;
    switch (req.op) {
      case VMAR_REQ_READ:
        if (req.len > VMAR_PROTO_MAX) return 9;
        memcpy(buf, p, req.len);
        if (zx_channel_write(ch, 0, buf, (uint32_t)req.len, NULL, 0) != ZX_OK) return 10;
        break;
      case VMAR_REQ_WRITE:
        if (req.len > nb - sizeof(req)) return 11;
        memcpy(p, buf + sizeof(req), req.len);
        if (zx_channel_write(ch, 0, "ok", 2, NULL, 0) != ZX_OK) return 12;
        break;
      case VMAR_REQ_PROBE_R:
      case VMAR_REQ_PROBE_W: {
        int r = vmar_access_faults(req.addr, req.op == VMAR_REQ_PROBE_W);
        const char* a = r == 1 ? "fault" : r == 0 ? "ok" : "error";
        if (zx_channel_write(ch, 0, a, (uint32_t)strlen(a), NULL, 0) != ZX_OK) return 13;
        break;
      }
      case VMAR_REQ_EXIT:
        return 0;
      default:
        return 14;
    }
  }
}
