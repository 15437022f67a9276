/* Tests of zum's pure-process stub (host/guest/stub/): this program plays the supervisor. It starts the
 * stub with host_spawn_pure, talks the agent protocol on its socket, maps guest code from memfds,
 * seals, starts threads and serves (or inspects) the seccomp notifications they cause. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include <zircon/types.h>
#include <zum/abi-private.h>
#include <zum/sysno.h>

#include "host/common/scm.h"
#include "host/sv/guest.h"
#include "host/sv/seccomp.h"
#include "host/sv/spawn.h"
#include "host/guest/stub/stub.h"
#include "host/sv/uffd.h"

#ifndef ZUM_STUB_PATH
#error "ZUM_STUB_PATH: the build directory's zum-stub"
#endif

static int failures;
static const char* scenario = "";

#define CHECK(cond)                                                                     \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      fprintf(stderr, "FAIL [%s] %s:%d: %s\n", scenario, __FILE__, __LINE__, #cond);   \
      failures++;                                                                       \
    }                                                                                   \
  } while (0)
#define CHECK_EQ(a, b)                                                                   \
  do {                                                                                   \
    uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                     \
    if (a_ != b_) {                                                                      \
      fprintf(stderr, "FAIL [%s] %s:%d: %s == %s (0x%" PRIx64 " != 0x%" PRIx64 ")\n",    \
              scenario, __FILE__, __LINE__, #a, #b, a_, b_);                             \
      failures++;                                                                        \
    }                                                                                    \
  } while (0)
/* A failed step that the rest of a scenario depends on. */
#define REQUIRE(cond)                                                                   \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      fprintf(stderr, "FAIL [%s] %s:%d: %s (fatal)\n", scenario, __FILE__, __LINE__,   \
              #cond);                                                                   \
      exit(1);                                                                          \
    }                                                                                   \
  } while (0)

/* ---------------------------------------------------------------- guest code
 * One position-independent image, copied into a memfd and mapped at CODE_ADDR. Offset 0 is the
 * "vDSO": the only place whose `syscall` the seal allows for zum's numbers. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define PAGE_EXIT_THREAD_FN "0x1ff030" /* ZUM_PAGE_ADDR + offsetof(zum_page_t, exit_thread_fn) */
#define PAGE_DO_WORK_FN "0x1ff028"
#define PAGE_CLOCK_FN "0x1ff008"

__asm__(
    ".pushsection .rodata.stub_test_guest, \"a\"\n"
    ".globl guest_image, guest_image_end, g_zumcall, g_zumcall_end, g_exit, g_exit_ret\n"
    ".globl g_getpid, g_getpid_after, g_rogue, g_rogue_after, g_segv, g_segv_insn\n"
    ".globl g_regs, g_regs_ret, g_clock, g_work, g_thread_exit\n"
    ".globl g_int3, g_int3_after, g_div0, g_div0_insn, g_load, g_cow, g_store\n"
    "guest_image:\n"
    "g_zumcall:\n"
    "  syscall\n"
    "  ret\n"
    "g_zumcall_end:\n"
    /* zum call with rdi/rsi as given, rdx = rsp at entry, r10 = entry pc */
    "g_exit:\n"
    "  mov %rsp, %rdx\n"
    "  lea g_exit(%rip), %r10\n"
    "  mov $" STR(ZUM_SYS_process_exit) ", %eax\n"
    "  call g_zumcall\n"
    "g_exit_ret:\n"
    "  ud2\n"
    /* A Linux system call from guest code. */
    "g_getpid:\n"
    "  mov $39, %eax\n"
    "  syscall\n"
    "g_getpid_after:\n"
    "  ud2\n"
    /* A zum call that is not made from the vDSO's code. */
    "g_rogue:\n"
    "  mov $" STR(ZUM_SYS_process_exit) ", %eax\n"
    "  syscall\n"
    "g_rogue_after:\n"
    "  ud2\n"
    /* A store to address 0. */
    "g_segv:\n"
    "  xor %eax, %eax\n"
    "g_segv_insn:\n"
    "  movl $1, (%rax)\n"
    "  ud2\n"
    /* A load from rdi. */
    "g_load:\n"
    "  mov (%rdi), %eax\n"
    "  ud2\n"
    /* A breakpoint and a division by zero. */
    "g_int3:\n"
    "  int3\n"
    "g_int3_after:\n"
    "  ud2\n"
    "g_div0:\n"
    "  xor %ecx, %ecx\n"
    "g_div0_insn:\n"
    "  div %ecx\n"
    "  ud2\n"
    /* Stores every start register below rsp (nothing is pushed before), then a zum call with
     * rdi = rsp. */
    "g_regs:\n"
    "  mov %rax, -16(%rsp)\n"
    "  mov %rbx, -24(%rsp)\n"
    "  mov %rcx, -32(%rsp)\n"
    "  mov %rdx, -40(%rsp)\n"
    "  mov %rbp, -48(%rsp)\n"
    "  mov %rdi, -56(%rsp)\n"
    "  mov %rsi, -64(%rsp)\n"
    "  mov %r8, -72(%rsp)\n"
    "  mov %r9, -80(%rsp)\n"
    "  mov %r10, -88(%rsp)\n"
    "  mov %r11, -96(%rsp)\n"
    "  mov %r12, -104(%rsp)\n"
    "  mov %r13, -112(%rsp)\n"
    "  mov %r14, -120(%rsp)\n"
    "  mov %r15, -128(%rsp)\n"
    "  mov %rsp, -136(%rsp)\n"
    "  pushfq\n"
    "  pop %rax\n"
    "  mov %rax, -144(%rsp)\n"
    "  rdfsbase %rax\n"
    "  mov %rax, -152(%rsp)\n"
    "  rdgsbase %rax\n"
    "  mov %rax, -160(%rsp)\n"
    "  movq %xmm0, %rax\n"
    "  mov %rax, -168(%rsp)\n"
    "  movq %xmm15, %rax\n"
    "  mov %rax, -176(%rsp)\n"
    "  stmxcsr -180(%rsp)\n"
    "  fnstcw -182(%rsp)\n"
    "  fnstsw -184(%rsp)\n"
    "  mov %cs, -186(%rsp)\n"
    "  mov %ss, -188(%rsp)\n"
    "  mov %rsp, %rdi\n"
    "  mov $" STR(ZUM_SYS_process_exit) ", %eax\n"
    "  call g_zumcall\n"
    "g_regs_ret:\n"
    "  ud2\n"
    /* The zum page's clock: rdi = its result, rsi/rdx = CLOCK_MONOTONIC's seconds/nanoseconds. */
    "g_clock:\n"
    "  and $-16, %rsp\n"
    "  sub $32, %rsp\n"
    "  mov $1, %edi\n"
    "  mov %rsp, %rsi\n"
    "  mov " PAGE_CLOCK_FN ", %rax\n"
    "  call *%rax\n"
    "  mov %rax, %rdi\n"
    "  mov (%rsp), %rsi\n"
    "  mov 8(%rsp), %rdx\n"
    "  mov $" STR(ZUM_SYS_process_exit) ", %eax\n"
    "  call g_zumcall\n"
    "  ud2\n"
    /* The zum page's do_work on the work block at rdi, then a zum call with rdi = its error. */
    "g_work:\n"
    "  mov %rdi, %rbx\n"
    "  mov " PAGE_DO_WORK_FN ", %rax\n"
    "  call *%rax\n"
    "  movslq 4(%rbx), %rdi\n"
    "  mov $" STR(ZUM_SYS_process_exit) ", %eax\n"
    "  call g_zumcall\n"
    "  ud2\n"
    /* A zum call, then the zum page's exit_thread. */
    "g_thread_exit:\n"
    "  mov $" STR(ZUM_SYS_process_exit) ", %eax\n"
    "  call g_zumcall\n"
    "  mov " PAGE_EXIT_THREAD_FN ", %rax\n"
    "  call *%rax\n"
    "  ud2\n"
    /* Copy-on-write: at rdi a mapping of 4+ pages; reads page 0, writes rsi at page 1 + 8,
     * reads page 2 + 96 and page 3, then a zum call with those three loads. */
    "g_cow:\n"
    "  mov (%rdi), %rax\n"
    "  mov %rsi, 4104(%rdi)\n"
    "  mov 8288(%rdi), %rdx\n"
    "  mov 12288(%rdi), %rcx\n"
    "  mov %rax, %rdi\n"
    "  mov %rdx, %rsi\n"
    "  mov %rcx, %rdx\n"
    "  mov $" STR(ZUM_SYS_process_exit) ", %eax\n"
    "  call g_zumcall\n"
    "  ud2\n"
    /* Stores rsi at rdi, loads it back, then a zum call with what it loaded. */
    "g_store:\n"
    "  mov %rsi, (%rdi)\n"
    "  mov (%rdi), %rax\n"
    "  mov %rax, %rdi\n"
    "  mov $" STR(ZUM_SYS_process_exit) ", %eax\n"
    "  call g_zumcall\n"
    "  ud2\n"
    "guest_image_end:\n"
    ".popsection\n");

