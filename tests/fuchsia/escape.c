/* A pure process playing the attacker against its own stub: zum's stub sits at a fixed, readable
 * address and contains `syscall; ret`, so guest code can make every Linux call the stub's seal
 * allows, with registers of its choosing. What that reaches must stay harmless to everything
 * but this process (DESIGN.md section 14).
 *   rovmo     a VMO mapped through a handle without ZX_RIGHT_WRITE: mprotect(PROT_WRITE) of the
 *             mapping through the gadget fails ("rovmo: mprotect -13", EACCES: the fd came
 *             O_RDONLY); meanwhile a second thread keeps trying a writable MAP_SHARED mmap of
 *             every fd number the memfd can have while it is in the process (the main thread
 *             maps and unmaps the VMO 2000 times): none succeeds ("rovmo: wrote 0"; "rovmo:
 *             refused N" counts the times it met the fd and Linux said EACCES); the VMO still
 *             reads as written through the first handle ("rovmo: ok")
 *   fds       a writable MAP_SHARED mmap of every fd number 0..63 while nothing is being mapped:
 *             none succeeds (nothing in the fd table lets the process write beyond its own
 *             mappings): "fds: ok"
 *   cow       a snapshot mapped writable reads its parent's bytes and keeps them when the parent
 *             changes, and no fd beyond the stub's own (0-5) is open: the process holds no fault
 *             source, whose fd would let it read all of the parent (pread): "cow: ok"
 *   uffd      UFFDIO_REGISTER through the process's userfaultfd (fd 5, the stub's): a writable
 *             mapping registers (0), a read-only one does not (-1, EPERM: Linux wants
 *             VM_MAYWRITE, which an O_RDONLY memfd lacks, so UFFDIO_COPY cannot fill a
 *             read-only VMO's holes): "uffd: rw 0 ro -1"
 *   forge     sends forged agent replies on the agent socket (fd 3): a second hello, answers with
 *             tokens of no outstanding work, one carrying an fd; the supervisor ignores them
 *             and the process keeps working (VMO map, write, read, unmap): "forge: ok"
 *   nonsense  sends a message longer than a reply on the agent socket: the supervisor kills the
 *             process (ZX_TASK_RETCODE_EXCEPTION_KILL), which otherwise keeps working and says
 *             "nonsense: survived"
 *   filter NAME
 *             one call the seal refuses even from the stub's code, which kills the process
 *             (SIGSYS): sendmsg (sendmsg on fd 1), anon (an anonymous mmap), zumpage (mprotect of
 *             the zum page, below the Zircon user base), remove (madvise MADV_REMOVE),
 *             growsdown (mprotect with PROT_GROWSDOWN), recv0 (recvmsg on fd 0), unprotect
 *             (UFFDIO_WRITEPROTECT, which could clear a snapshot's write protection). Prints
 *             "filter: NAME", and "filter: survived" if the call returns. */
#include <zum/abi-private.h>

#include "fx.h"

/* Where zum's stub is linked (DESIGN.md section 12); its code comes first. */
#define STUB_BASE 0x10000u
#define STUB_END 0x200000u
#define ZUM_PAGE 0x1ff000u

/* Linux's numbers (x86-64) and flags: no Linux headers for this target. */
#define NR_MMAP 9
#define NR_MPROTECT 10
#define NR_MADVISE 28
#define NR_SENDMSG 46
#define NR_RECVMSG 47
#define NR_IOCTL 16
#define NR_PREAD64 17
#define EBADF 9
#define PROT_RW 3
#define MAP_SHARED_FIXED 0x11
#define MAP_PRIVATE_ANON_FIXED 0x32
#define MADV_REMOVE 9
#define PROT_GROWSDOWN 0x01000000
#define UFFDIO_REGISTER 0xc020aa00u
#define UFFDIO_WRITEPROTECT 0xc018aa06u
#define UFFD_FD 5
#define EACCES 13

struct iovec_k {
  void* base;
  uint64_t len;
};
struct msghdr_k {
  void* name;
  uint64_t namelen;
  struct iovec_k* iov;
  uint64_t iovlen;
  void* control;
  uint64_t controllen;
  int32_t flags;
};

static uintptr_t gadget;

