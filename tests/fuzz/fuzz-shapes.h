/* Shaped arguments for the calls whose interesting code lies behind a structure in guest memory
 * (channel messages with handles, channel_call's argument block, wait_many's items, op_range on
 * real ranges, port packets, stream iovec arrays): random words rarely get past their first
 * checks, so half of the draws of these calls build a mostly-valid structure in the scratch
 * mapping, with one field at a time pushed to an edge. Part of the fuzzer's engine
 * (fuzz-engine.h), freestanding like it.
 *
 * The scratch mapping's layout, by offset: 0-31 the out slots (new handles are read back from
 * there), 64 the name, FZ_SHAPE_AT onwards the shaped structures and the buffers they point to. */
#ifndef ZUM_TESTS_FUZZ_SHAPES_H_
#define ZUM_TESTS_FUZZ_SHAPES_H_

#define FZ_SHAPE_AT 4096u
#define FZ_SHAPE_BYTES (FZ_SHAPE_AT + 0)      /* message bytes, 4 KiB */
#define FZ_SHAPE_HANDLES (FZ_SHAPE_AT + 4096) /* handle or disposition arrays, 2 KiB */
#define FZ_SHAPE_BLOCK (FZ_SHAPE_AT + 6144)   /* call args, packets, wait items, 2 KiB */

/* A live pool handle other than `not` (ZX_HANDLE_INVALID if the pool has none): for the draws
 * meant to get through every check. */
static inline zx_handle_t fz_live(struct fz* f, zx_handle_t not) {
  uint32_t start = (uint32_t)fz_below(f, FZ_POOL);
  for (uint32_t k = 0; k < FZ_POOL; k++) {
    zx_handle_t h = f->pool[(start + k) % FZ_POOL];
    if (h != ZX_HANDLE_INVALID && h != not && h != f->job) return h;
  }
  return ZX_HANDLE_INVALID;
}

/* A count near a limit: 0, 1, a few, the limit, one past it, far past it. */
static inline uint32_t fz_count(struct fz* f, uint32_t limit) {
  switch (fz_below(f, 8)) {
    case 0: return 0;
    case 1: return 1;
    case 2: case 3: return (uint32_t)fz_below(f, 5);
    case 4: return limit;
    case 5: return limit + 1;
    case 6: return (uint32_t)fz_next(f);
    default: return (uint32_t)fz_below(f, limit + 1);
  }
}

/* A handle array at FZ_SHAPE_HANDLES of n (at most 64 written) values: pool handles, sometimes
 * one twice, sometimes the channel written to itself. */
static inline uint64_t fz_handle_array(struct fz* f, uint32_t n, zx_handle_t self, int clean) {
  zx_handle_t* hs = (zx_handle_t*)(f->scratch + FZ_SHAPE_HANDLES);
  for (uint32_t i = 0; i < n && i < 64; i++) {
    if (clean) hs[i] = fz_live(f, self);
    else if (i > 0 && fz_chance(f, 5)) hs[i] = hs[i - 1];
    else if (fz_chance(f, 3)) hs[i] = self;
    else hs[i] = (zx_handle_t)fz_handle(f, ZX_OBJ_TYPE_NONE);
    f->moved[f->nmoved++] = hs[i];
  }
  return (uintptr_t)hs;
}

/* Dispositions for the _etc writes: MOVE or DUPLICATE, with rights and types that mostly fit. */
static inline uint64_t fz_disposition_array(struct fz* f, uint32_t n, zx_handle_t self, int clean) {
  zx_handle_disposition_t* d = (zx_handle_disposition_t*)(f->scratch + FZ_SHAPE_HANDLES);
  for (uint32_t i = 0; i < n && i < 2048 / sizeof(*d); i++) {
    if (clean) {
      d[i] = (zx_handle_disposition_t){fz_chance(f, 50) ? ZX_HANDLE_OP_MOVE : ZX_HANDLE_OP_DUPLICATE,
                                       fz_live(f, self), ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS,
                                       ZX_OK};
      if (d[i].operation == ZX_HANDLE_OP_MOVE && f->nmoved < 64) f->moved[f->nmoved++] = d[i].handle;
      continue;
    }
    d[i].operation = fz_chance(f, 90) ? (fz_chance(f, 70) ? ZX_HANDLE_OP_MOVE : ZX_HANDLE_OP_DUPLICATE)
                                      : (uint32_t)fz_int(f);
    d[i].handle = fz_chance(f, 3) ? self : (zx_handle_t)fz_handle(f, ZX_OBJ_TYPE_NONE);
    d[i].type = fz_chance(f, 70) ? ZX_OBJ_TYPE_NONE : (zx_obj_type_t)fz_below(f, 32);
    d[i].rights = fz_chance(f, 70) ? ZX_RIGHT_SAME_RIGHTS : (zx_rights_t)fz_flags(f);
    d[i].result = fz_chance(f, 90) ? ZX_OK : (zx_status_t)fz_int(f);
    if (d[i].operation == ZX_HANDLE_OP_MOVE && f->nmoved < 64) f->moved[f->nmoved++] = d[i].handle;
  }
  return (uintptr_t)d;
}

