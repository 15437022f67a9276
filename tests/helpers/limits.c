/* The guest side of tests/limits.sh, which runs it under `zum run` with small limits
 * (--limit-job-*, --work-deadline). As the first process it plays the parent: it starts copies
 * of itself in sibling jobs it makes and checks that what one job exhausts fails that job's
 * calls only. Modes (argv[1]):
 *
 *   vmo       a hog job creates VMOs until ZX_ERR_NO_RESOURCES (--limit-job-fds), and closing
 *             one gives room for one; a sibling job then still creates and maps VMOs; killing
 *             the hog gives its share of the total (--limit-fds) back
 *   procs     a hog job creates processes until ZX_ERR_NO_RESOURCES (--limit-job-procs); a
 *             sibling still creates one
 *   threads   a hog job's process starts threads until a new thread's calls fail with
 *             ZX_ERR_NO_RESOURCES (--limit-job-fds: a thread costs one); its process goes on, a
 *             sibling job still works
 *   handles   a hog job creates events until ZX_ERR_NO_RESOURCES (--limit-job-handles), and
 *             closing one gives room for one; a sibling job still creates its own
 *   mem       a hog job queues channel messages until ZX_ERR_NO_MEMORY (--limit-job-mem); a
 *             sibling still queues its own; reading one gives room back
 *   stop      a child stops itself (SIGSTOP) while the parent maps a VMO into its address space:
 *             the map returns once --work-deadline has passed, and the child is killed with
 *             ZX_TASK_RETCODE_EXCEPTION_KILL; then the same for a pure process whose stub is
 *             stopped while the parent starts it
 *
 * The children's modes (hog-*, use-*, stopper) take a channel as PA_USER0 and report on it. */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zum/zum.h>

#include "../guests/guest_test.h"

#define PG 4096u
/* How far a hog goes before it calls the limit missing: well past the limits tests/limits.sh
 * sets, far below what would hurt the machine without them. */
#define HOG_MAX_VMOS 5000u
#define HOG_MAX_PROCS 64u
#define HOG_MAX_MSGS 1024u
#define HOG_MAX_THREADS 256u
#define HOG_MAX_HANDLES 20000u
#define MSG_BYTES 65536u

static const char* self_path;
/* A child's own job (PA_USER1). */
static zx_handle_t own_job;

/* The report a child sends on its channel: the status that stopped it and how far it got. */
struct report {
  int64_t status;
  uint64_t count;
  int64_t pid;
};

static void send_report(zx_handle_t ch, zx_status_t status, uint64_t count, zx_handle_t h) {
  struct report r = {status, count, getpid()};
  uint32_t nh = h != ZX_HANDLE_INVALID ? 1 : 0;
  CHECK_EQ(zx_channel_write(ch, 0, &r, sizeof(r), &h, nh), ZX_OK);
}

static struct report read_report(zx_handle_t ch, zx_handle_t* h) {
  struct report r;
  memset(&r, 0, sizeof(r));
  zx_signals_t got = 0;
  CHECK_EQ(zx_object_wait_one(ch, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                              ZX_TIME_INFINITE, &got),
           ZX_OK);
  uint32_t nb = 0, nh = 0;
  zx_handle_t hs[1] = {ZX_HANDLE_INVALID};
  CHECK_EQ(zx_channel_read(ch, 0, &r, hs, sizeof(r), 1, &nb, &nh), ZX_OK);
  if (h) *h = hs[0];
  else if (nh) zx_handle_close(hs[0]);
  return r;
}

/* Starts this program with `mode` in `job`, its PA_USER0 the peer of the returned *ch. */
static zx_handle_t start(zx_handle_t job, const char* mode, const char* arg, zx_handle_t* ch) {
  zx_handle_t peer;
  CHECK_EQ(zx_channel_create(0, ch, &peer), ZX_OK);
  const char* argv[] = {"limits", mode, arg, NULL};
  /* Its own job too, as PA_USER1 (zum_spawn gives no default job). */
  zx_handle_t hs[2] = {peer, ZX_HANDLE_INVALID};
  CHECK_EQ(zx_handle_duplicate(job, ZX_RIGHT_SAME_RIGHTS, &hs[1]), ZX_OK);
  uint32_t info[2] = {PA_HND(PA_USER0, 0), PA_HND(PA_USER1, 0)};
  zx_handle_t proc = ZX_HANDLE_INVALID;
  zx_status_t s = zum_spawn(job, self_path, argv, hs, info, 2, &proc);
  CHECK_EQ(s, ZX_OK);
  return proc;
}