static uintptr_t stub_gadget(void) {
  const volatile unsigned char* p = (const volatile unsigned char*)(uintptr_t)STUB_BASE;
  for (uintptr_t i = 0; STUB_BASE + i + 2 < STUB_END; i++)
    if (p[i] == 0x0f && p[i + 1] == 0x05 && p[i + 2] == 0xc3) return STUB_BASE + i;
  return 0;
}

/* A Linux system call made by the stub's `syscall; ret` (the red zone is stepped over: the
 * call pushes a return address). */
static long lx(long nr, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long r = nr;
  __asm__ volatile("sub $128, %%rsp\n\tcall *%[g]\n\tadd $128, %%rsp"
                   : "+a"(r), "+r"(r10), "+r"(r8), "+r"(r9)
                   : [g] "r"(gadget), "D"(a), "S"(b), "d"(c)
                   : "rcx", "r11", "memory");
  return r;
}

static zx_handle_t root;

static zx_handle_t new_vmo(const char* text) {
  zx_handle_t v;
  FX_CHECK_EQ(zx_vmo_create(4096, 0, &v), ZX_OK);
  FX_CHECK_EQ(zx_vmo_write(v, text, 0, fx_strlen(text) + 1), ZX_OK);
  return v;
}

static uintptr_t map(zx_handle_t v, uint32_t perm) {
  zx_vaddr_t a = 0;
  FX_CHECK_EQ(zx_vmar_map(root, perm, 0, v, 0, 4096, &a), ZX_OK);
  return a;
}

static void check_text(zx_handle_t v, const char* text) {
  char buf[32];
  FX_CHECK_EQ(zx_vmo_read(v, buf, 0, sizeof(buf)), ZX_OK);
  FX_CHECK(fx_streq(buf, text));
}

/* ---- rovmo */
static uintptr_t scratch; /* a writable mapping of a VMO of this process's own */
static volatile int stop, stopped;
static volatile long refused, wrote;

static void racer(uintptr_t arg1, uintptr_t arg2) {
  (void)arg1;
  (void)arg2;
  while (!stop) {
    /* 0-2 stdio, 3 agent, 4 work channel, 5 userfaultfd: the memfd comes after. */
    for (long fd = 6; fd < 16 && !stop; fd++) {
      long r = lx(NR_MMAP, (long)scratch, 4096, PROT_RW, MAP_SHARED_FIXED, fd, 0);
      if (r == -EACCES) refused++;
      if (r >= 0) {
        wrote++;
        *(volatile char*)scratch = 'X'; /* whatever it mapped */
      }
    }
  }
  stopped = 1;
  zx_thread_exit();
}

static void rovmo(void) {
  zx_handle_t v = new_vmo("original");
  zx_handle_t ro;
  FX_CHECK_EQ(zx_handle_duplicate(v, ZX_RIGHTS_BASIC | ZX_RIGHT_READ | ZX_RIGHT_MAP, &ro), ZX_OK);
  uintptr_t a = map(ro, ZX_VM_PERM_READ);
  FX_CHECK(fx_streq((const char*)a, "original"));
  long r = lx(NR_MPROTECT, (long)a, 4096, PROT_RW, 0, 0, 0);
  fx_puts("rovmo: mprotect ");
  fx_dec(r);
  fx_putc('\n');
  if (r == 0) *(volatile char*)a = 'X';
  FX_CHECK_EQ(zx_vmar_unmap(root, a, 4096), ZX_OK);

  /* The race: a thread on a stack of its own. */
  scratch = map(new_vmo("scratch"), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  zx_handle_t stack_vmo;
  FX_CHECK_EQ(zx_vmo_create(65536, 0, &stack_vmo), ZX_OK);
  zx_vaddr_t stack = 0;
  FX_CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, 65536, &stack),
              ZX_OK);
  zx_handle_t self = fx_take(PA_HND(PA_PROC_SELF, 0)), t;
  FX_CHECK(self != ZX_HANDLE_INVALID);
  FX_CHECK_EQ(zx_thread_create(self, "racer", 5, 0, &t), ZX_OK);
  FX_CHECK_EQ(zx_thread_start(t, (uintptr_t)racer, stack + 65536 - 16, 0, 0), ZX_OK);
  for (int i = 0; i < 2000; i++) {
    uintptr_t m = map(ro, ZX_VM_PERM_READ);
    FX_CHECK_EQ(zx_vmar_unmap(root, m, 4096), ZX_OK);
  }
  stop = 1;
  while (!stopped) zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  fx_puts("rovmo: wrote ");
  fx_dec(wrote);
  fx_puts("\nrovmo: refused ");
  fx_dec(refused);
  fx_putc('\n');
  check_text(v, "original");
  fx_puts("rovmo: ok\n");
}

