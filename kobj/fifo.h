/* FIFOs: a pair of endpoints, each with a ring of fixed-size elements its peer writes into. */
#ifndef ZUM_KOBJ_FIFO_H_
#define ZUM_KOBJ_FIFO_H_

#include "kobj/object.h"

extern const struct kobj_ops kfifo_ops;

struct kjob;

/* Makes a connected pair of `count` elements of `elem_size` bytes each, with one reference
 * each: ZX_ERR_OUT_OF_RANGE for sizes Zircon refuses, ZX_ERR_NO_MEMORY (also when `job`, the
 * maker's, may not hold their memory: kobj/quota.h; NULL: nobody is charged). */
zx_status_t kfifo_create(size_t count, size_t elem_size, struct kjob* job, struct kobj** a,
                         struct kobj** b);

#endif