extern const char guest_image[], guest_image_end[], g_zumcall[], g_zumcall_end[], g_exit[],
    g_exit_ret[], g_getpid[], g_getpid_after[], g_rogue[], g_rogue_after[], g_segv[],
    g_segv_insn[], g_regs[], g_regs_ret[], g_clock[], g_work[], g_thread_exit[], g_int3[],
    g_int3_after[], g_div0[], g_div0_insn[], g_load[], g_cow[], g_store[];

#define CODE_ADDR 0x10000000ul
#define STACK_ADDR 0x20000000ul
#define STACK_PAGES 4ul
#define DATA_ADDR 0x30000000ul
#define PAGE 4096ul
#define GUEST(sym) (CODE_ADDR + (uint64_t)((sym) - guest_image))

/* ---------------------------------------------------------------- userfaultfd */
/* Whether this host lets a process have a userfaultfd with what the stub asks for (then the
 * stub's hello must say ZUM_AGENT_CAP_UFFD). */
/* Whether this host's userfaultfd can write-protect shared memory (ZUM_AGENT_CAP_WP). */
static int host_wp = -1;

static bool host_has_uffd(void) {
  static int known = -1;
  if (known >= 0) return known;
  host_wp = 0;
  long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
  if (fd < 0) fd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
  known = 0;
  if (fd >= 0) {
    struct uffdio_api api = {.api = UFFD_API,
                             .features = UFFD_FEATURE_SIGBUS | UFFD_FEATURE_MISSING_SHMEM};
    known = ioctl((int)fd, UFFDIO_API, &api) == 0;
    close((int)fd);
  }
  if (known) {
    fd = syscall(SYS_userfaultfd, O_CLOEXEC);
    if (fd < 0) fd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
    struct uffdio_api api = {.api = UFFD_API,
                             .features = UFFD_FEATURE_SIGBUS | UFFD_FEATURE_MISSING_SHMEM |
                                         UFFD_FEATURE_WP_HUGETLBFS_SHMEM};
    host_wp = fd >= 0 && ioctl((int)fd, UFFDIO_API, &api) == 0;
    if (fd >= 0) close((int)fd);
  }
  return known;
}

/* The fds open in a process, and what one of them is. */
static int count_fds(pid_t pid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
  DIR* d = opendir(path);
  REQUIRE(d);
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

/* How many of a process's fds are the memfd called `name`. */
static int count_fds_named(pid_t pid, const char* name) {
  char path[64], want[96], link[128];
  snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
  snprintf(want, sizeof(want), "/memfd:%s", name);
  DIR* d = opendir(path);
  REQUIRE(d);
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char fdpath[384];
    snprintf(fdpath, sizeof(fdpath), "%s/%s", path, e->d_name);
    ssize_t k = readlink(fdpath, link, sizeof(link) - 1);
    link[k > 0 ? k : 0] = 0;
    if (strncmp(link, want, strlen(want)) == 0) n++;
  }
  closedir(d);
  return n;
}

/* Sends one fd down a work channel, tagged with a work token (ZUM_WORK_FD_CHANNEL). */
static void send_work_fd(int chan, uint64_t token, int fd) {
  struct iovec iov = {&token, sizeof(token)};
  ZUM_SCM_BUF(1) u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf};
  msg.msg_controllen = zum_scm_put(u.buf, sizeof(u.buf), &fd, 1);
  REQUIRE(sendmsg(chan, &msg, 0) == (ssize_t)sizeof(token));
}

static const char* fd_target(pid_t pid, int fd) {
  static char link[128];
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
  ssize_t n = readlink(path, link, sizeof(link) - 1);
  link[n > 0 ? n : 0] = 0;
  return link;
}

/* ---------------------------------------------------------------- a stub process */
struct stub {
  struct host_guest g;
  int agent;
  int work; /* the supervisor's end of the work channel (ZUM_WORK_FD_CHANNEL) */
  pid_t main_tid;
  int code_fd, stack_fd, data_fd;
  int uffd; /* the stub's userfaultfd, handed over with its hello, or -1 */
  uint64_t token;
};

