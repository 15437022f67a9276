/* Zircon calls under Linux signals: every call happens exactly once and returns its real status
 * whatever signals its thread receives (DESIGN.md section 10, "Interrupted calls").
 *
 * The main thread runs a mix of calls (channel write+read, channel_call served by another
 * thread, port queue+wait, a blocking wait, vmar map+unmap at a fixed address, which are two
 * traps each with their address-space work) and checks every status and that each message,
 * request and packet arrives exactly once, in order:
 *   1. while another thread hammers it with SIGUSR1, whose handler is installed without
 *      SA_RESTART (so an interrupted trap returns -EINTR, which once read as ZX_ERR_NO_MEMORY)
 *      and itself makes Zircon calls (a different call from the interrupted thread);
 *   2. while a forked Linux helper stops and continues the whole process (SIGSTOP/SIGCONT),
 *      which makes Linux restart interrupted traps, even ones whose answer was already sent.
 * A call that ran twice shows as a duplicated message or packet, a request counted twice by the
 * server, or a failing second map or unmap of the same fixed range. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <zircon/process.h>
#include <zircon/syscalls/port.h>

#include "guest_test.h"

#define ITERATIONS 6250 /* per phase: 10,000 Zircon calls, 12,500 traps */
#define PAGE 4096u

static pid_t main_tid;
static zx_handle_t handler_event; /* duplicated and closed by the signal handler */
static atomic_int handler_failures;
static atomic_int handler_runs;
static atomic_int hammering;
static int stops; /* SIGSTOPs the helper sent */

static void on_usr1(int sig) {
  (void)sig;
  int saved = errno;
  zx_handle_t dup;
  if (zx_handle_duplicate(handler_event, ZX_RIGHT_SAME_RIGHTS, &dup) != ZX_OK ||
      zx_handle_close(dup) != ZX_OK)
    atomic_fetch_add(&handler_failures, 1);
  atomic_fetch_add(&handler_runs, 1);
  errno = saved;
}

/* At most this many signals (or stops) per iteration of the calls: as fast as possible, yet
 * the calls go on however slow the machine is (an unbounded storm can starve them). */
#define BURST 8

/* The shared page: [0] iterations done, [1] the stop helper should end, [2] stops it sent. */
static atomic_int* shared;

/* Waits until the calls moved on since `seen` (or the storm should end); returns the count. */
static int wait_progress(int seen, atomic_int* stop_flag, int stop_when) {
  int now;
  while ((now = atomic_load(&shared[0])) == seen && atomic_load(stop_flag) != stop_when) {
  }
  return now;
}

static void* hammer(void* arg) {
  (void)arg;
  int seen = atomic_load(&shared[0]);
  while (atomic_load(&hammering)) {
    for (int i = 0; i < BURST && atomic_load(&hammering); i++)
      syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
    seen = wait_progress(seen, &hammering, 0);
  }
  return NULL;
}

/* channel_call server: answers each request with its payload and how many requests it saw. */
struct server {
  zx_handle_t end;
  uint32_t seen;
};

static void* serve(void* arg) {
  struct server* s = arg;
  for (;;) {
    if (zx_object_wait_one(s->end, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL) != ZX_OK) break;
    uint32_t msg[3], nb, nh;
    if (zx_channel_read(s->end, 0, msg, NULL, sizeof(msg), 0, &nb, &nh) != ZX_OK) break;
    if (nb != 8) break; /* the end-of-test message (4 bytes) */
    msg[2] = ++s->seen;
    if (zx_channel_write(s->end, 0, msg, sizeof(msg), NULL, 0) != ZX_OK) break;
  }
  return NULL;
}

struct world {
  zx_handle_t a, b;       /* write+read pair */
  zx_handle_t client;     /* channel_call */
  zx_handle_t port, ev;   /* ev: signaled, for the blocking wait */
  zx_handle_t vmar, vmo;  /* a one-page sub-VMAR and its VMO */
  zx_vaddr_t base;
  uint32_t calls;
};

