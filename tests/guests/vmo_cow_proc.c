/* Copy-on-write children across processes.
 *
 *  - A child VMO sent to a second hosted process (tests/helpers/cow_helper), which maps it
 *    itself, while this process maps it too: both see the same child pages whoever touches a
 *    page first, by a read or a write, through a plain access or the supervisor (zx_channel_write
 *    from the mapping, zx_vmo_read into it); the parent never changes, and for SNAPSHOT the
 *    parent's later writes (zx_vmo_write, a writable mapping) reach neither.
 *  - A child mapped into the helper's VMAR from here (the helper's agent maps it).
 *  - A pure process (zx_process_create, no runtime of its own but zum's stub) whose code lies in
 *    an untouched copy-on-write child and which reads and writes another one: the stub resolves
 *    the instruction fetch and data faults; the supervisor reads and writes its untouched pages
 *    (zx_process_read/write_memory). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zum/zum.h>

#include "guest_test.h"
#include "cow_proto.h"
#include "cow_util.h"

static const char* helper_path(void) { return guest_helper_path("cow_helper"); }

struct helper {
  zx_handle_t proc, ch, vmar;
};

static int start_helper(struct helper* h) {
  zx_handle_t theirs;
  memset(h, 0, sizeof(*h));
  CHECK_EQ(zx_channel_create(0, &h->ch, &theirs), ZX_OK);
  const char* argv[] = {"cow_helper", NULL};
  uint32_t info = PA_HND(PA_USER0, 0);
  zx_status_t s = zum_spawn(zx_job_default(), helper_path(), argv, &theirs, &info, 1, &h->proc);
  CHECK_EQ(s, ZX_OK);
  if (s != ZX_OK) return -1;
  zx_signals_t seen = 0;
  CHECK_EQ(zx_object_wait_one(h->ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, &seen), ZX_OK);
  uint32_t nb = 0, nh = 0;
  CHECK_EQ(zx_channel_read(h->ch, 0, NULL, &h->vmar, 0, 1, &nb, &nh), ZX_OK);
  CHECK_EQ(nh, 1);
  return nh == 1 ? 0 : -1;
}

static void stop_helper(struct helper* h) {
  struct cow_req req = {.op = COW_REQ_EXIT};
  CHECK_EQ(zx_channel_write(h->ch, 0, &req, sizeof(req), NULL, 0), ZX_OK);
  zx_signals_t seen = 0;
  CHECK_EQ(zx_object_wait_one(h->proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(30)), &seen),
           ZX_OK);
  zx_info_process_t pi;
  memset(&pi, 0, sizeof(pi));
  CHECK_EQ(zx_object_get_info(h->proc, ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL), ZX_OK);
  CHECK_EQ(pi.return_code, 0);
  zx_handle_close(h->vmar);
  zx_handle_close(h->proc);
  zx_handle_close(h->ch);
}

/* One request, one reply (into reply, up to COW_PROTO_MAX bytes); returns the reply's length. */
static uint32_t ask(struct helper* h, uint32_t op, uint64_t addr, uint64_t len, uint64_t off,
                    const void* data, zx_handle_t handle, void* reply) {
  static uint8_t msg[sizeof(struct cow_req) + COW_PROTO_MAX];
  struct cow_req req = {.op = op, .addr = addr, .len = len, .off = off};
  memcpy(msg, &req, sizeof(req));
  uint32_t n = sizeof(req);
  if (data) {
    memcpy(msg + n, data, len);
    n += (uint32_t)len;
  }
  CHECK_EQ(zx_channel_write(h->ch, 0, msg, n, handle ? &handle : NULL, handle ? 1 : 0), ZX_OK);
  zx_signals_t seen = 0;
  CHECK_EQ(zx_object_wait_one(h->ch, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                              zx_deadline_after(ZX_SEC(30)), &seen),
           ZX_OK);
  uint32_t nb = 0, nh = 0;
  zx_status_t s = zx_channel_read(h->ch, 0, reply, NULL, COW_PROTO_MAX, 0, &nb, &nh);
  CHECK_EQ(s, ZX_OK);
  return s == ZX_OK ? nb : 0;
}

