/* Channels through the real trap: read/write and their error paths, handle transfer and
 * consumption, write_etc/read_etc, iovecs, signals, zx_channel_call served by another thread
 * (replies, timeouts, PEER_CLOSED), then a second process (tests/helpers/channel_echo) spawned
 * with one end of a channel: call round trips, an event handle sent across and back, and
 * PEER_CLOSED once the helper is gone; handle lists far longer than a message carries. */
#include <libgen.h>
#include <sys/mman.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zum/zum.h>

#include "guest_test.h"

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof(info));
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK)
    return ZX_KOID_INVALID;
  return info.koid;
}

static zx_signals_t signals_of(zx_handle_t h) {
  zx_signals_t obs = 0;
  zx_object_wait_one(h, 0, 0, &obs);
  return obs;
}

static void basics(void) {
  zx_handle_t a, b;
  CHECK_EQ(zx_channel_create(1, &a, &b), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_channel_create(0, &a, (zx_handle_t*)8), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_channel_create(0, &a, &b), ZX_OK);
  CHECK_EQ(signals_of(a), ZX_CHANNEL_WRITABLE);

  char buf[64];
  uint32_t nb = 0, nh = 0;
  CHECK_EQ(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, &nb, &nh), ZX_ERR_SHOULD_WAIT);
  CHECK_EQ(zx_channel_write(a, 0, "hello", 5, NULL, 0), ZX_OK);
  CHECK_EQ(signals_of(b), ZX_CHANNEL_WRITABLE | ZX_CHANNEL_READABLE);
  /* Too small: sizes reported, message kept. */
  CHECK_EQ(zx_channel_read(b, 0, buf, NULL, 2, 0, &nb, &nh), ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(nb, 5);
  CHECK_EQ(nh, 0);
  CHECK_EQ(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, &nb, &nh), ZX_OK);
  CHECK(memcmp(buf, "hello", 5) == 0);
  CHECK_EQ(signals_of(b), ZX_CHANNEL_WRITABLE);
  /* MAY_DISCARD drops what does not fit. */
  CHECK_EQ(zx_channel_write(a, 0, "toolong", 7, NULL, 0), ZX_OK);
  CHECK_EQ(zx_channel_read(b, ZX_CHANNEL_READ_MAY_DISCARD, buf, NULL, 2, 0, &nb, &nh),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, &nb, &nh), ZX_ERR_SHOULD_WAIT);
  CHECK_EQ(zx_channel_read(b, 4, buf, NULL, sizeof(buf), 0, &nb, &nh), ZX_ERR_NOT_SUPPORTED);

  /* Bad pointers and handles. */
  CHECK_EQ(zx_channel_write(a, 0, (void*)16, 4, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_channel_write(a ^ 0x100, 0, "x", 1, NULL, 0), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_channel_write(a, 8, "x", 1, NULL, 0), ZX_ERR_INVALID_ARGS);
  static char big[ZX_CHANNEL_MAX_MSG_BYTES + 1];
  CHECK_EQ(zx_channel_write(a, 0, big, sizeof(big), NULL, 0), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_channel_write(a, 0, big, ZX_CHANNEL_MAX_MSG_BYTES, NULL, 0), ZX_OK);
  static char rbig[ZX_CHANNEL_MAX_MSG_BYTES];
  CHECK_EQ(zx_channel_read(b, 0, rbig, NULL, sizeof(rbig), 0, &nb, NULL), ZX_OK);
  CHECK_EQ(nb, ZX_CHANNEL_MAX_MSG_BYTES);
  /* Read-only memory cannot receive a message: the message is lost. */
  static const char ro[8] = {0};
  CHECK_EQ(zx_channel_write(a, 0, "abc", 3, NULL, 0), ZX_OK);
  CHECK_EQ(zx_channel_read(b, 0, (void*)ro, NULL, sizeof(ro), 0, &nb, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, &nb, NULL), ZX_ERR_SHOULD_WAIT);

  /* iovecs. */
  zx_channel_iovec_t v[2] = {{"ab", 2, 0}, {"cd", 2, 0}};
  CHECK_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, v, 2, NULL, 0), ZX_OK);
  CHECK_EQ(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, &nb, NULL), ZX_OK);
  CHECK_EQ(nb, 4);
  CHECK(memcmp(buf, "abcd", 4) == 0);
  v[1].reserved = 1;
  CHECK_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, v, 2, NULL, 0), ZX_ERR_INVALID_ARGS);

  /* Peer closed: PEER_CLOSED signal, writes fail, queued messages are still read. */
  CHECK_EQ(zx_channel_write(b, 0, "last", 4, NULL, 0), ZX_OK);
  CHECK_EQ(zx_handle_close(b), ZX_OK);
  CHECK_EQ(signals_of(a), ZX_CHANNEL_PEER_CLOSED | ZX_CHANNEL_READABLE);
  CHECK_EQ(zx_channel_write(a, 0, "x", 1, NULL, 0), ZX_ERR_PEER_CLOSED);
  CHECK_EQ(zx_channel_read(a, 0, buf, NULL, sizeof(buf), 0, &nb, NULL), ZX_OK);
  CHECK_EQ(zx_channel_read(a, 0, buf, NULL, sizeof(buf), 0, &nb, NULL), ZX_ERR_PEER_CLOSED);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
}

