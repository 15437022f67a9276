/* The SCM_RIGHTS helper (host/common/scm.h) over a real socketpair: the fds a message carries arrive,
 * those beyond what the receiver takes are closed, a control buffer too small for them (the
 * kernel truncates) leaks nothing, and a malformed control buffer is not walked past. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/open_fds.h"

#include "host/common/scm.h"


static ino_t ino(int fd) {
  struct stat st;
  assert_int_equal(fstat(fd, &st), 0);
  return st.st_ino;
}

static int sock[2];
static int mine[5];

static int setup(void** state) {
  (void)state;
  assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock), 0);
  for (int i = 0; i < 5; i++) {
    mine[i] = memfd_create("scm", MFD_CLOEXEC);
    assert_true(mine[i] >= 0);
  }
  return 0;
}

static int teardown(void** state) {
  (void)state;
  for (int i = 0; i < 5; i++) close(mine[i]);
  close(sock[0]);
  close(sock[1]);
  return 0;
}

static void send_fds(size_t n) {
  char byte = 'x';
  struct iovec iov = {&byte, 1};
  ZUM_SCM_BUF(5) u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf};
  msg.msg_controllen = zum_scm_put(u.buf, sizeof(u.buf), mine, n);
  assert_int_equal(msg.msg_controllen, n ? CMSG_SPACE(n * sizeof(int)) : 0);
  assert_int_equal(sendmsg(sock[0], &msg, 0), 1);
}

/* Receives into a control buffer of `space` bytes and takes at most max fds. */
static size_t recv_fds(void* buf, size_t space, int* fds, size_t max, int* flags) {
  char byte;
  struct iovec iov = {&byte, 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
                       .msg_controllen = space};
  assert_int_equal(recvmsg(sock[1], &msg, MSG_CMSG_CLOEXEC), 1);
  *flags = msg.msg_flags;
  return zum_scm_take(buf, msg.msg_controllen, fds, max);
}

static void test_layout(void** state) {
  (void)state;
  for (size_t n = 0; n <= 8; n++) {
    assert_int_equal(ZUM_SCM_LEN(n), CMSG_LEN(n * sizeof(int)));
    assert_int_equal(ZUM_SCM_SPACE(n), CMSG_SPACE(n * sizeof(int)));
  }
  ZUM_SCM_BUF(2) u;
  int fds[3] = {1, 2, 3};
  assert_int_equal(zum_scm_put(u.buf, sizeof(u.buf), fds, 0), 0);
  assert_int_equal(zum_scm_put(u.buf, sizeof(u.buf), fds, 3), 0); /* does not fit */
  assert_int_equal(zum_scm_put(u.buf, sizeof(u.buf), fds, 2), CMSG_SPACE(2 * sizeof(int)));
  struct msghdr msg = {.msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
  struct cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  assert_int_equal(cm->cmsg_level, SOL_SOCKET);
  assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
  assert_int_equal(cm->cmsg_len, CMSG_LEN(2 * sizeof(int)));
  assert_memory_equal(CMSG_DATA(cm), fds, 2 * sizeof(int));
  assert_null(CMSG_NXTHDR(&msg, cm));
}

static void test_carried(void** state) {
  (void)state;
  int before = open_fds();
  send_fds(3);
  ZUM_SCM_BUF(5) u;
  int fds[5], flags;
  assert_int_equal(recv_fds(u.buf, sizeof(u.buf), fds, 5, &flags), 3);
  assert_false(flags & MSG_CTRUNC);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(ino(fds[i]), ino(mine[i]));
    assert_true(fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
    close(fds[i]);
  }
  assert_int_equal(open_fds(), before);
  /* None sent: none taken. */
  send_fds(0);
  assert_int_equal(recv_fds(u.buf, sizeof(u.buf), fds, 5, &flags), 0);
  assert_int_equal(open_fds(), before);
}

/* More fds than the receiver takes: the first max are its, the rest are closed. */
static void test_extra_closed(void** state) {
  (void)state;
  int before = open_fds();
  send_fds(5);
  ZUM_SCM_BUF(5) u;
  int fds[5] = {-1, -1, -1, -1, -1}, flags;
  assert_int_equal(recv_fds(u.buf, sizeof(u.buf), fds, 2, &flags), 2);
  assert_int_equal(fds[2], -1);
  assert_int_equal(ino(fds[0]), ino(mine[0]));
  assert_int_equal(ino(fds[1]), ino(mine[1]));
  assert_int_equal(open_fds(), before + 2);
  close(fds[0]);
  close(fds[1]);
  assert_int_equal(open_fds(), before);
  /* A receiver that wants none closes them all. */
  send_fds(5);
  assert_int_equal(recv_fds(u.buf, sizeof(u.buf), fds, 0, &flags), 0);
  assert_int_equal(open_fds(), before);
}

/* A control buffer too small for what was sent: the kernel installs what fits and says
 * MSG_CTRUNC; nothing leaks. */
static void test_truncated(void** state) {
  (void)state;
  int before = open_fds();
  send_fds(5);
  ZUM_SCM_BUF(2) u;
  int fds[5], flags;
  size_t n = recv_fds(u.buf, sizeof(u.buf), fds, 5, &flags);
  assert_true(flags & MSG_CTRUNC);
  assert_true(n <= 2);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(ino(fds[i]), ino(mine[i]));
    close(fds[i]);
  }
  assert_int_equal(open_fds(), before);
}

/* Two SCM_RIGHTS messages in one control buffer, bounded by max; a malformed header stops the
 * walk (nothing past the given length is read or closed). */
static void test_walk(void** state) {
  (void)state;
  int before = open_fds();
  union {
    char buf[ZUM_SCM_SPACE(2) + ZUM_SCM_SPACE(2) + 64];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof(u));
  int a[2] = {dup(mine[0]), dup(mine[1])}, b[2] = {dup(mine[2]), dup(mine[3])};
  size_t l1 = zum_scm_put(u.buf, sizeof(u.buf), a, 2);
  size_t l2 = zum_scm_put(u.buf + l1, sizeof(u.buf) - l1, b, 2);
  int fds[4];
  assert_int_equal(zum_scm_take(u.buf, l1 + l2, fds, 3), 3);
  assert_int_equal(fds[0], a[0]);
  assert_int_equal(fds[1], a[1]);
  assert_int_equal(fds[2], b[0]);
  assert_int_equal(fcntl(b[1], F_GETFD), -1); /* closed */
  for (int i = 0; i < 3; i++) close(fds[i]);
  assert_int_equal(open_fds(), before);

  /* A header claiming more than there is. */
  int c[1] = {dup(mine[4])};
  size_t l = zum_scm_put(u.buf, sizeof(u.buf), c, 1);
  assert_int_equal(zum_scm_take(u.buf, l - 8, fds, 4), 0);
  assert_true(fcntl(c[0], F_GETFD) >= 0); /* not touched */
  assert_int_equal(zum_scm_take(u.buf, 4, fds, 4), 0);
  assert_int_equal(zum_scm_take(NULL, 0, fds, 4), 0);
  assert_int_equal(zum_scm_take(u.buf, l, fds, 4), 1);
  assert_int_equal(fds[0], c[0]);
  close(c[0]);
  assert_int_equal(open_fds(), before);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_layout),       cmocka_unit_test(test_carried),
      cmocka_unit_test(test_extra_closed), cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_walk),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
