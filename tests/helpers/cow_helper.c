/* The peer process of tests/guests/vmo_cow_proc.c (copy-on-write children in two processes). It
 * sends a duplicate of its root VMAR handle over the PA_USER0 channel, then serves the requests
 * of tests/guests/cow_proto.h on it, one reply each: it maps VMOs it is sent, reads and writes
 * its memory with plain loads and stores (its own faults) or has the supervisor do it
 * (zx_channel_write straight from a mapping, zx_vmo_read into one). */
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>

#include "../guests/cow_proto.h"

static int reply(zx_handle_t ch, const void* data, uint64_t len) {
  return zx_channel_write(ch, 0, data, (uint32_t)len, NULL, 0) == ZX_OK ? 0 : -1;
}

int main(void) {
  zx_handle_t ch = zx_take_startup_handle(PA_HND(PA_USER0, 0));
  if (ch == ZX_HANDLE_INVALID) return 2;
  zx_handle_t root = ZX_HANDLE_INVALID, src = ZX_HANDLE_INVALID;
  if (zx_handle_duplicate(zx_vmar_root_self(), ZX_RIGHT_SAME_RIGHTS, &root) != ZX_OK) return 3;
  if (zx_channel_write(ch, 0, NULL, 0, &root, 1) != ZX_OK) return 4;
  static uint8_t buf[sizeof(struct cow_req) + COW_PROTO_MAX];
  static uint8_t copy[COW_PROTO_MAX];
  for (;;) {
    zx_signals_t seen = 0;
    if (zx_object_wait_one(ch, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE,
                           &seen) != ZX_OK)
      return 5;
    if (!(seen & ZX_CHANNEL_READABLE)) return 6;
    struct cow_req req;
    zx_handle_t h = ZX_HANDLE_INVALID;
    uint32_t nb = 0, nh = 0;
    if (zx_channel_read(ch, 0, buf, &h, sizeof(buf), 1, &nb, &nh) != ZX_OK) return 7;
    if (nb < sizeof(req)) return 8;
    memcpy(&req, buf, sizeof(req));
    uint8_t* p = (uint8_t*)(uintptr_t)req.addr;
    if (req.op != COW_REQ_WRITE && req.len > COW_PROTO_MAX && req.op != COW_REQ_MAP) return 9;
    int r = 0;
    switch (req.op) {
      case COW_REQ_MAP: {
        zx_vaddr_t a = 0;
        zx_status_t s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, h,
                                    0, req.len, &a);
        zx_handle_close(h);
        if (s != ZX_OK) a = 0;
        r = reply(ch, &a, sizeof(a));
        break;
      }
      case COW_REQ_SET_SRC:
        zx_handle_close(src);
        src = h;
        r = reply(ch, "ok", 2);
        break;
      case COW_REQ_READ:
        memcpy(copy, p, req.len);
        r = reply(ch, copy, req.len);
        break;
      case COW_REQ_SEND:
        r = reply(ch, p, req.len);
        break;
      case COW_REQ_WRITE:
        if (req.len > nb - sizeof(req)) return 10;
        memcpy(p, buf + sizeof(req), req.len);
        r = reply(ch, "ok", 2);
        break;
      case COW_REQ_VMO_READ_INTO: {
        zx_status_t s = zx_vmo_read(src, p, req.off, req.len);
        r = s == ZX_OK ? reply(ch, "ok", 2) : reply(ch, &s, sizeof(s));
        break;
      }
      case COW_REQ_EXIT:
        return 0;
      default:
        return 11;
    }
    if (r != 0) return 12;
  }
}
