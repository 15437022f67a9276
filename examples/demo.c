/* zum's demo: a hosted Zircon program. It is an ordinary Linux executable (printf works) whose
 * zx_* calls are served by zum's supervisor. Build it like any hosted program:
 *
 *   cc demo.c $(pkg-config --cflags --libs zum) -o demo
 *
 * and run it under zum (`zum run ./demo`, `zum run --trace ./demo` to see every Zircon call) or
 * bare (`./demo`: it starts its own supervisor). It creates a channel and an event, shows their
 * handles with ZX_INFO_HANDLE_BASIC, sends a message carrying a handle across the channel, and
 * waits on signals. Any unexpected status ends it with exit code 1. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

/* Runs a Zircon call and stops the demo if it does not return `want`. */
#define EXPECT(want, call)                                                                   \
  do {                                                                                       \
    zx_status_t s_ = (call);                                                                 \
    if (s_ != (want)) {                                                                      \
      fprintf(stderr, "demo: %s returned %s, expected %s\n", #call, zx_status_get_string(s_), \
              zx_status_get_string(want));                                                   \
      exit(1);                                                                               \
    }                                                                                        \
  } while (0)

static const char* type_name(zx_obj_type_t t) {
  switch (t) {
    case ZX_OBJ_TYPE_PROCESS: return "process";
    case ZX_OBJ_TYPE_THREAD: return "thread";
    case ZX_OBJ_TYPE_CHANNEL: return "channel";
    case ZX_OBJ_TYPE_EVENT: return "event";
    case ZX_OBJ_TYPE_EVENTPAIR: return "eventpair";
    case ZX_OBJ_TYPE_PORT: return "port";
    case ZX_OBJ_TYPE_TIMER: return "timer";
    case ZX_OBJ_TYPE_JOB: return "job";
    case ZX_OBJ_TYPE_VMAR: return "vmar";
    default: return "other";
  }
}

static void print_rights(zx_rights_t r) {
  static const struct {
    zx_rights_t bit;
    const char* name;
  } names[] = {
      {ZX_RIGHT_DUPLICATE, "DUPLICATE"}, {ZX_RIGHT_TRANSFER, "TRANSFER"},
      {ZX_RIGHT_READ, "READ"},           {ZX_RIGHT_WRITE, "WRITE"},
      {ZX_RIGHT_EXECUTE, "EXECUTE"},     {ZX_RIGHT_MAP, "MAP"},
      {ZX_RIGHT_GET_PROPERTY, "GET_PROPERTY"}, {ZX_RIGHT_SET_PROPERTY, "SET_PROPERTY"},
      {ZX_RIGHT_ENUMERATE, "ENUMERATE"}, {ZX_RIGHT_DESTROY, "DESTROY"},
      {ZX_RIGHT_SET_POLICY, "SET_POLICY"}, {ZX_RIGHT_GET_POLICY, "GET_POLICY"},
      {ZX_RIGHT_SIGNAL, "SIGNAL"},       {ZX_RIGHT_SIGNAL_PEER, "SIGNAL_PEER"},
      {ZX_RIGHT_WAIT, "WAIT"},           {ZX_RIGHT_INSPECT, "INSPECT"},
      {ZX_RIGHT_MANAGE_JOB, "MANAGE_JOB"}, {ZX_RIGHT_MANAGE_PROCESS, "MANAGE_PROCESS"},
      {ZX_RIGHT_MANAGE_THREAD, "MANAGE_THREAD"}, {ZX_RIGHT_APPLY_PROFILE, "APPLY_PROFILE"},
  };
  const char* sep = "";
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (r & names[i].bit) {
      printf("%s%s", sep, names[i].name);
      sep = "|";
    }
  }
  if (!*sep) printf("NONE");
}