/* Message bytes: a length near the limit, the buffer ending before the hole after the scratch
 * when the length is larger than what is mapped. */
static inline uint64_t fz_bytes(struct fz* f, uint32_t n) {
  if (n <= 4096) return (uintptr_t)f->scratch + FZ_SHAPE_BYTES;
  return fz_chance(f, 50) ? (uintptr_t)f->scratch : fz_ptr(f);
}

static inline uint64_t fz_short_deadline(struct fz* f) {
  return fz_chance(f, 50) ? 0 : (uint64_t)zx_deadline_after(ZX_USEC(fz_below(f, 200)));
}

/* Shapes a[] for calls that have a shape; returns whether it did. */
static inline int fz_shape(struct fz* f, const struct zum_fuzz_call* c, uint64_t* a) {
  uintptr_t s = (uintptr_t)f->scratch;
  /* Clean: every field valid, so the call gets to its end; otherwise fields go to their edges. */
  int clean = fz_chance(f, 60);
  if (fz_is(c, "channel_write") || fz_is(c, "channel_write_etc")) {
    zx_handle_t ch = fz_typed(f, ZX_OBJ_TYPE_CHANNEL);
    uint32_t nb = fz_count(f, ZX_CHANNEL_MAX_MSG_BYTES), nh = fz_count(f, ZX_CHANNEL_MAX_MSG_HANDLES);
    if (clean) nb = (uint32_t)fz_below(f, 4097), nh = (uint32_t)fz_below(f, 4);
    a[0] = fz_chance(f, 90) ? ch : fz_handle(f, ZX_OBJ_TYPE_CHANNEL);
    a[1] = fz_chance(f, 90) ? 0 : fz_flags(f);
    a[2] = fz_bytes(f, nb);
    a[3] = nb;
    a[4] = fz_is(c, "channel_write") ? fz_handle_array(f, nh, ch, clean)
                                     : fz_disposition_array(f, nh, ch, clean);
    if (!clean && fz_chance(f, 5)) a[4] = fz_ptr(f);
    a[5] = nh;
    return 1;
  }
  if (fz_is(c, "channel_read") || fz_is(c, "channel_read_etc")) {
    a[0] = fz_chance(f, 90) ? fz_typed(f, ZX_OBJ_TYPE_CHANNEL) : fz_handle(f, ZX_OBJ_TYPE_CHANNEL);
    a[1] = fz_chance(f, 80) ? 0 : fz_chance(f, 50) ? ZX_CHANNEL_READ_MAY_DISCARD : fz_flags(f);
    a[2] = s + FZ_SHAPE_BYTES;
    /* Handles land in the out slots, where new handles are collected (8 fit; infos: 2). */
    a[3] = s + (fz_is(c, "channel_read") ? 0 : FZ_SHAPE_HANDLES);
    a[4] = fz_chance(f, 80) ? (uint32_t)fz_below(f, 4097) : fz_count(f, ZX_CHANNEL_MAX_MSG_BYTES);
    a[5] = fz_chance(f, 80) ? (uint32_t)fz_below(f, 9) : fz_count(f, ZX_CHANNEL_MAX_MSG_HANDLES);
    a[6] = s + FZ_SHAPE_BLOCK;
    a[7] = s + FZ_SHAPE_BLOCK + 4;
    return 1;
  }
  if (fz_is(c, "channel_call") || fz_is(c, "channel_call_etc")) {
    zx_handle_t ch = fz_typed(f, ZX_OBJ_TYPE_CHANNEL);
    uint32_t nb = fz_count(f, ZX_CHANNEL_MAX_MSG_BYTES), nh = fz_count(f, ZX_CHANNEL_MAX_MSG_HANDLES);
    if (clean) nb = 4 + (uint32_t)fz_below(f, 4093), nh = (uint32_t)fz_below(f, 4); /* txid room */
    /* zx_channel_call_args_t and its _etc twin have one layout of pointers and counts. */
    zx_channel_call_args_t* args = (zx_channel_call_args_t*)(s + FZ_SHAPE_BLOCK);
    args->wr_bytes = (const void*)(uintptr_t)fz_bytes(f, nb);
    args->wr_handles = (const zx_handle_t*)(uintptr_t)(
        fz_is(c, "channel_call") ? fz_handle_array(f, nh, ch, clean)
                                 : fz_disposition_array(f, nh, ch, clean));
    args->rd_bytes = (void*)(s + FZ_SHAPE_BYTES);
    args->rd_handles = (zx_handle_t*)(s + (fz_is(c, "channel_call") ? 0 : FZ_SHAPE_HANDLES));
    args->wr_num_bytes = nb;
    args->wr_num_handles = nh;
    args->rd_num_bytes = fz_chance(f, 80) ? (uint32_t)fz_below(f, 4097) : (uint32_t)fz_int(f);
    args->rd_num_handles = fz_chance(f, 80) ? (uint32_t)fz_below(f, 9) : (uint32_t)fz_int(f);
    a[0] = fz_chance(f, 90) ? ch : fz_handle(f, ZX_OBJ_TYPE_CHANNEL);
    a[1] = fz_chance(f, 90) ? 0 : fz_flags(f);
    a[2] = fz_short_deadline(f);
    a[3] = fz_chance(f, 95) ? (uint64_t)(uintptr_t)args : fz_ptr(f);
    a[4] = s + FZ_SHAPE_BLOCK + 64;
    a[5] = s + FZ_SHAPE_BLOCK + 68;
    return 1;
  }
  if (fz_is(c, "object_wait_many")) {
    uint32_t n = clean ? 1 + (uint32_t)fz_below(f, 8) : fz_count(f, ZX_WAIT_MANY_MAX_ITEMS);
    zx_wait_item_t* items = (zx_wait_item_t*)(s + FZ_SHAPE_BLOCK);
    for (uint32_t i = 0; i < n && i < 2048 / sizeof(*items); i++) {
      items[i].handle = clean ? fz_live(f, ZX_HANDLE_INVALID) : (zx_handle_t)fz_handle(f, 0);
      /* Clean: signals that live objects commonly have (READABLE, WRITABLE, PEER_CLOSED, and
       * the bits events and timers use), so some waits are satisfied. */
      items[i].waitfor = clean ? (zx_signals_t)(0x7u | ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0)
                               : (zx_signals_t)fz_value(f, ZUM_FZ_SIGNALS, ZX_OBJ_TYPE_NONE);
      items[i].pending = (zx_signals_t)fz_next(f);
    }
    a[0] = fz_chance(f, 95) ? (uint64_t)(uintptr_t)items : fz_ptr(f);
    a[1] = n;
    a[2] = fz_short_deadline(f);
    return 1;
  }
  if (fz_is(c, "vmo_op_range") || fz_is(c, "vmar_op_range")) {
    static const uint32_t vmo_ops[] = {1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    static const uint32_t vmar_ops[] = {1, 2, 3, 10, 12, 13, 14};
    int vmo = fz_is(c, "vmo_op_range");
    a[0] = fz_chance(f, 90) ? fz_typed(f, vmo ? ZX_OBJ_TYPE_VMO : ZX_OBJ_TYPE_VMAR)
                            : fz_handle(f, ZX_OBJ_TYPE_NONE);
    a[1] = fz_chance(f, 95) ? (vmo ? vmo_ops[fz_below(f, 13)] : vmar_ops[fz_below(f, 7)])
                            : fz_below(f, 64);
    /* Offsets and sizes around the pool's 64 KiB VMOs and the child's mappings, a few bytes
     * off the page grid now and then, and the edges of the address space. */
    uint64_t base = vmo ? 0 : 0x200000ull + 4096 * fz_below(f, 1u << 14), pages = 20;
    zx_info_vmar_t vi;
    uint64_t vmo_size;
    if (clean && !vmo &&
        zx_object_get_info((zx_handle_t)a[0], ZX_INFO_VMAR, &vi, sizeof(vi), NULL, NULL) == ZX_OK)
      base = vi.base, pages = vi.len / 4096 < 64 ? vi.len / 4096 : 64;
    else if (clean && vmo && zx_vmo_get_size((zx_handle_t)a[0], &vmo_size) == ZX_OK)
      pages = vmo_size / 4096 < 64 ? vmo_size / 4096 : 64;
    uint64_t first = fz_below(f, pages + 1);
    a[2] = base + 4096 * first + (!clean && fz_chance(f, 10) ? fz_below(f, 4096) : 0);
    a[3] = 4096 * fz_below(f, pages - first + 1) + (!clean && fz_chance(f, 10) ? fz_below(f, 4096) : 0);
    if (!clean && fz_chance(f, 5)) a[2] = ~0ull - 4096 * fz_below(f, 4);
    if (!clean && fz_chance(f, 5)) a[3] = ~0ull - 4096 * fz_below(f, 4);
    a[4] = fz_chance(f, 80) ? 0 : s + FZ_SHAPE_BLOCK;
    a[5] = fz_chance(f, 80) ? 0 : fz_size(f);
    return 1;
  }
  if (fz_is(c, "stream_readv") || fz_is(c, "stream_readv_at") || fz_is(c, "stream_writev") ||
      fz_is(c, "stream_writev_at")) {
    /* An iovec array into the message bytes: capacities that fit, now and then one that does
     * not, a buffer that faults, or a sum that overflows. */
    int at = fz_is(c, "stream_readv_at") || fz_is(c, "stream_writev_at");
    uint32_t n = clean ? 1 + (uint32_t)fz_below(f, 8) : fz_count(f, 2048 / sizeof(zx_iovec_t));
    zx_iovec_t* v = (zx_iovec_t*)(s + FZ_SHAPE_BLOCK);
    for (uint32_t i = 0; i < n && i < 2048 / sizeof(*v); i++) {
      uint64_t off = fz_below(f, 4096);
      v[i].buffer = (void*)(s + FZ_SHAPE_BYTES + off);
      v[i].capacity = fz_below(f, 4096 - off + 1);
      if (!clean && fz_chance(f, 10)) v[i].buffer = (void*)(uintptr_t)fz_ptr(f);
      if (!clean && fz_chance(f, 5)) v[i].capacity = fz_chance(f, 50) ? SIZE_MAX : fz_size(f);
    }
    a[0] = fz_chance(f, 90) ? fz_typed(f, ZX_OBJ_TYPE_STREAM) : fz_handle(f, ZX_OBJ_TYPE_STREAM);
    a[1] = fz_chance(f, 90) ? 0 : fz_chance(f, 50) ? ZX_STREAM_APPEND : fz_flags(f);
    uint64_t* rest = a + 2;
    if (at) *rest++ = fz_chance(f, 80) ? fz_below(f, 3 * 65536) : fz_next(f);
    rest[0] = fz_chance(f, 95) ? (uint64_t)(uintptr_t)v : fz_ptr(f);
    rest[1] = n;
    rest[2] = fz_chance(f, 90) ? s + FZ_SHAPE_BLOCK + 2048 - 8 : fz_ptr(f);
    return 1;
  }
  if (fz_is(c, "port_queue")) {
    zx_port_packet_t* p = (zx_port_packet_t*)(s + FZ_SHAPE_BLOCK);
    p->key = fz_next(f);
    p->type = fz_chance(f, 80) ? ZX_PKT_TYPE_USER : (uint32_t)fz_int(f);
    p->status = (zx_status_t)fz_int(f);
    a[0] = fz_chance(f, 90) ? fz_typed(f, ZX_OBJ_TYPE_PORT) : fz_handle(f, ZX_OBJ_TYPE_PORT);
    a[1] = fz_chance(f, 95) ? (uint64_t)(uintptr_t)p : fz_ptr(f);
    return 1;
  }
  return 0;
}

#endif