static zx_info_process_t wait_dead(zx_handle_t proc) {
  CHECK_EQ(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL), ZX_OK);
  zx_info_process_t info;
  memset(&info, 0, sizeof(info));
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info;
}

static zx_handle_t new_job(void) {
  zx_handle_t j;
  CHECK_EQ(zx_job_create(zx_job_default(), 0, &j), ZX_OK);
  return j;
}

/* Runs `mode` (a use-* mode that exits 0 on success) in a fresh job and checks it succeeded. */
static void run_user(const char* mode, const char* arg) {
  zx_handle_t job = new_job(), ch;
  zx_handle_t proc = start(job, mode, arg, &ch);
  struct report r = read_report(ch, NULL);
  CHECK_EQ(r.status, ZX_OK);
  CHECK_EQ(wait_dead(proc).return_code, 0);
  zx_handle_close(ch);
  zx_handle_close(proc);
  zx_task_kill(job);
  zx_handle_close(job);
}

/* Blocks until the parent closes the channel (the hog keeps what it made meanwhile). */
static void hold(zx_handle_t ch) {
  zx_object_wait_one(ch, ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, NULL);
}

/* ---- children */

static void hog_vmo(zx_handle_t ch) {
  zx_status_t s = ZX_OK;
  uint64_t n = 0;
  zx_handle_t v;
  zx_handle_t last = ZX_HANDLE_INVALID;
  while (n < HOG_MAX_VMOS && (s = zx_vmo_create(PG, 0, &v)) == ZX_OK) n++, last = v;
  if (s == ZX_ERR_NO_RESOURCES && last != ZX_HANDLE_INVALID) {
    /* Closing one gives room for exactly one. */
    CHECK_EQ(zx_handle_close(last), ZX_OK);
    CHECK_EQ(zx_vmo_create(PG, 0, &v), ZX_OK);
    CHECK_EQ(zx_vmo_create(PG, 0, &v), ZX_ERR_NO_RESOURCES);
  }
  send_report(ch, s, n, ZX_HANDLE_INVALID);
  hold(ch);
}

/* Creates N VMOs and maps, writes and reads each. */
static void use_vmo(zx_handle_t ch, uint64_t n) {
  zx_status_t s = ZX_OK;
  for (uint64_t i = 0; i < n && s == ZX_OK; i++) {
    zx_handle_t v;
    s = zx_vmo_create(PG, 0, &v);
    if (s != ZX_OK) break;
    zx_vaddr_t addr = 0;
    s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, v, 0, PG, &addr);
    if (s != ZX_OK) break;
    *(volatile uint64_t*)addr = i;
    uint64_t back = 0;
    s = zx_vmo_read(v, &back, 0, sizeof(back));
    if (s == ZX_OK && back != i) s = ZX_ERR_IO_DATA_INTEGRITY;
  }
  send_report(ch, s, n, ZX_HANDLE_INVALID);
}

static void hog_handles(zx_handle_t ch) {
  zx_status_t s = ZX_OK;
  uint64_t n = 0;
  zx_handle_t ev, last = ZX_HANDLE_INVALID;
  while (n < HOG_MAX_HANDLES && (s = zx_event_create(0, &ev)) == ZX_OK) n++, last = ev;
  if (s == ZX_ERR_NO_RESOURCES && last != ZX_HANDLE_INVALID) {
    CHECK_EQ(zx_handle_duplicate(last, ZX_RIGHT_SAME_RIGHTS, &ev), ZX_ERR_NO_RESOURCES);
    CHECK_EQ(zx_handle_close(last), ZX_OK);
    CHECK_EQ(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_SAME_RIGHTS, &ev), ZX_OK);
  }
  send_report(ch, s, n, ZX_HANDLE_INVALID);
  hold(ch);
}

static void use_handles(zx_handle_t ch, uint64_t n) {
  zx_status_t s = ZX_OK;
  zx_handle_t ev;
  for (uint64_t i = 0; i < n && s == ZX_OK; i++) s = zx_event_create(0, &ev);
  send_report(ch, s, n, ZX_HANDLE_INVALID);
}

static void hog_procs(zx_handle_t ch) {
  zx_status_t s = ZX_OK;
  uint64_t n = 0;
  while (n < HOG_MAX_PROCS) {
    zx_handle_t p, vmar;
    s = zx_process_create(own_job, "hog", 3, 0, &p, &vmar);
    if (s != ZX_OK) break;
    n++;
  }
  send_report(ch, s, n, ZX_HANDLE_INVALID);
  hold(ch);
}