static int memfd(const char* name, size_t size) {
  int fd = memfd_create(name, MFD_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(ftruncate(fd, (off_t)size) == 0);
  return fd;
}

/* Sends one record (with fds) and returns the reply. */
static zum_agent_reply_t agent_call(struct stub* s, zum_agent_msg_t* m, const int* fds, int nfds) {
  m->token = ++s->token;
  struct iovec iov = {m, sizeof(*m)};
  ZUM_SCM_BUF(ZUM_WORK_MAX_OPS) u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  if (nfds > 0) {
    REQUIRE(nfds <= (int)ZUM_WORK_MAX_OPS);
    msg.msg_control = u.buf;
    msg.msg_controllen = zum_scm_put(u.buf, sizeof(u.buf), fds, (size_t)nfds);
  }
  REQUIRE(sendmsg(s->agent, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(*m));
  zum_agent_reply_t r;
  REQUIRE(recv(s->agent, &r, sizeof(r), 0) == (ssize_t)sizeof(r));
  CHECK_EQ(r.token, m->token);
  return r;
}

static zum_agent_reply_t work(struct stub* s, const zum_work_op_t* ops, uint32_t n, const int* fds,
                              int nfds) {
  zum_agent_msg_t m;
  memset(&m, 0, sizeof(m));
  m.kind = ZUM_AGENT_WORK;
  m.u.work.num_ops = n;
  memcpy(m.u.work.ops, ops, sizeof(*ops) * n);
  return agent_call(s, &m, fds, nfds);
}

static zum_agent_reply_t seal(struct stub* s, uint64_t start, uint64_t end) {
  zum_agent_msg_t m;
  memset(&m, 0, sizeof(m));
  m.kind = ZUM_AGENT_SEAL;
  m.u.seal.code_start = start;
  m.u.seal.code_end = end;
  return agent_call(s, &m, NULL, 0);
}

static zum_agent_reply_t start_thread(struct stub* s, uint64_t pc, uint64_t sp, uint64_t arg1,
                                      uint64_t arg2, uint64_t fs, uint64_t gs) {
  zum_agent_msg_t m;
  memset(&m, 0, sizeof(m));
  m.kind = ZUM_AGENT_START_THREAD;
  m.u.start.pc = pc;
  m.u.start.sp = sp;
  m.u.start.arg1 = arg1;
  m.u.start.arg2 = arg2;
  m.u.start.fs_base = fs;
  m.u.start.gs_base = gs;
  return agent_call(s, &m, NULL, 0);
}

/* Starts a stub, reads its hello, maps the guest image (R X), a stack (RW) and a data area. */
static void stub_start(struct stub* s, const char* name) {
  memset(s, 0, sizeof(*s));
  REQUIRE(host_spawn_pure(ZUM_STUB_PATH, name, &s->g, &s->agent, &s->work) == 0);
  /* The hello: with a userfaultfd, the capabilities and the userfaultfd itself. */
  zum_agent_reply_t hello;
  struct iovec iov = {&hello, sizeof(hello)};
  ZUM_SCM_BUF(2) u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                       .msg_controllen = sizeof(u.buf)};
  REQUIRE(recvmsg(s->agent, &msg, MSG_CMSG_CLOEXEC) == (ssize_t)sizeof(hello));
  int hello_fds[2];
  size_t nfds = zum_scm_take(u.buf, msg.msg_controllen, hello_fds, 2);
  s->uffd = nfds > 0 ? hello_fds[0] : -1;
  if (nfds > 1) close(hello_fds[1]);
  CHECK_EQ(hello.token, 0);
  int caps = ZUM_AGENT_CAP_WORK_FDS; /* it has the work channel */
  if (host_has_uffd())
    caps |= ZUM_AGENT_CAP_UFFD | ZUM_AGENT_CAP_VM_FAULT | (host_wp ? ZUM_AGENT_CAP_WP : 0);
  CHECK_EQ(hello.error, caps);
  CHECK_EQ(hello.tid, s->g.pid);
  CHECK_EQ(nfds, host_has_uffd() ? 1u : 0u);
  if (s->uffd >= 0) CHECK(strcmp(fd_target(getpid(), s->uffd), "anon_inode:[userfaultfd]") == 0);
  s->main_tid = hello.tid;

  size_t code_len = (size_t)(guest_image_end - guest_image);
  s->code_fd = memfd("code", PAGE);
  REQUIRE(pwrite(s->code_fd, guest_image, code_len, 0) == (ssize_t)code_len);
  s->stack_fd = memfd("stack", STACK_PAGES * PAGE);
  s->data_fd = memfd("data", 2 * PAGE);
  zum_work_op_t ops[3] = {
      {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, .addr = CODE_ADDR,
       .len = PAGE},
      {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, .addr = STACK_ADDR,
       .len = STACK_PAGES * PAGE},
      {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, .addr = DATA_ADDR,
       .len = 2 * PAGE},
  };
  int fds[3] = {s->code_fd, s->stack_fd, s->data_fd};
  zum_agent_reply_t r = work(s, ops, 3, fds, 3);
  CHECK_EQ(r.error, 0);
}

static void stub_seal(struct stub* s) {
  zum_agent_reply_t r = seal(s, GUEST(g_zumcall), GUEST(g_zumcall_end));
  CHECK_EQ(r.error, 0);
}

/* Kills and reaps the stub; every fd closed. */
static void stub_end(struct stub* s) {
  host_guest_kill(&s->g);
  int sig = 0;
  host_guest_reap(&s->g, -1, &sig);
  CHECK_EQ(sig, SIGKILL);
  host_guest_close(&s->g);
  close(s->agent);
  if (s->work >= 0) close(s->work);
  close(s->code_fd);
  close(s->stack_fd);
  close(s->data_fd);
  if (s->uffd >= 0) close(s->uffd);
}

/* The next seccomp notification; fails the test if the stub dies instead. */
static void next_notif(struct stub* s, struct host_notif* n) {
  for (;;) {
    struct pollfd p[2] = {{s->g.listener, POLLIN, 0}, {s->g.pidfd, POLLIN, 0}};
    int r = poll(p, 2, -1);
    if (r < 0 && errno == EINTR) continue;
    REQUIRE(r > 0);
    if (p[0].revents & POLLIN) {
      int got = host_seccomp_recv(s->g.listener, n);
      REQUIRE(got >= 0);
      if (got == 1) return;
      continue;
    }
    REQUIRE(!(p[1].revents & POLLIN) && "the stub died");
  }
}

static void expect_fault(struct stub* s, pid_t tid, uint64_t signo, uint64_t code, uint64_t addr,
                         uint64_t pc) {
  struct host_notif n;
  next_notif(s, &n);
  CHECK_EQ(n.nr, ZUM_SYS_fault);
  CHECK_EQ(n.tid, tid);
  CHECK_EQ(n.args[0], signo);
  CHECK_EQ(n.args[1], code);
  CHECK_EQ(n.args[2], addr);
  CHECK_EQ(n.args[3], pc);
  /* The fault came from the stub's handler. */
  CHECK(n.ip >= 0x10000 && n.ip < ZUM_USER_BASE);
}

/* A vm_fault call from the stub's fault handler (what it could not resolve itself). */
static void expect_vm_fault(struct stub* s, pid_t tid, uint64_t addr, uint32_t flags,
                            uint64_t* id) {
  struct host_notif n;
  next_notif(s, &n);
  CHECK_EQ(n.nr, ZUM_SYS_vm_fault);
  CHECK_EQ(n.tid, tid);
  CHECK_EQ(n.args[0], addr);
  CHECK_EQ(n.args[1], flags);
  CHECK(n.ip >= 0x10000 && n.ip < ZUM_USER_BASE); /* from the stub's handler */
  *id = n.id;
}

/* ---------------------------------------------------------------- /proc checks */
struct mapping {
  uint64_t start, end;
  char perms[5];
  char name[64];
};

static int read_maps(pid_t pid, struct mapping* m, int max) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
  FILE* f = fopen(path, "re");
  REQUIRE(f);
  char line[512];
  int n = 0;
  while (n < max && fgets(line, sizeof(line), f)) {
    struct mapping* x = &m[n];
    memset(x, 0, sizeof(*x));
    int off = 0;
    if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %*s %*s %*s%n", &x->start, &x->end, x->perms,
               &off) < 3)
      continue;
    sscanf(line + off, " %63s", x->name);
    n++;
  }
  fclose(f);
  return n;
}

static const struct mapping* find_mapping(const struct mapping* m, int n, uint64_t addr) {
  for (int i = 0; i < n; i++)
    if (addr >= m[i].start && addr < m[i].end) return &m[i];
  return NULL;
}

