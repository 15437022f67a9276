#include "launcher/trace.h"

#include <inttypes.h>
#include <string.h>
#include <zircon/syscalls/object.h>

#include "kobj/kcall_table.h"
#include "kobj/task.h"

const char* trace_status_name(int64_t status) {
  switch (status) {
#define X(name) \
  case name:    \
    return #name;
#include "abi/status-list.inc"
#undef X
    default:
      return NULL;
  }
}

struct bit_name {
  uint32_t bit;
  const char* name;
};

static void bits(char* buf, size_t len, uint32_t v, const struct bit_name* names, size_t n) {
  size_t used = 0;
  buf[0] = 0;
  if (v == 0) {
    snprintf(buf, len, "0");
    return;
  }
  for (size_t i = 0; i < n && used < len; i++) {
    if (!(v & names[i].bit)) continue;
    used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "|" : "", names[i].name);
    v &= ~names[i].bit;
  }
  if (v && used < len) snprintf(buf + used, len - used, "%s0x%x", used ? "|" : "", v);
}

void trace_signals(char* buf, size_t len, uint32_t s) {
  static const struct bit_name names[] = {
      {1u << 0, "READABLE"}, {1u << 1, "WRITABLE"}, {1u << 2, "PEER_CLOSED"},
      {1u << 3, "SIGNALED"}, {1u << 4, "SIGNAL_4"}, {1u << 5, "SIGNAL_5"},
      {1u << 23, "HANDLE_CLOSED"}, {1u << 24, "USER_0"}, {1u << 25, "USER_1"},
      {1u << 26, "USER_2"}, {1u << 27, "USER_3"}, {1u << 28, "USER_4"},
      {1u << 29, "USER_5"}, {1u << 30, "USER_6"}, {1u << 31, "USER_7"},
  };
  bits(buf, len, s, names, sizeof(names) / sizeof(names[0]));
}

void trace_rights(char* buf, size_t len, uint32_t r) {
  static const struct bit_name names[] = {
      {ZX_RIGHT_SAME_RIGHTS, "SAME_RIGHTS"}, {ZX_RIGHT_DUPLICATE, "DUPLICATE"},
      {ZX_RIGHT_TRANSFER, "TRANSFER"}, {ZX_RIGHT_READ, "READ"}, {ZX_RIGHT_WRITE, "WRITE"},
      {ZX_RIGHT_EXECUTE, "EXECUTE"}, {ZX_RIGHT_MAP, "MAP"}, {ZX_RIGHT_GET_PROPERTY, "GET_PROPERTY"},
      {ZX_RIGHT_SET_PROPERTY, "SET_PROPERTY"}, {ZX_RIGHT_ENUMERATE, "ENUMERATE"},
      {ZX_RIGHT_DESTROY, "DESTROY"}, {ZX_RIGHT_SET_POLICY, "SET_POLICY"},
      {ZX_RIGHT_GET_POLICY, "GET_POLICY"}, {ZX_RIGHT_SIGNAL, "SIGNAL"},
      {ZX_RIGHT_SIGNAL_PEER, "SIGNAL_PEER"}, {ZX_RIGHT_WAIT, "WAIT"}, {ZX_RIGHT_INSPECT, "INSPECT"},
      {ZX_RIGHT_MANAGE_JOB, "MANAGE_JOB"}, {ZX_RIGHT_MANAGE_PROCESS, "MANAGE_PROCESS"},
      {ZX_RIGHT_MANAGE_THREAD, "MANAGE_THREAD"}, {ZX_RIGHT_APPLY_PROFILE, "APPLY_PROFILE"},
      {ZX_RIGHT_MANAGE_SOCKET, "MANAGE_SOCKET"}, {ZX_RIGHT_OP_CHILDREN, "OP_CHILDREN"},
      {ZX_RIGHT_RESIZE, "RESIZE"}, {ZX_RIGHT_ATTACH_VMO, "ATTACH_VMO"},
      {ZX_RIGHT_MANAGE_VMO, "MANAGE_VMO"},
  };
  if (r == ZX_RIGHT_SAME_RIGHTS) {
    snprintf(buf, len, "SAME_RIGHTS");
    return;
  }
  bits(buf, len, r, names, sizeof(names) / sizeof(names[0]));
}

const char* trace_topic_name(uint32_t t) {
  switch (t) {
    case ZX_INFO_HANDLE_VALID: return "HANDLE_VALID";
    case ZX_INFO_HANDLE_BASIC: return "HANDLE_BASIC";
    case ZX_INFO_PROCESS: return "PROCESS";
    case ZX_INFO_PROCESS_THREADS: return "PROCESS_THREADS";
    case ZX_INFO_VMAR: return "VMAR";
    case ZX_INFO_JOB_CHILDREN: return "JOB_CHILDREN";
    case ZX_INFO_JOB_PROCESSES: return "JOB_PROCESSES";
    case ZX_INFO_THREAD: return "THREAD";
    case ZX_INFO_TASK_STATS: return "TASK_STATS";
    case ZX_INFO_TASK_STATS_V1: return "TASK_STATS_V1";
    case ZX_INFO_HANDLE_COUNT: return "HANDLE_COUNT";
    case ZX_INFO_PROCESS_HANDLE_STATS: return "PROCESS_HANDLE_STATS";
    case ZX_INFO_JOB: return "JOB";
    case ZX_INFO_TIMER: return "TIMER";
    case ZX_INFO_THREAD_STATS: return "THREAD_STATS";
    case ZX_INFO_TASK_RUNTIME: return "TASK_RUNTIME";
    case ZX_INFO_VMO: return "VMO";
    case ZX_INFO_PROCESS_MAPS: return "PROCESS_MAPS";
    case ZX_INFO_PROCESS_VMOS: return "PROCESS_VMOS";
    default: return NULL;
  }
}