static void use_proc(zx_handle_t ch) {
  zx_handle_t p, vmar;
  zx_status_t s = zx_process_create(own_job, "user", 4, 0, &p, &vmar);
  send_report(ch, s, 1, ZX_HANDLE_INVALID);
}

static uint8_t msg[MSG_BYTES];

/* Writes MSG_BYTES messages into channels of its own until the job runs out; then a read frees
 * room for exactly one more. */
static void hog_mem(zx_handle_t ch) {
  zx_status_t s = ZX_OK;
  uint64_t n = 0;
  zx_handle_t a = ZX_HANDLE_INVALID, b = ZX_HANDLE_INVALID;
  while (n < HOG_MAX_MSGS) {
    /* A fresh channel long before Zircon's 3500-message queue limit (SHOULD_WAIT). */
    if (n % 1000 == 0) {
      s = zx_channel_create(0, &a, &b);
      if (s != ZX_OK) break;
    }
    s = zx_channel_write(a, 0, msg, sizeof(msg), NULL, 0);
    if (s != ZX_OK) break;
    n++;
  }
  if (s == ZX_ERR_NO_MEMORY) {
    uint32_t nb, nh;
    CHECK_EQ(zx_channel_read(b, 0, msg, NULL, sizeof(msg), 0, &nb, &nh), ZX_OK);
    CHECK_EQ(zx_channel_write(a, 0, msg, sizeof(msg), NULL, 0), ZX_OK);
    CHECK_EQ(zx_channel_write(a, 0, msg, sizeof(msg), NULL, 0), ZX_ERR_NO_MEMORY);
  }
  send_report(ch, s, n, ZX_HANDLE_INVALID);
  hold(ch);
}

static void use_mem(zx_handle_t ch, uint64_t n) {
  zx_handle_t a, b;
  zx_status_t s = zx_channel_create(0, &a, &b);
  for (uint64_t i = 0; i < n && s == ZX_OK; i++) s = zx_channel_write(a, 0, msg, sizeof(msg), NULL, 0);
  send_report(ch, s, n, ZX_HANDLE_INVALID);
}

/* A thread that makes one Zircon call, says how it went, and stays (its thread object with it). */
static int thread_pipe[2];

static void* one_call_thread(void* arg) {
  (void)arg;
  zx_handle_t ev;
  zx_status_t s = zx_event_create(0, &ev);
  ssize_t w = write(thread_pipe[1], &s, sizeof(s));
  (void)w;
  for (;;) pause();
  return NULL;
}

/* Starts threads until one's Zircon calls are refused; the process itself goes on. */
static void hog_threads(zx_handle_t ch) {
  CHECK_EQ(pipe(thread_pipe), 0);
  zx_status_t s = ZX_OK;
  uint64_t n = 0;
  while (n < HOG_MAX_THREADS && s == ZX_OK) {
    pthread_t t;
    if (pthread_create(&t, NULL, one_call_thread, NULL) != 0) break;
    if (read(thread_pipe[0], &s, sizeof(s)) != sizeof(s)) break;
    if (s == ZX_OK) n++;
  }
  zx_handle_t ev;
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  send_report(ch, s, n, ZX_HANDLE_INVALID);
  hold(ch);
}

/* Hands the parent its root VMAR, then stops (the whole process, its agent thread too). */
static void stopper(zx_handle_t ch) {
  zx_handle_t vmar;
  CHECK_EQ(zx_handle_duplicate(zx_vmar_root_self(), ZX_RIGHT_SAME_RIGHTS, &vmar), ZX_OK);
  send_report(ch, ZX_OK, 0, vmar);
  raise(SIGSTOP);
  hold(ch);
}

/* ---- the parent */

