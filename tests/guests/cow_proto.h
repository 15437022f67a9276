/* Requests tests/guests/vmo_cow_proc.c sends to tests/helpers/cow_helper.c. */
#ifndef ZUM_TESTS_GUESTS_COW_PROTO_H_
#define ZUM_TESTS_GUESTS_COW_PROTO_H_

#include <stdint.h>

enum {
  COW_REQ_MAP = 1,   /* + a VMO handle: map it RW (len bytes); reply: the address (8 bytes) */
  COW_REQ_SET_SRC,   /* + a VMO handle: the source of later VMO_READ_INTO; reply "ok" */
  COW_REQ_READ,      /* len bytes at addr, copied by the helper itself; reply: them */
  COW_REQ_SEND,      /* len bytes at addr, sent straight from there by zx_channel_write */
  COW_REQ_WRITE,     /* + len bytes: stored at addr by the helper itself; reply "ok" */
  COW_REQ_VMO_READ_INTO, /* zx_vmo_read(source, addr, off, len); reply "ok" or the status */
  COW_REQ_EXIT,
};
#define COW_PROTO_MAX 4096u

struct cow_req {
  uint32_t op;
  uint32_t reserved;
  uint64_t addr;
  uint64_t len;
  uint64_t off;
};

#endif