static void run_calls(struct world* w, uint32_t first) {
  for (uint32_t i = first; i < first + ITERATIONS; i++) {
    switch (i % 5) {
      case 0: {
        CHECK_EQ(zx_channel_write(w->a, 0, &i, sizeof(i), NULL, 0), ZX_OK);
        uint32_t got = ~0u, nb = 0, nh = 0;
        CHECK_EQ(zx_channel_read(w->b, 0, &got, NULL, sizeof(got), 0, &nb, &nh), ZX_OK);
        CHECK_EQ(got, i);
        break;
      }
      case 1: {
        uint32_t req[2] = {0, i}, rep[3] = {0, 0, 0}, nb = 0, nh = 0;
        zx_channel_call_args_t args = {req, NULL, rep, NULL, sizeof(req), 0, sizeof(rep), 0};
        CHECK_EQ(zx_channel_call(w->client, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_OK);
        CHECK_EQ(rep[1], i);
        CHECK_EQ(rep[2], ++w->calls);
        break;
      }
      case 2: {
        zx_port_packet_t p = {.key = i, .type = ZX_PKT_TYPE_USER};
        CHECK_EQ(zx_port_queue(w->port, &p), ZX_OK);
        zx_port_packet_t got = {.key = ~0ull};
        CHECK_EQ(zx_port_wait(w->port, ZX_TIME_INFINITE, &got), ZX_OK);
        CHECK_EQ(got.key, i);
        break;
      }
      case 3: {
        zx_vaddr_t addr = 0;
        CHECK_EQ(zx_vmar_map(w->vmar, ZX_VM_SPECIFIC | ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0,
                             w->vmo, 0, PAGE, &addr),
                 ZX_OK);
        CHECK_EQ(addr, w->base);
        if (addr == w->base) *(volatile uint32_t*)addr = i;
        CHECK_EQ(zx_vmar_unmap(w->vmar, w->base, PAGE), ZX_OK);
        break;
      }
      default:
        CHECK_EQ(zx_object_wait_one(w->ev, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, NULL), ZX_OK);
        break;
    }
    atomic_fetch_add(&shared[0], 1);
    if (guest_failures > 20) break; /* enough said */
  }
}

/* Nothing left over: a call that ran twice would have queued a message or a packet. */
static void check_nothing_left(struct world* w) {
  uint32_t got, nb, nh;
  CHECK_EQ(zx_channel_read(w->b, 0, &got, NULL, sizeof(got), 0, &nb, &nh), ZX_ERR_SHOULD_WAIT);
  uint32_t rep[3];
  CHECK_EQ(zx_channel_read(w->client, 0, rep, NULL, sizeof(rep), 0, &nb, &nh),
           ZX_ERR_SHOULD_WAIT);
  zx_port_packet_t p;
  CHECK_EQ(zx_port_wait(w->port, 0, &p), ZX_ERR_TIMED_OUT);
}

static void phase_handler(struct world* w) {
  struct sigaction sa = {0};
  sa.sa_handler = on_usr1; /* no SA_RESTART: interrupted traps return -EINTR */
  sigemptyset(&sa.sa_mask);
  CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
  atomic_store(&hammering, 1);
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, hammer, NULL), 0);
  run_calls(w, 0);
  atomic_store(&hammering, 0);
  pthread_join(th, NULL);
  CHECK(atomic_load(&handler_runs) > 0);
  CHECK_EQ(atomic_load(&handler_failures), 0);
  check_nothing_left(w);
}

static void phase_stop(struct world* w) {
  atomic_int* done = &shared[1];
  pid_t me = getpid();
  pid_t kid = fork();
  if (kid == 0) {
    /* A plain Linux process (no Zircon calls): stops and continues its parent in bursts until
     * told (an answer racing a stop is rare: it takes a storm to catch one). The last thing it
     * sends is always SIGCONT. */
    int seen = atomic_load(&shared[0]);
    while (!atomic_load(done)) {
      for (int i = 0; i < BURST && !atomic_load(done); i++) {
        kill(me, SIGSTOP);
        kill(me, SIGCONT);
        atomic_fetch_add(&shared[2], 1);
      }
      seen = wait_progress(seen, done, 1);
    }
    _exit(0);
  }
  CHECK(kid > 0);
  run_calls(w, ITERATIONS);
  atomic_store(done, 1);
  int st = 0;
  if (kid > 0) CHECK_EQ(waitpid(kid, &st, 0), kid);
  check_nothing_left(w);
  stops = atomic_load(&shared[2]);
  CHECK(stops > 0);
}

/* No argument: both phases; "handler" or "stop": that phase alone. */
int main(int argc, char** argv) {
  const char* only = argc > 1 ? argv[1] : "";
  main_tid = (pid_t)syscall(SYS_gettid);
  shared = mmap(NULL, 3 * sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                -1, 0);
  if (shared == MAP_FAILED) return 1;
  struct world w = {0};
  CHECK_EQ(zx_channel_create(0, &w.a, &w.b), ZX_OK);
  zx_handle_t srv_end;
  CHECK_EQ(zx_channel_create(0, &w.client, &srv_end), ZX_OK);
  CHECK_EQ(zx_port_create(0, &w.port), ZX_OK);
  CHECK_EQ(zx_event_create(0, &w.ev), ZX_OK);
  CHECK_EQ(zx_object_signal(w.ev, 0, ZX_EVENT_SIGNALED), ZX_OK);
  CHECK_EQ(zx_event_create(0, &handler_event), ZX_OK);
  CHECK_EQ(zx_vmo_create(PAGE, 0, &w.vmo), ZX_OK);
  CHECK_EQ(zx_vmar_allocate(zx_vmar_root_self(),
                            ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0,
                            PAGE, &w.vmar, &w.base),
           ZX_OK);
  struct server srv = {srv_end, 0};
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, serve, &srv), 0);
  if (guest_failures) return GUEST_RESULT();

  if (strcmp(only, "stop") != 0) phase_handler(&w);
  if (strcmp(only, "handler") != 0) phase_stop(&w);
  printf("signals: %d handler runs, %d stops\n", atomic_load(&handler_runs), stops);

  uint32_t last = 0;
  CHECK_EQ(zx_channel_write(w.client, 0, &last, sizeof(last), NULL, 0), ZX_OK);
  pthread_join(th, NULL);
  CHECK_EQ(srv.seen, w.calls);
  uint32_t value = 0;
  CHECK_EQ(zx_vmo_read(w.vmo, &value, 0, sizeof(value)), ZX_OK);
  if (!*only) CHECK_EQ(value, 2 * ITERATIONS - 2); /* the last map wrote its iteration there */
  return GUEST_RESULT();
}