/* ---------------------------------------------------------------- scenarios */
/* The empty process: maps, name, zum page. */
static void test_layout(void) {
  scenario = "layout";
  struct stub s;
  memset(&s, 0, sizeof(s));
  REQUIRE(host_spawn_pure(ZUM_STUB_PATH, "layout-test-name-too-long", &s.g, &s.agent, &s.work) ==
          0);
  zum_agent_reply_t hello;
  REQUIRE(recv(s.agent, &hello, sizeof(hello), 0) == (ssize_t)sizeof(hello));
  CHECK_EQ(hello.tid, s.g.pid);

  struct mapping m[64];
  int n = read_maps(s.g.pid, m, 64);
  CHECK(n >= 3);
  if (getenv("STUB_TEST_VERBOSE"))
    for (int i = 0; i < n; i++)
      fprintf(stderr, "  %08" PRIx64 "-%08" PRIx64 " %s %s\n", m[i].start, m[i].end, m[i].perms,
              m[i].name);
  bool have_text = false, have_page = false, have_vdso = false;
  for (int i = 0; i < n; i++) {
    /* Nothing at or above the Zircon user base; the [vsyscall] page is the kernel's and cannot be
     * unmapped (it lies above the user address space). */
    if (strcmp(m[i].name, "[vsyscall]") == 0) {
      CHECK(m[i].start >= 0xffff800000000000ull);
      continue;
    }
    if (m[i].end > ZUM_USER_BASE)
      fprintf(stderr, "  unexpected mapping %" PRIx64 "-%" PRIx64 " %s\n", m[i].start, m[i].end,
              m[i].name);
    CHECK(m[i].end <= ZUM_USER_BASE);
    CHECK(m[i].start >= STUB_BASE);
    if (m[i].start == STUB_BASE && strcmp(m[i].perms, "r-xp") == 0) have_text = true;
    if (m[i].start == ZUM_PAGE_ADDR) {
      have_page = true;
      CHECK(strcmp(m[i].perms, "r--p") == 0);
    }
    if (strcmp(m[i].name, "[vdso]") == 0) {
      have_vdso = true;
      CHECK(m[i].start >= STUB_VDSO_WINDOW && m[i].end <= STUB_VDSO_WINDOW_END);
    }
  }
  CHECK(have_text);
  CHECK(have_page);

  char path[64], comm[32] = "";
  snprintf(path, sizeof(path), "/proc/%d/comm", (int)s.g.pid);
  FILE* f = fopen(path, "re");
  REQUIRE(f);
  CHECK(fgets(comm, sizeof(comm), f) != NULL);
  fclose(f);
  CHECK(strcmp(comm, "layout-test-nam\n") == 0);

  zum_page_t page;
  REQUIRE(host_guest_read(&s.g, ZUM_PAGE_ADDR, &page, sizeof(page)) == 0);
  CHECK_EQ(page.magic, ZUM_PAGE_MAGIC);
  CHECK_EQ(page.page_size, 4096);
  CHECK_EQ(page.dcache_line_size, 64);
  cpu_set_t set;
  CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
  CHECK_EQ(page.num_cpus, CPU_COUNT(&set));
  CHECK(page.physmem > 0);
  CHECK_EQ(page.physmem, (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE));
  const struct mapping* text = find_mapping(m, n, STUB_BASE);
  REQUIRE(text);
  CHECK(page.do_work_fn >= text->start && page.do_work_fn < text->end);
  CHECK(page.exit_thread_fn >= text->start && page.exit_thread_fn < text->end);
  const struct mapping* clock = find_mapping(m, n, page.clock_gettime_fn);
  REQUIRE(clock);
  /* Linux's vDSO where there is one, else the stub's own fallback. */
  if (have_vdso) {
    CHECK(strcmp(clock->name, "[vdso]") == 0);
  } else {
    CHECK(clock == text);
    fprintf(stderr, "  note: no [vdso] below 0x200000; the clock is a system call\n");
  }

  /* Protocol errors: a thread before the seal, an unknown record, a short record, bad work. */
  s.code_fd = s.stack_fd = s.data_fd = -1;
  zum_agent_reply_t r = start_thread(&s, CODE_ADDR, STACK_ADDR, 0, 0, 0, 0);
  CHECK_EQ(r.error, EPERM);
  zum_agent_msg_t msg;
  memset(&msg, 0, sizeof(msg));
  msg.kind = 99;
  r = agent_call(&s, &msg, NULL, 0);
  CHECK_EQ(r.error, EINVAL);
  uint64_t shortmsg[2] = {ZUM_AGENT_SEAL, 777};
  CHECK(send(s.agent, shortmsg, sizeof(shortmsg), 0) == sizeof(shortmsg));
  CHECK(recv(s.agent, &r, sizeof(r), 0) == sizeof(r));
  CHECK_EQ(r.token, 777);
  CHECK_EQ(r.error, EINVAL);
  char longmsg[sizeof(zum_agent_msg_t) + 8];
  memset(longmsg, 0, sizeof(longmsg));
  memcpy(longmsg, &(uint32_t){ZUM_AGENT_SEAL}, 4); /* a seal, but too long: refused */
  memcpy(longmsg + 8, &(uint64_t){778}, 8);
  CHECK(send(s.agent, longmsg, sizeof(longmsg), 0) == sizeof(longmsg));
  CHECK(recv(s.agent, &r, sizeof(r), 0) == sizeof(r));
  CHECK_EQ(r.token, 778);
  CHECK_EQ(r.error, EINVAL);
  int fd = memfd("x", PAGE);
  zum_work_op_t below = {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ, .addr = 0x100000,
                         .len = PAGE};
  r = work(&s, &below, 1, &fd, 1); /* the stub's own range */
  CHECK_EQ(r.error, EINVAL);
  zum_work_op_t over = {.kind = ZUM_WORK_PROTECT, .prot = ZX_VM_PERM_READ,
                        .addr = ZUM_USER_TOP - PAGE, .len = 2 * PAGE};
  r = work(&s, &over, 1, NULL, 0);
  CHECK_EQ(r.error, EINVAL);
  zum_work_op_t nofd = {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ, .addr = DATA_ADDR,
                        .len = PAGE};
  r = work(&s, &nofd, 1, NULL, 0);
  CHECK_EQ(r.error, EBADF);
  /* Map, protect and reserve through the agent. */
  zum_work_op_t ops[3] = {
      {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, .addr = DATA_ADDR,
       .len = PAGE},
      {.kind = ZUM_WORK_RESERVE, .addr = DATA_ADDR + PAGE, .len = PAGE},
      {.kind = ZUM_WORK_PROTECT, .prot = ZX_VM_PERM_READ, .addr = DATA_ADDR, .len = PAGE},
  };
  r = work(&s, ops, 3, &fd, 1);
  CHECK_EQ(r.error, 0);
  n = read_maps(s.g.pid, m, 64);
  const struct mapping* d = find_mapping(m, n, DATA_ADDR);
  CHECK(d && strcmp(d->perms, "r--s") == 0);
  /* RESERVE in a pure process unmaps: nothing is left at the second page. */
  d = find_mapping(m, n, DATA_ADDR + PAGE);
  CHECK(d == NULL);
  close(fd);
  /* The fds the stub received are closed: only 0-4 are open (the parent closed nothing else
   * but cloexec'd everything from 3 up before exec; 3 is the agent socket, 4 the work channel),
   * and 5, the userfaultfd, if the process has one. */
  CHECK_EQ(count_fds(s.g.pid), host_has_uffd() ? 6 : 5);
  if (host_has_uffd()) CHECK(strcmp(fd_target(s.g.pid, 5), "anon_inode:[userfaultfd]") == 0);

  host_guest_kill(&s.g);
  int sig = 0;
  host_guest_reap(&s.g, -1, &sig);
  CHECK_EQ(sig, SIGKILL);
  host_guest_close(&s.g);
  close(s.agent);
  close(s.work);
}

/* A zum call from the sealed code range reaches the supervisor with the start registers. */
static void test_zum_call(void) {
  scenario = "zum-call";
  struct stub s;
  stub_start(&s, "zum-call");
  stub_seal(&s);
  zum_agent_reply_t r = seal(&s, 0, 0);
  CHECK_EQ(r.error, EALREADY);
  uint64_t sp = STACK_ADDR + STACK_PAGES * PAGE - 64;
  r = start_thread(&s, GUEST(g_exit), sp, 42, 0x1234567890abcdefull, 0, 0);
  CHECK_EQ(r.error, 0);
  CHECK(r.tid > 0 && r.tid != s.main_tid);
  struct host_notif n;
  next_notif(&s, &n);
  CHECK_EQ(n.nr, ZUM_SYS_process_exit);
  CHECK_EQ(n.tid, r.tid);
  CHECK_EQ(n.ip, GUEST(g_zumcall) + 2);
  CHECK_EQ(n.args[0], 42);
  CHECK_EQ(n.args[1], 0x1234567890abcdefull);
  CHECK_EQ(n.args[2], sp);
  CHECK_EQ(n.args[3], GUEST(g_exit));
  /* The call returns 0 to the guest, which then hits ud2: SIGILL at g_exit_ret. */
  CHECK_EQ(host_seccomp_reply(s.g.listener, n.id, 0), 0);
  expect_fault(&s, r.tid, SIGILL, ILL_ILLOPN, GUEST(g_exit_ret), GUEST(g_exit_ret));
  stub_end(&s);
}