/* Prints what the kernel says about a handle and returns its object's koid. */
static zx_koid_t show(const char* what, zx_handle_t h) {
  zx_info_handle_basic_t info;
  EXPECT(ZX_OK, zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  printf("  %-22s handle 0x%08" PRIx32 "  %-8s koid %-4" PRIu64, what, h, type_name(info.type),
         info.koid);
  if (info.related_koid) printf(" related %-4" PRIu64, info.related_koid);
  printf(" rights ");
  print_rights(info.rights);
  printf("\n");
  return info.koid;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* keep stdout and stderr in order in logs */
  printf("zum demo: a hosted Zircon program, Linux pid %d\n\n", (int)getpid());

  printf("1. Handles this process started with:\n");
  show("zx_process_self()", zx_process_self());
  show("zx_thread_self()", zx_thread_self());
  show("zx_job_default()", zx_job_default());

  printf("\n2. zx_channel_create: two endpoints, each the other's related object:\n");
  zx_handle_t ch[2];
  EXPECT(ZX_OK, zx_channel_create(0, &ch[0], &ch[1]));
  show("channel end 0", ch[0]);
  show("channel end 1", ch[1]);

  printf("\n3. zx_event_create, then zx_handle_duplicate with fewer rights:\n");
  zx_handle_t ev, ev_dup;
  EXPECT(ZX_OK, zx_event_create(0, &ev));
  zx_koid_t ev_koid = show("event", ev);
  EXPECT(ZX_OK, zx_handle_duplicate(ev, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL |
                                            ZX_RIGHT_INSPECT, &ev_dup));
  show("duplicate", ev_dup);

  printf("\n4. zx_channel_write: a message and the duplicate handle go into the channel.\n");
  const char msg[] = "hello from zum";
  EXPECT(ZX_OK, zx_channel_write(ch[0], 0, msg, sizeof(msg), &ev_dup, 1));
  zx_info_handle_basic_t info;
  EXPECT(ZX_ERR_BAD_HANDLE,
         zx_object_get_info(ev_dup, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  printf("   the sent handle 0x%08" PRIx32 " is no longer in this process's table "
         "(ZX_ERR_BAD_HANDLE)\n", ev_dup);

  printf("\n5. zx_object_wait_one on end 1 for READABLE:\n");
  zx_signals_t seen = 0;
  EXPECT(ZX_OK, zx_object_wait_one(ch[1], ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, &seen));
  printf("   observed signals 0x%08" PRIx32 "%s%s\n", seen,
         seen & ZX_CHANNEL_READABLE ? " READABLE" : "", seen & ZX_CHANNEL_WRITABLE ? " WRITABLE" : "");

  printf("\n6. zx_channel_read on end 1:\n");
  char buf[64];
  zx_handle_t got = ZX_HANDLE_INVALID;
  uint32_t nbytes = 0, nhandles = 0;
  EXPECT(ZX_OK, zx_channel_read(ch[1], 0, buf, &got, sizeof(buf), 1, &nbytes, &nhandles));
  printf("   %" PRIu32 " bytes \"%s\" and %" PRIu32 " handle:\n", nbytes, buf, nhandles);
  zx_koid_t got_koid = show("received handle", got);
  printf("   the same event (koid %" PRIu64 "), with the rights the sent handle had\n", ev_koid);
  if (got_koid != ev_koid) {
    fprintf(stderr, "demo: the received handle names koid %" PRIu64 ", not the event\n", got_koid);
    return 1;
  }

  printf("\n7. Signals: zx_object_signal through the received handle, wait through the original:\n");
  EXPECT(ZX_OK, zx_object_signal(got, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0));
  EXPECT(ZX_OK, zx_object_wait_one(ev, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, &seen));
  printf("   observed 0x%08" PRIx32 " (SIGNALED|USER_SIGNAL_0)\n", seen);
  zx_time_t t0 = zx_clock_get_monotonic();
  EXPECT(ZX_ERR_TIMED_OUT,
         zx_object_wait_one(ev, ZX_USER_SIGNAL_1, zx_deadline_after(ZX_MSEC(20)), &seen));
  printf("   waiting for USER_SIGNAL_1 with a 20 ms deadline: ZX_ERR_TIMED_OUT after %.1f ms\n",
         (double)(zx_clock_get_monotonic() - t0) / 1e6);

  printf("\n8. Closing end 0 raises PEER_CLOSED on end 1:\n");
  EXPECT(ZX_OK, zx_handle_close(ch[0]));
  EXPECT(ZX_OK, zx_object_wait_one(ch[1], ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, &seen));
  printf("   observed 0x%08" PRIx32 "%s\n", seen, seen & ZX_CHANNEL_PEER_CLOSED ? " PEER_CLOSED" : "");
  EXPECT(ZX_ERR_PEER_CLOSED, zx_channel_write(ch[1], 0, msg, sizeof(msg), NULL, 0));
  printf("   writing to end 1 now fails with ZX_ERR_PEER_CLOSED\n");

  EXPECT(ZX_OK, zx_handle_close(ch[1]));
  EXPECT(ZX_OK, zx_handle_close(ev));
  EXPECT(ZX_OK, zx_handle_close(got));
  printf("\nDone: every handle closed.\n");
  return 0;
}