static bool said_ok(struct helper* h, uint32_t op, uint64_t addr, uint64_t len, uint64_t off,
                    const void* data, zx_handle_t handle) {
  char r[COW_PROTO_MAX];
  uint32_t n = ask(h, op, addr, len, off, data, handle, r);
  return n == 2 && memcmp(r, "ok", 2) == 0;
}

/* Whether the helper's page at addr (READ: its own access; SEND: the supervisor's) is page
 * `page` of `tag`. */
static bool helper_page_is(struct helper* h, uint32_t op, uint64_t addr, uint32_t tag,
                           uint64_t page) {
  static uint8_t r[COW_PROTO_MAX];
  uint32_t n = ask(h, op, addr, PG, 0, NULL, ZX_HANDLE_INVALID, r);
  return n == PG && pat_is(r, tag, page);
}

/* ---- a child mapped by both processes */

static void test_shared_child(uint32_t flavour) {
  enum { N = 10 };
  bool snapshot = flavour == ZX_VMO_CHILD_SNAPSHOT;
  struct helper h;
  if (start_helper(&h) != 0) return;
  zx_handle_t p = ZX_HANDLE_INVALID, src = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(N * PG, 0, &p), ZX_OK);
  for (uint64_t i = 0; i < N; i++)
    if (i != 6) CHECK_EQ(pat_vmo_write(p, 12, i), ZX_OK); /* page 6: a hole */
  zx_handle_t c = cow_child(p, flavour, 0, N * PG);
  uint8_t* cm = cow_map(zx_vmar_root_self(), RW, c, 0, N * PG);
  uint8_t* pm = cow_map(zx_vmar_root_self(), RW, p, 0, N * PG);
  zx_handle_t dup = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(c, ZX_RIGHT_SAME_RIGHTS, &dup), ZX_OK);
  uint64_t ha = 0;
  CHECK_EQ(ask(&h, COW_REQ_MAP, 0, N * PG, 0, NULL, dup, &ha), sizeof(ha));
  CHECK(ha != 0);
  if (!cm || !pm || !ha) return;

  /* Page 0: the helper touches it first (a read). */
  CHECK(helper_page_is(&h, COW_REQ_READ, ha, 12, 0));
  CHECK(pat_is(cm, 12, 0));
  /* Page 1: here first, then there. */
  CHECK(pat_is(cm + PG, 12, 1));
  CHECK(helper_page_is(&h, COW_REQ_READ, ha + PG, 12, 1));
  /* Page 2: the helper writes first; here the rest of the page is the parent's. */
  CHECK(said_ok(&h, COW_REQ_WRITE, ha + 2 * PG + 10, 6, 0, "theirs", ZX_HANDLE_INVALID));
  uint8_t want[PG];
  pat_fill(want, 12, 2);
  memcpy(want + 10, "theirs", 6);
  CHECK(memcmp(cm + 2 * PG, want, PG) == 0);
  uint8_t buf[PG];
  CHECK_EQ(zx_vmo_read(c, buf, 2 * PG, PG), ZX_OK);
  CHECK(memcmp(buf, want, PG) == 0);
  /* Page 3: written first here, read there (their own access, then the supervisor's). */
  memcpy(cm + 3 * PG + 100, "mine", 4);
  pat_fill(want, 12, 3);
  memcpy(want + 100, "mine", 4);
  static uint8_t r[COW_PROTO_MAX];
  CHECK_EQ(ask(&h, COW_REQ_READ, ha + 3 * PG, PG, 0, NULL, ZX_HANDLE_INVALID, r), PG);
  CHECK(memcmp(r, want, PG) == 0);
  CHECK_EQ(ask(&h, COW_REQ_SEND, ha + 3 * PG, PG, 0, NULL, ZX_HANDLE_INVALID, r), PG);
  CHECK(memcmp(r, want, PG) == 0);
  /* Pages 4 and 5: the parent changes after the clone, by zx_vmo_write and through its
   * mapping; no one has touched them in the child. SNAPSHOT: neither process sees it. */
  if (snapshot) {
    CHECK_EQ(pat_vmo_write(p, 40, 4), ZX_OK);
    pat_fill(pm + 5 * PG, 40, 5);
    CHECK(helper_page_is(&h, COW_REQ_SEND, ha + 4 * PG, 12, 4)); /* the supervisor first */
    CHECK(helper_page_is(&h, COW_REQ_READ, ha + 5 * PG, 12, 5));
    CHECK(pat_is(cm + 4 * PG, 12, 4));
    CHECK(pat_is(cm + 5 * PG, 12, 5));
    CHECK(pat_vmo_is(c, 12, 5));
  }
  /* Page 6, a hole everywhere: zeros there, then their write seen here. */
  CHECK(helper_page_is(&h, COW_REQ_SEND, ha + 6 * PG, 0, 6));
  CHECK(said_ok(&h, COW_REQ_WRITE, ha + 6 * PG + PG - 3, 3, 0, "end", ZX_HANDLE_INVALID));
  CHECK(memcmp(cm + 7 * PG - 3, "end", 3) == 0);
  CHECK_EQ(cm[6 * PG], 0);
  /* Page 7: the supervisor writes into the helper's untouched page (zx_vmo_read there). */
  CHECK_EQ(zx_vmo_create(PG, 0, &src), ZX_OK);
  CHECK_EQ(zx_vmo_write(src, "from the source vmo!", 0, 20), ZX_OK);
  zx_handle_t src_dup = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(src, ZX_RIGHT_SAME_RIGHTS, &src_dup), ZX_OK);
  CHECK(said_ok(&h, COW_REQ_SET_SRC, 0, 0, 0, NULL, src_dup));
  CHECK(said_ok(&h, COW_REQ_VMO_READ_INTO, ha + 7 * PG + 100, 20, 0, NULL, ZX_HANDLE_INVALID));
  pat_fill(want, 12, 7);
  memcpy(want + 100, "from the source vmo!", 20);
  CHECK(memcmp(cm + 7 * PG, want, PG) == 0);
  CHECK_EQ(zx_vmo_read(c, buf, 7 * PG, PG), ZX_OK);
  CHECK(memcmp(buf, want, PG) == 0);
  /* Pages 8-9: both write the same untouched page, one after the other, different bytes. */
  CHECK(said_ok(&h, COW_REQ_WRITE, ha + 8 * PG, 2, 0, "AB", ZX_HANDLE_INVALID));
  cm[8 * PG + 2] = 'C';
  cm[9 * PG] = 'x';
  CHECK(said_ok(&h, COW_REQ_WRITE, ha + 9 * PG + 1, 1, 0, "y", ZX_HANDLE_INVALID));
  pat_fill(want, 12, 8);
  memcpy(want, "ABC", 3);
  CHECK_EQ(ask(&h, COW_REQ_READ, ha + 8 * PG, PG, 0, NULL, ZX_HANDLE_INVALID, r), PG);
  CHECK(memcmp(r, want, PG) == 0);
  pat_fill(want, 12, 9);
  memcpy(want, "xy", 2);
  CHECK(memcmp(cm + 9 * PG, want, PG) == 0);

  /* The parent never changed, but for its own writes. */
  for (uint64_t i = 0; i < N; i++) {
    uint32_t tag = i == 6 ? 0 : snapshot && (i == 4 || i == 5) ? 40 : 12;
    CHECK(pat_vmo_is(p, tag, i));
    CHECK(pat_is(pm + i * PG, tag, i));
  }
  /* The helper gone (its mapping with it): the child keeps every page. */
  stop_helper(&h);
  CHECK_EQ(zx_vmo_read(c, buf, 8 * PG, 3), ZX_OK);
  CHECK(memcmp(buf, "ABC", 3) == 0);
  CHECK(pat_vmo_is(c, 12, 0));
  cow_unmap(cm, N * PG);
  cow_unmap(pm, N * PG);
  zx_handle_close(src);
  zx_handle_close(c);
  zx_handle_close(p);
}