const char* trace_property_name(uint32_t p) {
  switch (p) {
    case ZX_PROP_NAME: return "NAME";
    case ZX_PROP_REGISTER_FS: return "REGISTER_FS";
    case ZX_PROP_REGISTER_GS: return "REGISTER_GS";
    case ZX_PROP_PROCESS_DEBUG_ADDR: return "PROCESS_DEBUG_ADDR";
    case ZX_PROP_PROCESS_VDSO_BASE_ADDRESS: return "PROCESS_VDSO_BASE_ADDRESS";
    case ZX_PROP_PROCESS_BREAK_ON_LOAD: return "PROCESS_BREAK_ON_LOAD";
    case ZX_PROP_JOB_KILL_ON_OOM: return "JOB_KILL_ON_OOM";
    case ZX_PROP_VMO_CONTENT_SIZE: return "VMO_CONTENT_SIZE";
    case ZX_PROP_EXCEPTION_STATE: return "EXCEPTION_STATE";
    case ZX_PROP_EXCEPTION_STRATEGY: return "EXCEPTION_STRATEGY";
    default: return NULL;
  }
}

static void format_arg(char* buf, size_t len, enum zum_arg_kind kind, uint64_t v, int64_t now) {
  char tmp[160];
  const char* name;
  switch (kind) {
    case ZUM_ARG_HANDLE:
      if ((uint32_t)v == 0) snprintf(buf, len, "INVALID");
      else snprintf(buf, len, "0x%x", (uint32_t)v);
      break;
    case ZUM_ARG_SIGNALS:
      trace_signals(tmp, sizeof(tmp), (uint32_t)v);
      snprintf(buf, len, "%s", tmp);
      break;
    case ZUM_ARG_RIGHTS:
      trace_rights(tmp, sizeof(tmp), (uint32_t)v);
      snprintf(buf, len, "%s", tmp);
      break;
    case ZUM_ARG_TIME:
      if ((int64_t)v == INT64_MAX) snprintf(buf, len, "INFINITE");
      else if ((int64_t)v == INT64_MIN) snprintf(buf, len, "INFINITE_PAST");
      else if ((int64_t)v <= 0) snprintf(buf, len, "%" PRId64, (int64_t)v);
      else snprintf(buf, len, "now%+.3fms", ((double)((int64_t)v - now)) / 1e6);
      break;
    case ZUM_ARG_DURATION:
      snprintf(buf, len, "%" PRId64 "ns", (int64_t)v);
      break;
    case ZUM_ARG_TOPIC:
      name = trace_topic_name((uint32_t)v);
      if (name) snprintf(buf, len, "%s", name);
      else snprintf(buf, len, "0x%x", (uint32_t)v);
      break;
    case ZUM_ARG_PROPERTY:
      name = trace_property_name((uint32_t)v);
      if (name) snprintf(buf, len, "%s", name);
      else snprintf(buf, len, "%u", (uint32_t)v);
      break;
    case ZUM_ARG_PTR:
      if (v == 0) snprintf(buf, len, "NULL");
      else snprintf(buf, len, "0x%" PRIx64, v);
      break;
    case ZUM_ARG_HEX:
      snprintf(buf, len, "0x%" PRIx64, v);
      break;
    case ZUM_ARG_SIGNED:
      snprintf(buf, len, "%" PRId64, (int64_t)v);
      break;
    case ZUM_ARG_KOID:
    case ZUM_ARG_UNSIGNED:
    default:
      snprintf(buf, len, "%" PRIu64, v);
      break;
  }
}

static void line(FILE* out, const struct kcall* c, const char* tail) {
  const struct kcall_desc* d = &kcall_table[c->nr];
  char args[1024];
  size_t used = 0;
  args[0] = 0;
  for (unsigned i = 0; i < d->nargs && used < sizeof(args); i++) {
    char v[192];
    format_arg(v, sizeof(v), d->args[i].kind, c->args[i], c->start_ns);
    used += (size_t)snprintf(args + used, sizeof(args) - used, "%s%s=%s", i ? ", " : "",
                             d->args[i].name, v);
  }
  /* Koids as Zircon tools print them, and the Linux thread id for gdb -p / strace -p. */
  fprintf(out, "[%" PRIu64 ":%" PRIu64 " tid %d] %s%s(%s) %s\n", c->proc ? c->proc->base.koid : 0,
          c->thread ? c->thread->base.koid : 0, c->thread ? (int)c->thread->tid : 0,
          (d->flags & KCALL_PRIVATE) ? "zum_" : "zx_", d->name, args, tail);
  fflush(out);
}

void trace_call(FILE* out, const struct kcall* c, int64_t end_ns) {
  const struct kcall_desc* d = &kcall_table[c->nr];
  char tail[128];
  const char* st = d->returns_status ? trace_status_name(c->result) : NULL;
  double us = c->start_ns ? (double)(end_ns - c->start_ns) / 1e3 : 0.0;
  if (c->result == ZUM_STATUS_WORK) snprintf(tail, sizeof(tail), "-> (address-space work) (%.1f us)", us);
  else if (st) snprintf(tail, sizeof(tail), "-> %s (%.1f us)", st, us);
  else snprintf(tail, sizeof(tail), "-> %" PRId64 " (%.1f us)", c->result, us);
  line(out, c, tail);
}

void trace_parked(FILE* out, const struct kcall* c) { line(out, c, "... blocked"); }

void trace_noreturn(FILE* out, const struct kcall* c) { line(out, c, "-> (does not return)"); }