static void transfer(void) {
  zx_handle_t a, b, ev, low;
  CHECK_EQ(zx_channel_create(0, &a, &b), ZX_OK);
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  zx_koid_t k = koid_of(ev);
  CHECK_EQ(zx_handle_duplicate(ev, ZX_RIGHT_TRANSFER | ZX_RIGHT_SIGNAL | ZX_RIGHT_WAIT, &low),
           ZX_OK);
  zx_handle_t send[2] = {ev, low};
  CHECK_EQ(zx_channel_write(a, 0, "hh", 2, send, 2), ZX_OK);
  CHECK_EQ(zx_handle_close(ev), ZX_ERR_BAD_HANDLE); /* consumed */
  CHECK_EQ(zx_handle_close(low), ZX_ERR_BAD_HANDLE);
  char buf[4];
  zx_handle_info_t info[2];
  uint32_t nb, nh;
  CHECK_EQ(zx_channel_read_etc(b, 0, buf, info, sizeof(buf), 1, &nb, &nh), ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(nh, 2);
  CHECK_EQ(zx_channel_read_etc(b, 0, buf, info, sizeof(buf), 2, &nb, &nh), ZX_OK);
  CHECK_EQ(info[0].type, ZX_OBJ_TYPE_EVENT);
  CHECK_EQ(info[0].rights, ZX_DEFAULT_EVENT_RIGHTS);
  CHECK_EQ(info[1].rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_SIGNAL | ZX_RIGHT_WAIT);
  CHECK_EQ(koid_of(info[0].handle), k);
  CHECK_EQ(koid_of(info[1].handle), k);

  /* Failures consume the handles too. */
  zx_handle_t nt;
  CHECK_EQ(zx_handle_duplicate(info[0].handle, ZX_RIGHT_WAIT, &nt), ZX_OK);
  CHECK_EQ(zx_channel_write(a, 0, "x", 1, &nt, 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(nt), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_channel_write(a, 0, "x", 1, &a, 1), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_handle_close(a), ZX_ERR_BAD_HANDLE); /* the channel's own handle, gone too */
  CHECK(signals_of(b) & ZX_CHANNEL_PEER_CLOSED);
  CHECK_EQ(zx_handle_close(b), ZX_OK);

  /* write_etc: MOVE with fewer rights, DUPLICATE keeping the source; per-entry results. */
  CHECK_EQ(zx_channel_create(0, &a, &b), ZX_OK);
  zx_handle_disposition_t d[2] = {
      {ZX_HANDLE_OP_MOVE, info[1].handle, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT,
       ZX_OK},
      {ZX_HANDLE_OP_DUPLICATE, info[0].handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_OK},
  };
  CHECK_EQ(zx_channel_write_etc(a, 0, "d", 1, d, 2), ZX_OK);
  CHECK_EQ(zx_handle_close(info[1].handle), ZX_ERR_BAD_HANDLE);
  zx_handle_info_t got[2];
  CHECK_EQ(zx_channel_read_etc(b, 0, buf, got, sizeof(buf), 2, &nb, &nh), ZX_OK);
  CHECK_EQ(got[0].rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT);
  CHECK_EQ(got[1].rights, ZX_DEFAULT_EVENT_RIGHTS);
  zx_handle_disposition_t bad = {ZX_HANDLE_OP_MOVE, got[0].handle, ZX_OBJ_TYPE_VMO,
                                 ZX_RIGHT_SAME_RIGHTS, ZX_OK};
  CHECK_EQ(zx_channel_write_etc(a, 0, "d", 1, &bad, 1), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(bad.result, ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_handle_close(got[0].handle), ZX_ERR_BAD_HANDLE);
  zx_handle_t all[] = {a, b, info[0].handle, got[1].handle};
  CHECK_EQ(zx_handle_close_many(all, 4), ZX_OK);
}

/* ---- channel_call served by a second thread of this process */

struct server {
  zx_handle_t end;
  int replies; /* how many requests to answer; others are left unanswered */
};

static void* serve(void* arg) {
  struct server* s = arg;
  for (int i = 0; i < s->replies; i++) {
    if (zx_object_wait_one(s->end, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL) != ZX_OK) break;
    uint8_t buf[256];
    zx_handle_t hs[4];
    uint32_t nb, nh;
    if (zx_channel_read(s->end, 0, buf, hs, sizeof(buf), 4, &nb, &nh) != ZX_OK) break;
    /* An unsolicited message with a user txid first, then the reply (uppercased). */
    uint8_t other[5] = {1, 0, 0, 0, '!'};
    zx_channel_write(s->end, 0, other, sizeof(other), NULL, 0);
    for (uint32_t j = 4; j < nb; j++)
      if (buf[j] >= 'a' && buf[j] <= 'z') buf[j] -= 32;
    zx_channel_write(s->end, 0, buf, nb, hs, nh);
  }
  return NULL;
}

static void* close_later(void* arg) {
  zx_nanosleep(zx_deadline_after(ZX_MSEC(2)));
  zx_handle_close(*(zx_handle_t*)arg);
  return NULL;
}

static void call_in_process(void) {
  zx_handle_t a, b;
  CHECK_EQ(zx_channel_create(0, &a, &b), ZX_OK);
  struct server srv = {b, 2};
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, serve, &srv), 0);
  uint8_t req[8] = {0, 0, 0, 0, 'p', 'i', 'n', 'g'}, rep[16];
  zx_handle_t ev, rh[2];
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  zx_koid_t k = koid_of(ev);
  zx_channel_call_args_t args = {req, &ev, rep, rh, sizeof(req), 1, sizeof(rep), 2};
  uint32_t nb = 0, nh = 0;
  CHECK_EQ(zx_channel_call(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_OK);
  CHECK_EQ(nb, 8);
  CHECK_EQ(nh, 1);
  CHECK(memcmp(rep + 4, "PING", 4) == 0);
  zx_txid_t txid;
  memcpy(&txid, rep, 4);
  CHECK(txid & 0x80000000u); /* the kernel's txid */
  CHECK_EQ(koid_of(rh[0]), k);
  /* The unsolicited message waits in the queue. */
  uint8_t buf[16];
  CHECK_EQ(zx_channel_read(a, 0, buf, NULL, sizeof(buf), 0, &nb, NULL), ZX_OK);
  CHECK_EQ(nb, 5);
  CHECK_EQ(buf[4], '!');
  /* A reply too big for the buffer: BUFFER_TOO_SMALL, the reply is dropped. */
  args = (zx_channel_call_args_t){req, NULL, rep, NULL, sizeof(req), 0, 4, 0};
  CHECK_EQ(zx_channel_call(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_BUFFER_TOO_SMALL);
  pthread_join(th, NULL);
  CHECK_EQ(zx_channel_read(a, 0, buf, NULL, sizeof(buf), 0, &nb, NULL), ZX_OK); /* the '!' */
  CHECK_EQ(zx_channel_read(a, 0, buf, NULL, sizeof(buf), 0, &nb, NULL), ZX_ERR_SHOULD_WAIT);

  /* Nobody answers: TIMED_OUT; the request stays queued for the server. */
  args = (zx_channel_call_args_t){req, NULL, rep, NULL, sizeof(req), 0, sizeof(rep), 0};
  CHECK_EQ(zx_channel_call(a, 0, zx_deadline_after(ZX_MSEC(5)), &args, &nb, &nh), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, &nb, NULL), ZX_OK);
  CHECK_EQ(nb, 8);
  /* Errors. */
  args.wr_num_bytes = 3;
  CHECK_EQ(zx_channel_call(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_channel_call(a, 0, ZX_TIME_INFINITE, (void*)16, &nb, &nh), ZX_ERR_INVALID_ARGS);
  args.wr_num_bytes = 8;
  /* The server goes away while the call waits (or before it starts): PEER_CLOSED either way. */
  pthread_t closer;
  CHECK_EQ(pthread_create(&closer, NULL, close_later, &b), 0);
  CHECK_EQ(zx_channel_call(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_PEER_CLOSED);
  pthread_join(closer, NULL);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(zx_handle_close(rh[0]), ZX_OK);
}

/* ---- a second process */

static char* helper_path(const char* argv0) {
  const char* dir = getenv("ZUM_HELPERS");
  char* p = NULL;
  if (dir && *dir) {
    if (asprintf(&p, "%s/channel_echo", dir) < 0) return NULL;
    return p;
  }
  /* Run by hand from the build tree: tests/guests/channel -> tests/helpers/channel_echo. */
  char* copy = strdup(argv0);
  if (!copy) return NULL;
  if (asprintf(&p, "%s/../helpers/channel_echo", dirname(copy)) < 0) p = NULL;
  free(copy);
  return p;
}

static zx_status_t call_cmd(zx_handle_t ch, char cmd, const void* payload, uint32_t len,
                            zx_handle_t* hs, uint32_t nhs, void* rep, uint32_t rep_cap,
                            zx_handle_t* rhs, uint32_t* nb, uint32_t* nh) {
  static uint8_t req[ZX_CHANNEL_MAX_MSG_BYTES];
  memset(req, 0, 4);
  req[4] = (uint8_t)cmd;
  if (len) memcpy(req + 5, payload, len);
  zx_channel_call_args_t args = {req, hs, rep, rhs, 5 + len, nhs, rep_cap, rhs ? 4 : 0};
  return zx_channel_call(ch, 0, zx_deadline_after(ZX_SEC(20)), &args, nb, nh);
}

static void two_processes(const char* argv0) {
  char* path = helper_path(argv0);
  CHECK(path != NULL);
  if (!path) return;
  zx_handle_t local, remote, proc = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_channel_create(0, &local, &remote), ZX_OK);
  const char* argv[] = {path, NULL};
  uint32_t info = PA_HND(PA_USER0, 0);
  zx_status_t s = zum_spawn(zx_job_default(), path, argv, &remote, &info, 1, &proc);
  CHECK_EQ(s, ZX_OK);
  free(path);
  if (s != ZX_OK) return;

  /* Round trips of many sizes. */
  static uint8_t payload[ZX_CHANNEL_MAX_MSG_BYTES], rep[ZX_CHANNEL_MAX_MSG_BYTES];
  for (uint32_t i = 0; i < sizeof(payload); i++) payload[i] = (uint8_t)(i * 7 + 3);
  uint32_t sizes[] = {0, 1, 3, 100, 4096, 10000, ZX_CHANNEL_MAX_MSG_BYTES - 5};
  zx_txid_t last = 0;
  for (int round = 0; round < 50; round++) {
    uint32_t len = sizes[round % (sizeof(sizes) / sizeof(sizes[0]))];
    uint32_t nb = 0, nh = 0;
    CHECK_EQ(call_cmd(local, 'e', payload, len, NULL, 0, rep, sizeof(rep), NULL, &nb, &nh), ZX_OK);
    CHECK_EQ(nb, 5 + len);
    CHECK_EQ(nh, 0);
    CHECK_EQ(rep[4], 'e');
    CHECK(memcmp(rep + 5, payload, len) == 0);
    zx_txid_t txid;
    memcpy(&txid, rep, 4);
    CHECK(txid & 0x80000000u);
    CHECK(txid != last);
    last = txid;
  }

  /* An event handle crosses to the helper, which signals it and sends it back. */
  zx_handle_t ev, dup, back[4];
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  CHECK_EQ(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &dup), ZX_OK);
  uint32_t nb = 0, nh = 0;
  CHECK_EQ(call_cmd(local, 's', NULL, 0, &dup, 1, rep, sizeof(rep), back, &nb, &nh), ZX_OK);
  CHECK_EQ(nh, 1);
  /* (dup itself was consumed; the handle that came back may well carry the same value, as the
   * same handle object travelled there and back, so only the object is compared.) */
  CHECK_EQ(koid_of(back[0]), koid_of(ev));
  CHECK_EQ(zx_object_wait_one(ev, ZX_USER_SIGNAL_0, 0, NULL), ZX_OK);
  CHECK_EQ(zx_handle_close(back[0]), ZX_OK);

  /* An unsolicited message does not answer the call: it waits in the queue. */
  CHECK_EQ(call_cmd(local, 'w', NULL, 0, NULL, 0, rep, sizeof(rep), NULL, &nb, &nh), ZX_OK);
  CHECK_EQ(rep[4], 'w');
  uint8_t buf[16];
  CHECK_EQ(zx_channel_read(local, 0, buf, NULL, sizeof(buf), 0, &nb, NULL), ZX_OK);
  CHECK(nb == 9 && memcmp(buf + 4, "hello", 5) == 0);

  /* The helper quits without answering: the call ends with PEER_CLOSED. */
  CHECK_EQ(call_cmd(local, 'q', NULL, 0, NULL, 0, rep, sizeof(rep), NULL, &nb, &nh),
           ZX_ERR_PEER_CLOSED);
  CHECK_EQ(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(20)), NULL),
           ZX_OK);
  CHECK(signals_of(local) & ZX_CHANNEL_PEER_CLOSED);
  CHECK(!(signals_of(local) & ZX_CHANNEL_WRITABLE));
  CHECK_EQ(zx_channel_write(local, 0, "x", 1, NULL, 0), ZX_ERR_PEER_CLOSED);
  CHECK_EQ(zx_channel_read(local, 0, buf, NULL, sizeof(buf), 0, &nb, NULL), ZX_ERR_PEER_CLOSED);
  zx_handle_t all[] = {local, proc, ev};
  CHECK_EQ(zx_handle_close_many(all, 3), ZX_OK);
}