/* ---- a child mapped into the helper from here */

static void test_remote_map(void) {
  struct helper h;
  if (start_helper(&h) != 0) return;
  zx_handle_t p = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(4 * PG, 0, &p), ZX_OK);
  for (uint64_t i = 0; i < 4; i++) CHECK_EQ(pat_vmo_write(p, 14, i), ZX_OK);
  zx_handle_t c = cow_child(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  zx_vaddr_t ha = 0;
  CHECK_EQ(zx_vmar_map(h.vmar, RW, 0, c, 0, 4 * PG, &ha), ZX_OK);
  CHECK_EQ(pat_vmo_write(p, 41, 1), ZX_OK); /* after the clone */
  CHECK(helper_page_is(&h, COW_REQ_SEND, ha, 14, 0));
  CHECK(helper_page_is(&h, COW_REQ_READ, ha + PG, 14, 1));
  CHECK(said_ok(&h, COW_REQ_WRITE, ha + 2 * PG + 1, 3, 0, "rem", ZX_HANDLE_INVALID));
  uint8_t want[PG], buf[PG];
  pat_fill(want, 14, 2);
  memcpy(want + 1, "rem", 3);
  CHECK_EQ(zx_vmo_read(c, buf, 2 * PG, PG), ZX_OK);
  CHECK(memcmp(buf, want, PG) == 0);
  CHECK(pat_vmo_is(p, 14, 2));
  /* zx_process_read_memory of the helper's untouched page 3. */
  size_t actual = 0;
  CHECK_EQ(zx_process_read_memory(h.proc, ha + 3 * PG, buf, PG, &actual), ZX_OK);
  CHECK_EQ(actual, PG);
  CHECK(pat_is(buf, 14, 3));
  /* Unmapped there, a fresh child mapped: its bytes (the parent's page 1 as rewritten). */
  CHECK_EQ(zx_vmar_unmap(h.vmar, ha, 4 * PG), ZX_OK);
  zx_handle_t c2 = cow_child(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  zx_vaddr_t ha2 = 0;
  CHECK_EQ(zx_vmar_map(h.vmar, RW, 0, c2, 0, 4 * PG, &ha2), ZX_OK);
  CHECK(helper_page_is(&h, COW_REQ_READ, ha2 + PG, 41, 1));
  CHECK(helper_page_is(&h, COW_REQ_SEND, ha2 + 2 * PG, 14, 2));
  stop_helper(&h);
  zx_handle_close(c2);
  zx_handle_close(c);
  zx_handle_close(p);
}

/* ---- a pure process */

/* The pure process's code. rsi (arg2) = the address of a mapped copy-on-write child of two
 * pages: it copies byte 0 to byte 1 and byte PG to byte PG + 1; then it writes 0x77 and 0x78 at
 * the starts of the two pages of a writable mapping of a VMO that has a snapshot (its address is
 * the 8 bytes at COW_PARENT_AT in the code page): writes to a write-protected parent; then it
 * stores "DONE" at byte 8 of the child and spins (it makes no Zircon call: no vDSO is mapped). */
#define COW_PARENT_AT 256
__asm__(".pushsection .rodata.cow_code, \"a\"\n"
        ".balign 16\n"
        ".globl cow_code, cow_code_end\n"
        ".hidden cow_code, cow_code_end\n"
        "cow_code:\n"
        "  movzbl (%rsi), %eax\n"
        "  mov %al, 1(%rsi)\n"
        "  movzbl 4096(%rsi), %ecx\n"
        "  mov %cl, 4097(%rsi)\n"
        "  movq cow_code+256(%rip), %rdi\n"
        "  movb $0x77, (%rdi)\n"
        "  movb $0x78, 4096(%rdi)\n"
        "  movl $0x454e4f44, 8(%rsi)\n"
        "1:\n"
        "  pause\n"
        "  jmp 1b\n"
        "cow_code_end:\n"
        ".popsection\n");
extern const char cow_code[], cow_code_end[];

static void test_pure_process(void) {
  zx_handle_t proc = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID, thread = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_process_create(zx_job_default(), "cow-pure", 8, 0, &proc, &vmar), ZX_OK);
  if (!proc) return;
  /* Code: a VMO holding it, a snapshot child of that made executable and mapped untouched. */
  zx_handle_t code = ZX_HANDLE_INVALID, xchild = ZX_HANDLE_INVALID;
  /* A parent mapped writable there, then a snapshot of it: the mapping is write-protected (or,
   * on the fallback, the snapshot takes its pages now). */
  zx_handle_t wp = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(2 * PG, 0, &wp), ZX_OK);
  for (uint64_t i = 0; i < 2; i++) CHECK_EQ(pat_vmo_write(wp, 16, i), ZX_OK);
  zx_vaddr_t wp_addr = 0;
  CHECK_EQ(zx_vmar_map(vmar, RW, 0, wp, 0, 2 * PG, &wp_addr), ZX_OK);
  zx_handle_t wps = cow_child(wp, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * PG);
  CHECK_EQ(cow_committed(wps), cow_expect_uffd() ? 0 : 2 * PG);
  uint8_t page[PG];
  memset(page, 0xcc, sizeof(page)); /* int3 around the code */
  CHECK((size_t)(cow_code_end - cow_code) <= COW_PARENT_AT);
  memcpy(page, cow_code, (size_t)(cow_code_end - cow_code));
  memcpy(page + COW_PARENT_AT, &wp_addr, sizeof(wp_addr));
  CHECK_EQ(zx_vmo_create(PG, 0, &code), ZX_OK);
  CHECK_EQ(zx_vmo_write(code, page, 0, PG), ZX_OK);
  zx_handle_t cchild = cow_child(code, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, PG);
  CHECK_EQ(zx_vmo_replace_as_executable(cchild, ZX_HANDLE_INVALID, &xchild), ZX_OK);
  zx_vaddr_t entry = 0;
  CHECK_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, xchild, 0, PG, &entry),
           ZX_OK);
  /* Data: a snapshot of a written parent, three pages (the third touched by no one). */
  zx_handle_t dp = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(3 * PG, 0, &dp), ZX_OK);
  for (uint64_t i = 0; i < 3; i++) CHECK_EQ(pat_vmo_write(dp, 15, i), ZX_OK);
  zx_handle_t dc = cow_child(dp, ZX_VMO_CHILD_SNAPSHOT, 0, 3 * PG);
  zx_vaddr_t data = 0;
  CHECK_EQ(zx_vmar_map(vmar, RW, 0, dc, 0, 3 * PG, &data), ZX_OK);
  /* A stack, unused by the code. */
  zx_handle_t stack = ZX_HANDLE_INVALID;
  zx_vaddr_t stack_base = 0;
  CHECK_EQ(zx_vmo_create(4 * PG, 0, &stack), ZX_OK);
  CHECK_EQ(zx_vmar_map(vmar, RW, 0, stack, 0, 4 * PG, &stack_base), ZX_OK);
  CHECK_EQ(zx_thread_create(proc, "cow-thread", 10, 0, &thread), ZX_OK);
  CHECK_EQ(pat_vmo_write(dp, 42, 0), ZX_OK); /* after the clone: not in the child */
  CHECK_EQ(zx_process_start(proc, thread, entry, stack_base + 4 * PG - 8, ZX_HANDLE_INVALID, data),
           ZX_OK);
  /* Wait for "DONE" in the child (read with zx_vmo_read), at most 20 s. */
  char done[4] = {0};
  zx_time_t deadline = zx_deadline_after(ZX_SEC(20));
  while (zx_clock_get_monotonic() < deadline) {
    CHECK_EQ(zx_vmo_read(dc, done, 8, 4), ZX_OK);
    if (memcmp(done, "DONE", 4) == 0) break;
    zx_signals_t seen = 0;
    if (zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_MSEC(1)), &seen) ==
        ZX_OK)
      break; /* it died */
  }
  CHECK(memcmp(done, "DONE", 4) == 0);
  uint8_t want[PG], buf[PG];
  pat_fill(want, 15, 0);
  want[1] = want[0];
  memcpy(want + 8, "DONE", 4);
  CHECK_EQ(zx_vmo_read(dc, buf, 0, PG), ZX_OK);
  CHECK(memcmp(buf, want, PG) == 0);
  pat_fill(want, 15, 1);
  want[1] = want[0];
  CHECK_EQ(zx_vmo_read(dc, buf, PG, PG), ZX_OK);
  CHECK(memcmp(buf, want, PG) == 0);
  /* The supervisor reads and writes the untouched third page in that process. */
  size_t actual = 0;
  CHECK_EQ(zx_process_read_memory(proc, data + 2 * PG, buf, PG, &actual), ZX_OK);
  CHECK_EQ(actual, PG);
  CHECK(pat_is(buf, 15, 2));
  CHECK_EQ(zx_process_read_memory(proc, data + 8, buf, 4, &actual), ZX_OK);
  CHECK(memcmp(buf, "DONE", 4) == 0);
  CHECK_EQ(zx_process_write_memory(proc, data + 2 * PG + 5, "pw", 2, &actual), ZX_OK);
  pat_fill(want, 15, 2);
  memcpy(want + 5, "pw", 2);
  CHECK_EQ(zx_vmo_read(dc, buf, 2 * PG, PG), ZX_OK);
  CHECK(memcmp(buf, want, PG) == 0);
  /* The parents never changed (but for the write made here). */
  CHECK(pat_vmo_is(dp, 42, 0));
  CHECK(pat_vmo_is(dp, 15, 1));
  CHECK(pat_vmo_is(dp, 15, 2));
  CHECK_EQ(zx_vmo_read(code, buf, 0, PG), ZX_OK);
  CHECK(memcmp(buf, page, PG) == 0);
  /* The write-protected parent took the pure process's writes; its snapshot kept the bytes of
   * when it was made, each page given to it before the write landed. */
  for (uint64_t i = 0; i < 2; i++) {
    pat_fill(want, 16, i);
    CHECK_EQ(zx_vmo_read(wps, buf, i * PG, PG), ZX_OK);
    CHECK(memcmp(buf, want, PG) == 0);
    want[0] = (uint8_t)(0x77 + i);
    CHECK_EQ(zx_vmo_read(wp, buf, i * PG, PG), ZX_OK);
    CHECK(memcmp(buf, want, PG) == 0);
  }
  CHECK_EQ(cow_committed(wps), 2 * PG);
  CHECK_EQ(zx_task_kill(proc), ZX_OK);
  zx_signals_t seen = 0;
  CHECK_EQ(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(20)), &seen),
           ZX_OK);
  zx_handle_close(thread);
  zx_handle_close(stack);
  zx_handle_close(dc);
  zx_handle_close(dp);
  zx_handle_close(xchild);
  zx_handle_close(code);
  zx_handle_close(wps);
  zx_handle_close(wp);
  zx_handle_close(vmar);
  zx_handle_close(proc);
}

int main(void) {
  fprintf(stderr, "vmo_cow_proc: expecting the %s path\n",
          cow_expect_uffd() ? "userfaultfd" : "fallback (eager copy)");
  test_shared_child(ZX_VMO_CHILD_SNAPSHOT);
  test_shared_child(ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE);
  test_remote_map();
  test_pure_process();
  return GUEST_RESULT();
}