/* ---- fds */
static void fds(void) {
  uintptr_t a = map(new_vmo("scratch"), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  for (long fd = 0; fd < 64; fd++) {
    long r = lx(NR_MMAP, (long)a, 4096, PROT_RW, MAP_SHARED_FIXED, fd, 0);
    if (r >= 0) {
      fx_puts("fds: fd ");
      fx_dec(fd);
      fx_puts(" maps writable\n");
      zx_process_exit(1);
    }
  }
  fx_puts("fds: ok\n");
}

/* ---- cow */
static void cow(void) {
  zx_handle_t parent = new_vmo("parent's bytes"), child;
  FX_CHECK_EQ(zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, 4096, &child), ZX_OK);
  uintptr_t a = map(child, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  FX_CHECK(fx_streq((const char*)a, "parent's bytes")); /* filled on its first touch */
  FX_CHECK_EQ(zx_vmo_write(parent, "changed", 0, 8), ZX_OK);
  FX_CHECK(fx_streq((const char*)a, "parent's bytes"));
  /* Past stdio, the agent socket, the work channel and the userfaultfd nothing is open: no
   * fault source keeps the parent's store in the process. */
  for (long fd = 6; fd < 64; fd++) {
    char b;
    long r = lx(NR_PREAD64, fd, (long)&b, 1, 0, 0, 0);
    if (r != -EBADF) {
      fx_puts("cow: fd ");
      fx_dec(fd);
      fx_puts(" is open: pread ");
      fx_dec(r);
      fx_putc('\n');
      zx_process_exit(1);
    }
  }
  fx_puts("cow: ok\n");
}

/* ---- uffd */
static long uffd_register(uintptr_t a) {
  struct {
    uint64_t start, len, mode, ioctls;
  } reg = {a, 4096, 1 /* MISSING */, 0};
  long r = lx(NR_IOCTL, UFFD_FD, UFFDIO_REGISTER, (long)&reg, 0, 0, 0);
  return r < 0 ? -1 : r;
}

static void uffd(void) {
  zx_handle_t v = new_vmo("original"), ro;
  FX_CHECK_EQ(zx_handle_duplicate(v, ZX_RIGHTS_BASIC | ZX_RIGHT_READ | ZX_RIGHT_MAP, &ro), ZX_OK);
  /* The writable one's page is there before it registers: no fault can come from it. */
  uintptr_t rw = map(new_vmo("scratch"), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  uintptr_t r = map(ro, ZX_VM_PERM_READ);
  fx_puts("uffd: rw ");
  fx_dec(uffd_register(rw));
  fx_puts(" ro ");
  fx_dec(uffd_register(r));
  fx_putc('\n');
  check_text(v, "original");
}

/* ---- forge */
static long send_agent(const void* buf, uint64_t len, int pass_fd) {
  struct iovec_k iov = {(void*)buf, len};
  struct {
    uint64_t len;
    int32_t level, type;
    int32_t fd;
    int32_t pad;
  } cm = {20, 1 /* SOL_SOCKET */, 1 /* SCM_RIGHTS */, pass_fd, 0};
  struct msghdr_k m = {0, 0, &iov, 1, pass_fd >= 0 ? &cm : 0, pass_fd >= 0 ? 24 : 0, 0};
  return lx(NR_SENDMSG, 3, (long)&m, 0x4000 /* MSG_NOSIGNAL */, 0, 0, 0);
}

/* The process still gets its calls served: a VMO mapped, written through the mapping, read
 * back through the handle, unmapped. */
static void still_works(const char* text) {
  zx_handle_t v = new_vmo("");
  uintptr_t a = map(v, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  for (size_t i = 0; i <= fx_strlen(text); i++) ((volatile char*)a)[i] = text[i];
  check_text(v, text);
  FX_CHECK_EQ(zx_vmar_unmap(root, a, 4096), ZX_OK);
  FX_CHECK_EQ(zx_handle_close(v), ZX_OK);
}

static void forge(void) {
  zum_agent_reply_t r = {.token = 0, .error = 0, .tid = 1};
  FX_CHECK_EQ(send_agent(&r, sizeof(r), -1), (long)sizeof(r)); /* a second hello */
  still_works("after hello");
  for (uint64_t token = 1; token < 64; token++) {
    r = (zum_agent_reply_t){.token = token, .error = (int)token % 3, .tid = (int)token};
    FX_CHECK_EQ(send_agent(&r, sizeof(r), -1), (long)sizeof(r));
  }
  r = (zum_agent_reply_t){.token = ~0ull, .error = 0, .tid = 2};
  FX_CHECK_EQ(send_agent(&r, sizeof(r), 3), (long)sizeof(r)); /* with an fd */
  still_works("after replies");
  fx_puts("forge: ok\n");
}

static void nonsense(void) {
  char big[sizeof(zum_agent_reply_t) + 8] = {0};
  FX_CHECK_EQ(send_agent(big, sizeof(big), -1), (long)sizeof(big));
  fx_puts("nonsense: sent\n");
  /* The supervisor kills the process when it reads the message; until then it keeps working. */
  for (int i = 0; i < 100000; i++) still_works("after nonsense");
  fx_puts("nonsense: survived\n");
}

/* ---- filter */
static void filter(const char* name) {
  fx_puts("filter: ");
  fx_puts(name);
  fx_putc('\n');
  uintptr_t a = map(new_vmo("scratch"), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  char byte = 0;
  struct iovec_k iov = {&byte, 1};
  struct msghdr_k m = {0, 0, &iov, 1, 0, 0, 0};
  if (fx_streq(name, "sendmsg")) lx(NR_SENDMSG, 1, (long)&m, 0x4000, 0, 0, 0);
  else if (fx_streq(name, "anon"))
    lx(NR_MMAP, (long)a, 4096, PROT_RW, MAP_PRIVATE_ANON_FIXED, -1, 0);
  else if (fx_streq(name, "zumpage")) lx(NR_MPROTECT, ZUM_PAGE, 4096, PROT_RW, 0, 0, 0);
  else if (fx_streq(name, "remove")) lx(NR_MADVISE, (long)a, 4096, MADV_REMOVE, 0, 0, 0);
  else if (fx_streq(name, "growsdown")) lx(NR_MPROTECT, (long)a, 4096, 1 | PROT_GROWSDOWN, 0, 0, 0);
  else if (fx_streq(name, "recv0")) lx(NR_RECVMSG, 0, (long)&m, 0x40 /* DONTWAIT */, 0, 0, 0);
  else if (fx_streq(name, "unprotect")) {
    struct {
      uint64_t start, len, mode;
    } wp = {a, 4096, 0 /* clear */};
    lx(NR_IOCTL, UFFD_FD, UFFDIO_WRITEPROTECT, (long)&wp, 0, 0, 0);
  }
  else {
    fx_puts("filter: unknown\n");
    zx_process_exit(2);
  }
  fx_puts("filter: survived\n");
}

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  root = fx_take(PA_HND(PA_VMAR_ROOT, 0));
  FX_CHECK(root != ZX_HANDLE_INVALID);
  gadget = stub_gadget();
  FX_CHECK(gadget != 0);
  const char* mode = fx_start.argc > 1 ? fx_start.argv[1] : "";
  if (fx_streq(mode, "rovmo")) rovmo();
  else if (fx_streq(mode, "fds")) fds();
  else if (fx_streq(mode, "uffd")) uffd();
  else if (fx_streq(mode, "cow")) cow();
  else if (fx_streq(mode, "forge")) forge();
  else if (fx_streq(mode, "nonsense")) nonsense();
  else if (fx_streq(mode, "filter") && fx_start.argc > 2) filter(fx_start.argv[2]);
  else {
    fx_puts("escape: unknown mode\n");
    zx_process_exit(2);
  }
  zx_process_exit(0);
}