/* Policy: a Linux call or a zum call from outside the sealed range traps (SIGSYS). */
static void test_policy(void) {
  scenario = "policy";
  struct stub s;
  stub_start(&s, "policy");
  stub_seal(&s);
  uint64_t sp = STACK_ADDR + STACK_PAGES * PAGE;
  zum_agent_reply_t r = start_thread(&s, GUEST(g_getpid), sp, 0, 0, 0, 0);
  CHECK_EQ(r.error, 0);
  expect_fault(&s, r.tid, SIGSYS, 39, GUEST(g_getpid_after), GUEST(g_getpid_after));
  /* The process goes on: the thread waits in its report. A second thread's rogue zum call. */
  r = start_thread(&s, GUEST(g_rogue), sp - 1024, 0, 0, 0, 0);
  CHECK_EQ(r.error, 0);
  expect_fault(&s, r.tid, SIGSYS, ZUM_SYS_process_exit, GUEST(g_rogue_after),
               GUEST(g_rogue_after));
  stub_end(&s);
}

/* A hardware fault: a store to address 0. */
static void test_segv(void) {
  scenario = "segv";
  struct stub s;
  stub_start(&s, "segv");
  stub_seal(&s);
  zum_agent_reply_t r = start_thread(&s, GUEST(g_segv), STACK_ADDR + PAGE, 0, 0, 0, 0);
  CHECK_EQ(r.error, 0);
  expect_fault(&s, r.tid, SIGSEGV, SEGV_MAPERR, 0, GUEST(g_segv_insn));
  /* The faulting thread waits in its report; others still run and fault on their own. */
  r = start_thread(&s, GUEST(g_int3), STACK_ADDR + 2 * PAGE, 0, 0, 0, 0);
  CHECK_EQ(r.error, 0);
  expect_fault(&s, r.tid, SIGTRAP, SI_KERNEL, 0, GUEST(g_int3_after));
  r = start_thread(&s, GUEST(g_div0), STACK_ADDR + 3 * PAGE, 0, 0, 0, 0);
  CHECK_EQ(r.error, 0);
  expect_fault(&s, r.tid, SIGFPE, FPE_INTDIV, GUEST(g_div0_insn), GUEST(g_div0_insn));
  /* A bus error: a mapping that extends past the end of its memfd. */
  int fd = memfd("short", PAGE);
  zum_work_op_t map = {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ, .addr = 0x40000000,
                       .len = 2 * PAGE};
  r = work(&s, &map, 1, &fd, 1);
  CHECK_EQ(r.error, 0);
  close(fd);
  r = start_thread(&s, GUEST(g_load), STACK_ADDR + 4 * PAGE, 0x40000000 + PAGE, 0, 0, 0);
  CHECK_EQ(r.error, 0);
  if (host_has_uffd()) {
    /* First asked of the supervisor (zum_vm_fault), which says it is a real one. */
    uint64_t id;
    expect_vm_fault(&s, r.tid, 0x40000000 + PAGE, 0, &id);
    CHECK_EQ(host_seccomp_reply(s.g.listener, id, ZX_ERR_OUT_OF_RANGE), 0);
  }
  expect_fault(&s, r.tid, SIGBUS, BUS_ADRERR, 0x40000000 + PAGE, GUEST(g_load));
  /* The agent still does work after the seal. */
  zum_work_op_t op = {.kind = ZUM_WORK_PROTECT, .prot = ZX_VM_PERM_READ, .addr = DATA_ADDR,
                      .len = PAGE};
  r = work(&s, &op, 1, NULL, 0);
  CHECK_EQ(r.error, 0);
  struct mapping m[64];
  int nm = read_maps(s.g.pid, m, 64);
  const struct mapping* d = find_mapping(m, nm, DATA_ADDR);
  CHECK(d && strcmp(d->perms, "r--s") == 0);
  stub_end(&s);
}

struct regs_dump {
  uint16_t ss, cs, fsw, fcw;
  uint32_t mxcsr;
  uint64_t xmm15, xmm0, gs, fs, rflags, rsp, r15, r14, r13, r12, r11, r10, r9, r8, rsi, rdi,
      rbp, rdx, rcx, rbx, rax;
} __attribute__((packed));

/* Starts g_regs and checks what it found: Zircon's start contract. */
static pid_t check_regs(struct stub* s, uint64_t sp, uint64_t arg1, uint64_t arg2, uint64_t fs,
                        uint64_t gs) {
  zum_agent_reply_t r = start_thread(s, GUEST(g_regs), sp, arg1, arg2, fs, gs);
  CHECK_EQ(r.error, 0);
  struct host_notif n;
  next_notif(s, &n);
  CHECK_EQ(n.nr, ZUM_SYS_process_exit);
  CHECK_EQ(n.tid, r.tid);
  CHECK_EQ(n.args[0], sp);
  /* The dump lies at [sp - 188, sp - 8): read it through the stack's memfd. */
  struct regs_dump d;
  _Static_assert(sizeof(d) == 188 - 8, "dump layout");
  REQUIRE(pread(s->stack_fd, &d, sizeof(d), (off_t)(sp - 188 - STACK_ADDR)) == sizeof(d));
  CHECK_EQ(d.rax, 0);
  CHECK_EQ(d.rbx, 0);
  CHECK_EQ(d.rcx, 0);
  CHECK_EQ(d.rdx, 0);
  CHECK_EQ(d.rbp, 0);
  CHECK_EQ(d.rdi, arg1);
  CHECK_EQ(d.rsi, arg2);
  CHECK_EQ(d.r8, 0);
  CHECK_EQ(d.r9, 0);
  CHECK_EQ(d.r10, 0);
  CHECK_EQ(d.r11, 0);
  CHECK_EQ(d.r12, 0);
  CHECK_EQ(d.r13, 0);
  CHECK_EQ(d.r14, 0);
  CHECK_EQ(d.r15, 0);
  CHECK_EQ(d.rsp, sp);
  CHECK_EQ(d.rflags, 0x202); /* IF and the always-one bit */
  CHECK_EQ(d.fs, fs);
  CHECK_EQ(d.gs, gs);
  CHECK_EQ(d.xmm0, 0);
  CHECK_EQ(d.xmm15, 0);
  CHECK_EQ(d.mxcsr, 0x1f80);
  CHECK_EQ(d.fcw, 0x37f);
  CHECK_EQ(d.fsw, 0);
  CHECK_EQ(d.cs, 0x33);
  CHECK_EQ(d.ss, 0x2b);
  /* Let it go on to the ud2 after the call. */
  CHECK_EQ(host_seccomp_reply(s->g.listener, n.id, 0), 0);
  expect_fault(s, r.tid, SIGILL, ILL_ILLOPN, GUEST(g_regs_ret), GUEST(g_regs_ret));
  return r.tid;
}

static void test_regs(void) {
  scenario = "registers";
  if (!(getauxval(AT_HWCAP2) & 2 /* HWCAP2_FSGSBASE */)) {
    fprintf(stderr, "  note: no FSGSBASE: register contract not checked\n");
    return;
  }
  struct stub s;
  stub_start(&s, "registers");
  stub_seal(&s);
  /* Dirty the agent's own FPU/SSE state: a new thread must not inherit anything. */
  uint64_t top = STACK_ADDR + STACK_PAGES * PAGE;
  pid_t t1 = check_regs(&s, top, 0x1111, 0x2222, 0, 0);
  /* A second thread with FS and GS bases (zx_thread_start after ZX_PROP_REGISTER_FS/GS). */
  pid_t t2 = check_regs(&s, top - 1024, 0xfffffffffffffff0ull, 0, 0x7f0012345000ull, 0x4000);
  CHECK(t1 != t2);
  /* Bases Linux cannot take are refused before a thread exists. */
  zum_agent_reply_t r = start_thread(&s, GUEST(g_regs), top, 0, 0, 0xffff800000000000ull, 0);
  CHECK_EQ(r.error, EINVAL);
  r = start_thread(&s, GUEST(g_regs), top, 0, 0, 0, 0x800000000000ull);
  CHECK_EQ(r.error, EINVAL);
  stub_end(&s);
}