static void test_vmo(void) {
  zx_handle_t hog_job = new_job(), ch;
  zx_handle_t hog = start(hog_job, "hog-vmo", NULL, &ch);
  struct report r = read_report(ch, NULL);
  CHECK_EQ(r.status, ZX_ERR_NO_RESOURCES);
  CHECK(r.count > 0 && r.count < HOG_MAX_VMOS);
  fprintf(stderr, "limits vmo: the hog job made %llu VMOs\n", (unsigned long long)r.count);
  /* Its sibling is not held up. */
  run_user("use-vmo", "64");
  /* Nor is its parent's job. */
  zx_handle_t v;
  CHECK_EQ(zx_vmo_create(PG, 0, &v), ZX_OK);
  zx_handle_close(v);
  /* Its share comes back with it. */
  CHECK_EQ(zx_task_kill(hog_job), ZX_OK);
  CHECK_EQ(wait_dead(hog).return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  char n[32];
  snprintf(n, sizeof(n), "%llu", (unsigned long long)(r.count - 8));
  run_user("use-vmo", n);
  zx_handle_close(ch);
  zx_handle_close(hog);
  zx_handle_close(hog_job);
}

static void test_handles(void) {
  zx_handle_t hog_job = new_job(), ch;
  zx_handle_t hog = start(hog_job, "hog-handles", NULL, &ch);
  struct report r = read_report(ch, NULL);
  CHECK_EQ(r.status, ZX_ERR_NO_RESOURCES);
  CHECK(r.count > 0 && r.count < HOG_MAX_HANDLES);
  fprintf(stderr, "limits handles: the hog job made %llu events\n", (unsigned long long)r.count);
  run_user("use-handles", "200");
  zx_handle_t ev;
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  CHECK_EQ(zx_task_kill(hog_job), ZX_OK);
  wait_dead(hog);
  zx_handle_close(ev);
  zx_handle_close(ch);
  zx_handle_close(hog);
  zx_handle_close(hog_job);
}

static void test_threads(void) {
  zx_handle_t hog_job = new_job(), ch;
  zx_handle_t hog = start(hog_job, "hog-threads", NULL, &ch);
  struct report r = read_report(ch, NULL);
  CHECK_EQ(r.status, ZX_ERR_NO_RESOURCES);
  CHECK(r.count > 0 && r.count < HOG_MAX_THREADS);
  fprintf(stderr, "limits threads: the hog job ran %llu more threads\n",
          (unsigned long long)r.count);
  run_user("use-vmo", "8");
  CHECK_EQ(zx_task_kill(hog_job), ZX_OK);
  CHECK_EQ(wait_dead(hog).return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  zx_handle_close(ch);
  zx_handle_close(hog);
  zx_handle_close(hog_job);
}

static void test_procs(void) {
  zx_handle_t hog_job = new_job(), ch;
  zx_handle_t hog = start(hog_job, "hog-procs", NULL, &ch);
  struct report r = read_report(ch, NULL);
  CHECK_EQ(r.status, ZX_ERR_NO_RESOURCES);
  CHECK(r.count < HOG_MAX_PROCS);
  fprintf(stderr, "limits procs: the hog job made %llu processes\n", (unsigned long long)r.count);
  run_user("use-proc", NULL);
  CHECK_EQ(zx_task_kill(hog_job), ZX_OK);
  wait_dead(hog);
  zx_handle_close(ch);
  zx_handle_close(hog);
  zx_handle_close(hog_job);
}

static void test_mem(void) {
  zx_handle_t hog_job = new_job(), ch;
  zx_handle_t hog = start(hog_job, "hog-mem", NULL, &ch);
  struct report r = read_report(ch, NULL);
  CHECK_EQ(r.status, ZX_ERR_NO_MEMORY);
  CHECK(r.count > 0 && r.count < HOG_MAX_MSGS);
  fprintf(stderr, "limits mem: the hog job queued %llu messages of %u bytes\n",
          (unsigned long long)r.count, MSG_BYTES);
  run_user("use-mem", "16");
  /* The first program's job is not capped: its own messages still go. */
  zx_handle_t a, b;
  CHECK_EQ(zx_channel_create(0, &a, &b), ZX_OK);
  CHECK_EQ(zx_channel_write(a, 0, msg, sizeof(msg), NULL, 0), ZX_OK);
  zx_handle_close(a);
  zx_handle_close(b);
  CHECK_EQ(zx_task_kill(hog_job), ZX_OK);
  wait_dead(hog);
  zx_handle_close(ch);
  zx_handle_close(hog);
  zx_handle_close(hog_job);
}

/* Linux's state letter of process pid ('T': stopped), or 0. */
static char linux_state(long pid) {
  char path[64], buf[512];
  snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
  FILE* f = fopen(path, "re");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = 0;
  char* paren = strrchr(buf, ')');
  return paren && paren[1] == ' ' ? paren[2] : 0;
}

static void test_stop(void) {
  zx_handle_t job = new_job(), ch, vmar = ZX_HANDLE_INVALID;
  zx_handle_t child = start(job, "stopper", NULL, &ch);
  struct report r = read_report(ch, &vmar);
  CHECK_EQ(r.status, ZX_OK);
  /* Until the child is stopped its agent would simply answer. */
  while (linux_state(r.pid) != 'T') usleep(1000);
  zx_handle_t v;
  CHECK_EQ(zx_vmo_create(PG, 0, &v), ZX_OK);
  zx_vaddr_t addr = 0;
  /* The tree changed; the process that should mirror it is killed: the map is done, as for a
   * process that dies while its work is queued. */
  CHECK_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, v, 0, PG, &addr), ZX_OK);
  CHECK_EQ(wait_dead(child).return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  zx_handle_close(v);
  zx_handle_close(vmar);
  zx_handle_close(ch);
  zx_handle_close(child);
  zx_handle_close(job);
}

/* The Linux pid of the process whose comm is `name` (a pure process's stub renames itself after
 * its process), or 0. */
static long pid_named(const char* name) {
  DIR* d = opendir("/proc");
  if (!d) return 0;
  long found = 0;
  struct dirent* e;
  while (!found && (e = readdir(d))) {
    char path[300], comm[64] = "";
    snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
    FILE* f = fopen(path, "re");
    if (!f) continue;
    if (fgets(comm, sizeof(comm), f)) {
      comm[strcspn(comm, "\n")] = 0;
      if (strcmp(comm, name) == 0) found = strtol(e->d_name, NULL, 10);
    }
    fclose(f);
  }
  closedir(d);
  return found;
}

/* The same for a pure process: its stub stopped (SIGSTOP from here), zx_process_start returns
 * once the deadline has passed and the process is killed. */
static void test_stop_pure(void) {
  char name[16];
  snprintf(name, sizeof(name), "stop%d", (int)(getpid() % 100000));
  zx_handle_t proc, vmar, thread;
  CHECK_EQ(zx_process_create(zx_job_default(), name, strlen(name), 0, &proc, &vmar), ZX_OK);
  CHECK_EQ(zx_thread_create(proc, "t", 1, 0, &thread), ZX_OK);
  long pid = 0;
  while (!(pid = pid_named(name))) usleep(1000);
  CHECK_EQ(kill((pid_t)pid, SIGSTOP), 0);
  while (linux_state(pid) != 'T') usleep(1000);
  /* The seal and the start wait for a stub that never answers. */
  CHECK_EQ(zx_process_start(proc, thread, 0x200000, 0x300000, ZX_HANDLE_INVALID, 0), ZX_OK);
  CHECK_EQ(wait_dead(proc).return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  zx_handle_close(thread);
  zx_handle_close(vmar);
  zx_handle_close(proc);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: limits vmo|procs|threads|handles|mem|stop\n");
    return 64;
  }
  self_path = guest_helper_path("limits");
  const char* mode = argv[1];
  uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
  zx_handle_t ch = zx_take_startup_handle(PA_HND(PA_USER0, 0));
  own_job = zx_take_startup_handle(PA_HND(PA_USER1, 0));
  if (strcmp(mode, "hog-vmo") == 0) hog_vmo(ch);
  else if (strcmp(mode, "use-vmo") == 0) use_vmo(ch, n);
  else if (strcmp(mode, "hog-procs") == 0) hog_procs(ch);
  else if (strcmp(mode, "hog-threads") == 0) hog_threads(ch);
  else if (strcmp(mode, "hog-handles") == 0) hog_handles(ch);
  else if (strcmp(mode, "use-handles") == 0) use_handles(ch, n);
  else if (strcmp(mode, "use-proc") == 0) use_proc(ch);
  else if (strcmp(mode, "hog-mem") == 0) hog_mem(ch);
  else if (strcmp(mode, "use-mem") == 0) use_mem(ch, n);
  else if (strcmp(mode, "stopper") == 0) stopper(ch);
  else if (strcmp(mode, "vmo") == 0) test_vmo();
  else if (strcmp(mode, "procs") == 0) test_procs();
  else if (strcmp(mode, "threads") == 0) test_threads();
  else if (strcmp(mode, "handles") == 0) test_handles();
  else if (strcmp(mode, "mem") == 0) test_mem();
  else if (strcmp(mode, "stop") == 0) test_stop(), test_stop_pure();
  else {
    fprintf(stderr, "limits: unknown mode %s\n", mode);
    return 64;
  }
  return GUEST_RESULT();
}
