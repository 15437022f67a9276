/* Requests tests/guests/vmar.c sends to tests/helpers/vmar_helper.c. */
#ifndef ZUM_TESTS_GUESTS_VMAR_PROTO_H_
#define ZUM_TESTS_GUESTS_VMAR_PROTO_H_

#include <stdint.h>

enum { VMAR_REQ_READ = 1, VMAR_REQ_WRITE, VMAR_REQ_PROBE_R, VMAR_REQ_PROBE_W, VMAR_REQ_EXIT };
#define VMAR_PROTO_MAX 256u

struct vmar_req {
  uint32_t op;
  uint32_t reserved;
  uint64_t addr;
  uint64_t len;
};

#endif