/* The zum page's clock_gettime, called from a sealed guest thread. */
static void test_clock(void) {
  scenario = "clock";
  struct stub s;
  stub_start(&s, "clock");
  stub_seal(&s);
  struct timespec before, after;
  clock_gettime(CLOCK_MONOTONIC, &before);
  zum_agent_reply_t r =
      start_thread(&s, GUEST(g_clock), STACK_ADDR + STACK_PAGES * PAGE, 0, 0, 0, 0);
  CHECK_EQ(r.error, 0);
  struct host_notif n;
  next_notif(&s, &n);
  clock_gettime(CLOCK_MONOTONIC, &after);
  CHECK_EQ(n.nr, ZUM_SYS_process_exit);
  CHECK_EQ(n.args[0], 0);
  uint64_t t = n.args[1] * 1000000000ull + n.args[2];
  CHECK(n.args[2] < 1000000000ull);
  CHECK(t >= (uint64_t)before.tv_sec * 1000000000ull + (uint64_t)before.tv_nsec);
  CHECK(t <= (uint64_t)after.tv_sec * 1000000000ull + (uint64_t)after.tv_nsec);
  stub_end(&s);
}

/* The zum page's do_work on a guest thread ("reply with work"). */
static void test_do_work(void) {
  scenario = "do-work";
  struct stub s;
  stub_start(&s, "do-work");
  stub_seal(&s);
  zum_work_t w;
  memset(&w, 0, sizeof(w));
  w.num_ops = 4;
  w.token = 77;
  w.ops[0] = (zum_work_op_t){.kind = ZUM_WORK_PROTECT, .prot = ZX_VM_PERM_READ,
                             .addr = DATA_ADDR + PAGE, .len = PAGE};
  w.ops[1] = (zum_work_op_t){.kind = ZUM_WORK_RESERVE, .addr = ZUM_PAGE_ADDR, .len = PAGE};
  w.ops[2] = (zum_work_op_t){.kind = ZUM_WORK_POPULATE, .prot = ZX_VM_PERM_READ,
                             .addr = DATA_ADDR + PAGE, .len = PAGE};
  /* A memory fd from the work channel: after a stale message (another token), whose fd the
   * stub must close, comes the one for this work. */
  w.ops[3] = (zum_work_op_t){.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                             .fd = ZUM_WORK_FD_CHANNEL, .addr = 0x50000000, .len = PAGE};
  int stale = memfd("zum-stale", PAGE), fresh = memfd("zum-chan", PAGE);
  REQUIRE(pwrite(fresh, "chan", 4, 0) == 4);
  send_work_fd(s.work, 76, stale);
  send_work_fd(s.work, 77, fresh);
  close(stale);
  close(fresh);
  w.error = -1;
  REQUIRE(pwrite(s.data_fd, &w, sizeof(w), 0) == sizeof(w));
  zum_agent_reply_t r =
      start_thread(&s, GUEST(g_work), STACK_ADDR + STACK_PAGES * PAGE, DATA_ADDR, 0, 0, 0);
  CHECK_EQ(r.error, 0);
  struct host_notif n;
  next_notif(&s, &n);
  CHECK_EQ(n.nr, ZUM_SYS_process_exit);
  CHECK_EQ(n.args[0], EINVAL); /* the first error: the zum page is out of reach */
  struct mapping m[64];
  int nm = read_maps(s.g.pid, m, 64);
  const struct mapping* d = find_mapping(m, nm, DATA_ADDR + PAGE);
  CHECK(d && strcmp(d->perms, "r--s") == 0);
  d = find_mapping(m, nm, ZUM_PAGE_ADDR);
  CHECK(d && strcmp(d->perms, "r--p") == 0);
  d = find_mapping(m, nm, 0x50000000);
  CHECK(d && strcmp(d->perms, "rw-s") == 0);
  char got[4] = {0};
  struct iovec l = {got, 4}, r4 = {(void*)0x50000000, 4};
  CHECK_EQ(process_vm_readv(s.g.pid, &l, 1, &r4, 1, 0), 4);
  CHECK(memcmp(got, "chan", 4) == 0);
  CHECK_EQ(count_fds_named(s.g.pid, "zum-stale"), 0); /* the stale fd was closed */
  CHECK_EQ(count_fds_named(s.g.pid, "zum-chan"), 0);  /* the mapped one too */
  stub_end(&s);
}

/* The thread pool: every slot in use -> EAGAIN; a thread that exits frees its slot. */
static void test_pool(void) {
  scenario = "pool";
  struct stub s;
  stub_start(&s, "pool");
  stub_seal(&s);
  uint64_t sp = STACK_ADDR + STACK_PAGES * PAGE;
  static pid_t tids[STUB_MAX_THREADS];
  static uint64_t ids[STUB_MAX_THREADS];
  for (int i = 0; i < STUB_MAX_THREADS; i++) {
    /* They all share one stack: each only pushes a return address before it traps. */
    zum_agent_reply_t r = start_thread(&s, GUEST(g_thread_exit), sp - 64 * (uint64_t)(i % 32), i,
                                       0, 0, 0);
    REQUIRE(r.error == 0);
    tids[i] = r.tid;
  }
  zum_agent_reply_t r = start_thread(&s, GUEST(g_thread_exit), sp, 0, 0, 0, 0);
  CHECK_EQ(r.error, EAGAIN);
  for (int i = 0; i < STUB_MAX_THREADS; i++) {
    struct host_notif n;
    next_notif(&s, &n);
    CHECK_EQ(n.nr, ZUM_SYS_process_exit);
    REQUIRE(n.args[0] < STUB_MAX_THREADS);
    CHECK_EQ(n.tid, tids[n.args[0]]);
    ids[n.args[0]] = n.id;
  }
  /* Thread 7 goes on to exit_thread; once it is gone its slot serves a new thread. */
  int pidfd = host_pidfd_open(tids[7], true);
  CHECK_EQ(host_seccomp_reply(s.g.listener, ids[7], 0), 0);
  if (pidfd >= 0) {
    struct pollfd p = {pidfd, POLLIN, 0};
    CHECK(poll(&p, 1, -1) == 1);
    close(pidfd);
    r = start_thread(&s, GUEST(g_thread_exit), sp, 1000, 0, 0, 0);
  } else {
    /* No thread pidfds (Linux < 6.9): wait until the kernel cleared the slot. */
    do r = start_thread(&s, GUEST(g_thread_exit), sp, 1000, 0, 0, 0);
    while (r.error == EAGAIN && sched_yield() == 0);
  }
  CHECK_EQ(r.error, 0);
  struct host_notif n;
  next_notif(&s, &n);
  CHECK_EQ(n.args[0], 1000);
  CHECK_EQ(n.tid, r.tid);
  stub_end(&s);
}

/* Copy-on-write: a mapping with ZUM_MAP_UFFD and its FAULT_SOURCE; the guest's own accesses
 * fault the source's pages in (the stub's SIGBUS handler, sealed); MAP and RESERVE over it
 * forget the source and the stub closes its fd. */
#define COW_ADDR 0x40000000ul
static uint8_t cow_pattern(uint64_t off) { return (uint8_t)(off * 13 + (off >> 12) + 5); }