static int is_open(zx_handle_t h) { return koid_of(h) != ZX_KOID_INVALID; }

/* num_handles past ZX_CHANNEL_MAX_MSG_HANDLES (64): OUT_OF_RANGE, and the listed handles are
 * consumed as on every failure before the handles are looked at. The list sits at the start of
 * 16 GiB of readable memory (the untouched pages are the shared zero page): a clean-up that read
 * the 2^32 entries num_handles names would keep the supervisor busy for minutes, and this guest
 * would time out. */
static void overlong_handle_lists(void) {
  zx_handle_t a, b, ev[3];
  CHECK_EQ(zx_channel_create(0, &a, &b), ZX_OK);
  const size_t span = (size_t)UINT32_MAX * sizeof(zx_handle_t) + sizeof(zx_handle_t);
  void* mem = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
  CHECK(mem != MAP_FAILED);
  if (mem == MAP_FAILED) return;
  zx_handle_t* list = mem;
  for (int i = 0; i < 3; i++) CHECK_EQ(zx_event_create(0, &ev[i]), ZX_OK);

  list[0] = ev[0];
  CHECK_EQ(zx_channel_write(a, 0, "x", 1, list, UINT32_MAX), ZX_ERR_OUT_OF_RANGE);
  CHECK(!is_open(ev[0]));
  CHECK(is_open(a));
  list[0] = ev[1];
  CHECK_EQ(zx_channel_write(a, 0, "x", 1, list, ZX_CHANNEL_MAX_MSG_HANDLES + 1),
           ZX_ERR_OUT_OF_RANGE);
  CHECK(!is_open(ev[1]));
  /* write_etc: the dispositions' handles (MOVE) likewise. */
  zx_handle_disposition_t* d = mem;
  memset(d, 0, sizeof(*d));
  d->operation = ZX_HANDLE_OP_MOVE;
  d->handle = ev[2];
  d->rights = ZX_RIGHT_SAME_RIGHTS;
  CHECK_EQ(zx_channel_write_etc(a, 0, "x", 1, d, UINT32_MAX), ZX_ERR_OUT_OF_RANGE);
  CHECK(!is_open(ev[2]));
  /* A call: the same. */
  zx_handle_t e;
  CHECK_EQ(zx_event_create(0, &e), ZX_OK);
  memset(mem, 0, 4096);
  list[0] = e;
  char req[8] = {0}, rep[8];
  zx_handle_t rh[1];
  uint32_t nb, nh;
  zx_channel_call_args_t args = {req, list, rep, rh, sizeof(req), UINT32_MAX, sizeof(rep), 1};
  CHECK_EQ(zx_channel_call(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_OUT_OF_RANGE);
  CHECK(!is_open(e));
  /* Nothing was written. */
  CHECK_EQ(zx_channel_read(b, 0, req, NULL, sizeof(req), 0, &nb, &nh), ZX_ERR_SHOULD_WAIT);
  munmap(mem, span);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(zx_handle_close(b), ZX_OK);
}

int main(int argc, char** argv) {
  (void)argc;
  basics();
  transfer();
  call_in_process();
  two_processes(argv[0]);
  overlong_handle_lists();
  return GUEST_RESULT();
}