static void test_cow(void) {
  scenario = "cow";
  if (!host_has_uffd()) {
    fprintf(stderr, "  note: no userfaultfd here: copy-on-write faults not checked\n");
    return;
  }
  struct stub s;
  stub_start(&s, "cow");
  int fds0 = count_fds(s.g.pid);
  CHECK_EQ(fds0, 6); /* 0-2, the agent socket, the work channel, the userfaultfd */
  int parent = memfd("parent", 3 * PAGE);
  uint8_t buf[3 * PAGE];
  for (uint64_t i = 0; i < sizeof(buf); i++) buf[i] = cow_pattern(i);
  REQUIRE(pwrite(parent, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
  int child = memfd("child", 16 * PAGE);
  uint64_t src_len = 2 * PAGE + 100;
  zum_work_op_t ops[2] = {
      {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, .flags = ZUM_MAP_UFFD,
       .addr = COW_ADDR, .len = 16 * PAGE},
      {.kind = ZUM_WORK_FAULT_SOURCE, .addr = COW_ADDR, .len = 16 * PAGE, .offset = 0,
       .src_len = src_len},
  };
  int fds[2] = {child, parent};
  zum_agent_reply_t r = work(&s, ops, 2, fds, 2);
  CHECK_EQ(r.error, 0);
  /* The stub keeps the source's fd; the child's went with the mapping. */
  CHECK_EQ(count_fds(s.g.pid), fds0 + 1);
  CHECK(strncmp(fd_target(s.g.pid, fds0 + 1), "/memfd:parent", 13) == 0); /* after the child's */
  stub_seal(&s);

  uint64_t value = 0x1122334455667788ull;
  r = start_thread(&s, GUEST(g_cow), STACK_ADDR + STACK_PAGES * PAGE, COW_ADDR, value, 0, 0);
  CHECK_EQ(r.error, 0);
  pid_t cow_tid = r.tid;
  struct host_notif n;
  next_notif(&s, &n);
  CHECK_EQ(n.nr, ZUM_SYS_process_exit);
  CHECK_EQ(n.tid, cow_tid);
  uint64_t want0, want2 = 0;
  memcpy(&want0, buf, 8);
  memcpy(&want2, buf + 2 * PAGE + 96, 4); /* bytes from src_len on read as zeros */
  CHECK_EQ(n.args[0], want0);
  CHECK_EQ(n.args[1], want2);
  CHECK_EQ(n.args[2], 0);
  /* The child memfd holds what was touched, in batches: page 0 (isolated), 1-2 (sequential),
   * 3-6 (sequential again); the guest's write is there and the parent has not changed. */
  uint64_t got = 0;
  CHECK(pread(child, &got, 8, PAGE + 8) == 8);
  CHECK_EQ(got, value);
  CHECK(pread(child, &got, 8, PAGE) == 8);
  uint64_t want1;
  memcpy(&want1, buf + PAGE, 8);
  CHECK_EQ(got, want1);
  CHECK(pread(parent, &got, 8, PAGE + 8) == 8);
  memcpy(&want1, buf + PAGE + 8, 8);
  CHECK_EQ(got, want1);
  struct stat st;
  CHECK(fstat(child, &st) == 0);
  CHECK_EQ(st.st_blocks / 8, 7);
  CHECK_EQ(lseek(child, 0, SEEK_DATA), 0);
  CHECK_EQ(lseek(child, 0, SEEK_HOLE), 7 * PAGE);
  /* The thread goes on to its ud2: other faults are still reported. */
  CHECK_EQ(host_seccomp_reply(s.g.listener, n.id, 0), 0);
  struct mapping m[64];
  int nm = read_maps(s.g.pid, m, 64);
  const struct mapping* cm = find_mapping(m, nm, COW_ADDR);
  CHECK(cm && strcmp(cm->perms, "rw-s") == 0);

  /* A mapping past the end of its memfd: the bus error there is not a copy-on-write fault. */
  int shortfd = memfd("short", PAGE);
  zum_work_op_t ops2[2] = {
      {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ, .flags = ZUM_MAP_UFFD,
       .addr = COW_ADDR + 32 * PAGE, .len = 2 * PAGE},
      {.kind = ZUM_WORK_FAULT_SOURCE, .addr = COW_ADDR + 32 * PAGE, .len = 2 * PAGE,
       .src_len = 2 * PAGE},
  };
  int fds2[2] = {shortfd, parent};
  r = work(&s, ops2, 2, fds2, 2);
  CHECK_EQ(r.error, 0);
  CHECK_EQ(count_fds(s.g.pid), fds0 + 2);
  zum_agent_reply_t t = start_thread(&s, GUEST(g_load), STACK_ADDR + PAGE, COW_ADDR + 33 * PAGE,
                                     0, 0, 0);
  CHECK_EQ(t.error, 0);
  /* The first thread's ud2; this bus error, asked of the supervisor first (zum_vm_fault), which
   * answers that it is a real one. In any order between the two threads. */
  int seen = 0;
  for (int i = 0; i < 3; i++) {
    struct host_notif f;
    next_notif(&s, &f);
    if (f.nr == ZUM_SYS_vm_fault) {
      CHECK_EQ(f.tid, t.tid);
      CHECK_EQ(f.args[0], COW_ADDR + 33 * PAGE);
      CHECK_EQ(f.args[1], 0);
      CHECK_EQ(host_seccomp_reply(s.g.listener, f.id, ZX_ERR_OUT_OF_RANGE), 0);
      seen |= 1;
      continue;
    }
    CHECK_EQ(f.nr, ZUM_SYS_fault);
    if (f.tid == cow_tid) {
      CHECK_EQ(f.args[0], SIGILL);
      seen |= 2;
    } else {
      CHECK_EQ(f.tid, t.tid);
      CHECK(seen & 1);
      CHECK_EQ(f.args[0], SIGBUS);
      CHECK_EQ(f.args[1], BUS_ADRERR);
      CHECK_EQ(f.args[2], COW_ADDR + 33 * PAGE);
      seen |= 4;
    }
  }
  CHECK_EQ(seen, 7);
  /* Its first page is inside the memfd: filled through the supervisor's side too (a POPULATE
   * copies in what a fault would). */
  zum_work_op_t pop = {.kind = ZUM_WORK_POPULATE, .prot = ZX_VM_PERM_READ,
                       .addr = COW_ADDR + 32 * PAGE, .len = PAGE};
  r = work(&s, &pop, 1, NULL, 0);
  CHECK_EQ(r.error, 0);
  CHECK(pread(shortfd, &got, 8, 0) == 8);
  CHECK_EQ(got, want0);

  /* A FAULT_SOURCE without its fd; one outside the user range (its fd closed all the same). */
  zum_work_op_t bad = {.kind = ZUM_WORK_FAULT_SOURCE, .addr = COW_ADDR, .len = PAGE};
  r = work(&s, &bad, 1, NULL, 0);
  CHECK_EQ(r.error, EBADF);
  bad.addr = 0x100000;
  r = work(&s, &bad, 1, &parent, 1);
  CHECK_EQ(r.error, EINVAL);
  CHECK_EQ(count_fds(s.g.pid), fds0 + 2);

  /* A plain MAP over half of the first mapping trims its source (the fd stays); RESERVE of the
   * rest and of the second mapping forget them: both fds closed. */
  int other = memfd("other", 8 * PAGE);
  zum_work_op_t over = {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ, .addr = COW_ADDR,
                        .len = 8 * PAGE};
  r = work(&s, &over, 1, &other, 1);
  CHECK_EQ(r.error, 0);
  CHECK_EQ(count_fds(s.g.pid), fds0 + 2);
  zum_work_op_t gone[2] = {
      {.kind = ZUM_WORK_RESERVE, .addr = COW_ADDR + 8 * PAGE, .len = 8 * PAGE},
      {.kind = ZUM_WORK_RESERVE, .addr = COW_ADDR + 32 * PAGE, .len = 2 * PAGE},
  };
  r = work(&s, gone, 2, NULL, 0);
  CHECK_EQ(r.error, 0);
  CHECK_EQ(count_fds(s.g.pid), fds0);
  close(other);
  close(shortfd);
  close(child);
  close(parent);
  stub_end(&s);
}

/* What the stub cannot resolve itself goes to zum_vm_fault (ZUM_AGENT_CAP_VM_FAULT): a page of
 * a ZUM_MAP_UFFD mapping without a fault source, and a write to a page write-protected through
 * the userfaultfd the hello handed over. This test plays the supervisor's part: it answers each
 * vm_fault after putting the page in place (or lifting the protection). */
static void test_vm_fault(void) {
  scenario = "vm-fault";
  if (!host_has_uffd()) return;
  struct stub s;
  stub_start(&s, "vm-fault");
  REQUIRE(s.uffd >= 0);
  const uint64_t base = COW_ADDR + 64 * PAGE;
  int child = memfd("child", 4 * PAGE);
  zum_work_op_t map = {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                       .flags = ZUM_MAP_UFFD, .addr = base, .len = 4 * PAGE};
  zum_agent_reply_t r = work(&s, &map, 1, &child, 1);
  CHECK_EQ(r.error, 0);
  stub_seal(&s);
  uint64_t value = 0x0102030405060708ull;
  r = start_thread(&s, GUEST(g_cow), STACK_ADDR + STACK_PAGES * PAGE, base, value, 0, 0);
  CHECK_EQ(r.error, 0);
  pid_t tid = r.tid;
  uint64_t id, q[4] = {0x1111, 0x2222, 0x3333, 0x4444};
  /* Page 0 read, page 1 written (at +8), page 2 read at +96, page 3 read: each put in the child
   * memfd before the answer. */
  expect_vm_fault(&s, tid, base, 0, &id);
  REQUIRE(pwrite(child, &q[0], 8, 0) == 8);
  CHECK_EQ(host_seccomp_reply(s.g.listener, id, ZX_OK), 0);
  expect_vm_fault(&s, tid, base + PAGE + 8, ZUM_VM_FAULT_WRITE, &id);
  REQUIRE(pwrite(child, &q[1], 8, PAGE) == 8);
  CHECK_EQ(host_seccomp_reply(s.g.listener, id, ZX_OK), 0);
  expect_vm_fault(&s, tid, base + 2 * PAGE + 96, 0, &id);
  REQUIRE(pwrite(child, &q[2], 8, 2 * PAGE + 96) == 8);
  CHECK_EQ(host_seccomp_reply(s.g.listener, id, ZX_OK), 0);
  expect_vm_fault(&s, tid, base + 3 * PAGE, 0, &id);
  REQUIRE(pwrite(child, &q[3], 8, 3 * PAGE) == 8);
  CHECK_EQ(host_seccomp_reply(s.g.listener, id, ZX_OK), 0);
  struct host_notif n;
  next_notif(&s, &n);
  CHECK_EQ(n.nr, ZUM_SYS_process_exit);
  CHECK_EQ(n.args[0], q[0]);
  CHECK_EQ(n.args[1], q[2]);
  CHECK_EQ(n.args[2], q[3]);
  uint64_t got = 0;
  CHECK(pread(child, &got, 8, PAGE + 8) == 8);
  CHECK_EQ(got, value);
  CHECK(pread(child, &got, 8, PAGE) == 8);
  CHECK_EQ(got, q[1]);

  /* Write protection: a plain mapping protected through the handed-over userfaultfd. */
  const uint64_t wbase = base + 16 * PAGE;
  int plain = memfd("plain", 2 * PAGE);
  zum_work_op_t map2 = {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                        .addr = wbase, .len = 2 * PAGE};
  r = work(&s, &map2, 1, &plain, 1);
  CHECK_EQ(r.error, 0);
  int e = host_uffd_write_protect(s.uffd, wbase, 2 * PAGE, false);
  if (e != 0) {
    fprintf(stderr, "  note: no shared-memory write protection (%s): not checked\n", strerror(e));
  } else {
    r = start_thread(&s, GUEST(g_store), STACK_ADDR + PAGE, wbase + PAGE + 16, value, 0, 0);
    CHECK_EQ(r.error, 0);
    expect_vm_fault(&s, r.tid, wbase + PAGE + 16, ZUM_VM_FAULT_WRITE, &id);
    /* Nothing written yet. */
    got = 1;
    CHECK(pread(plain, &got, 8, PAGE + 16) == 8);
    CHECK_EQ(got, 0);
    CHECK_EQ(host_uffd_release(s.uffd, wbase + PAGE, PAGE), 0);
    CHECK_EQ(host_seccomp_reply(s.g.listener, id, ZX_OK), 0);
    next_notif(&s, &n);
    CHECK_EQ(n.nr, ZUM_SYS_process_exit);
    CHECK_EQ(n.tid, r.tid);
    CHECK_EQ(n.args[0], value);
    CHECK(pread(plain, &got, 8, PAGE + 16) == 8);
    CHECK_EQ(got, value);
  }

  /* An error answer: the fault is reported as before. */
  r = start_thread(&s, GUEST(g_load), STACK_ADDR + 2 * PAGE, wbase + 16, 0, 0, 0);
  CHECK_EQ(r.error, 0);
  if (e == 0) {
    /* (a read of a write-protected page is no fault at all) */
    next_notif(&s, &n);
    CHECK_EQ(n.nr, ZUM_SYS_fault);
    CHECK_EQ(n.args[0], SIGILL);
  }
  int child2 = memfd("child2", PAGE);
  zum_work_op_t map3 = {.kind = ZUM_WORK_MAP, .prot = ZX_VM_PERM_READ, .flags = ZUM_MAP_UFFD,
                        .addr = base + 32 * PAGE, .len = PAGE};
  zum_agent_reply_t r3 = work(&s, &map3, 1, &child2, 1);
  CHECK_EQ(r3.error, 0);
  r = start_thread(&s, GUEST(g_load), STACK_ADDR + 3 * PAGE, base + 32 * PAGE + 4, 0, 0, 0);
  CHECK_EQ(r.error, 0);
  expect_vm_fault(&s, r.tid, base + 32 * PAGE + 4, 0, &id);
  CHECK_EQ(host_seccomp_reply(s.g.listener, id, ZX_ERR_OUT_OF_RANGE), 0);
  expect_fault(&s, r.tid, SIGBUS, BUS_ADRERR, base + 32 * PAGE + 4, GUEST(g_load));
  close(child2);
  close(plain);
  close(child);
  stub_end(&s);
}

/* The supervisor going away ends the stub (no orphans). */
static void test_supervisor_gone(void) {
  scenario = "supervisor-gone";
  struct stub s;
  memset(&s, 0, sizeof(s));
  REQUIRE(host_spawn_pure(ZUM_STUB_PATH, "gone", &s.g, &s.agent, NULL) == 0);
  zum_agent_reply_t hello;
  REQUIRE(recv(s.agent, &hello, sizeof(hello), 0) == (ssize_t)sizeof(hello));
  close(s.agent);
  int sig = -1;
  int64_t code = host_guest_reap(&s.g, -1, &sig);
  CHECK_EQ(sig, 0);
  CHECK_EQ(code, 0);
  host_guest_close(&s.g);
}

int main(void) {
  alarm(120); /* a safety net against a hung stub, not a timing assertion */
  if (host_seccomp_check_sizes() != 0) {
    fprintf(stderr, "seccomp user notifications unavailable: skipped\n");
    return 77;
  }
  test_layout();
  test_zum_call();
  test_policy();
  test_segv();
  test_regs();
  test_clock();
  test_do_work();
  test_pool();
  test_cow();
  test_vm_fault();
  test_supervisor_gone();
  if (failures) {
    fprintf(stderr, "stub-test: %d failure(s)\n", failures);
    return 1;
  }
  printf("stub-test: ok\n");
  return 0;
}
