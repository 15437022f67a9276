/* zum: run Zircon programs as Linux processes.
 *
 *   zum run [OPTIONS] PROGRAM [ARGS...]
 *
 * Starts PROGRAM (a hosted Zircon program, or a Fuchsia-ABI ELF through zum-launch) as the
 * first process of a fresh Zircon system and exits with its return code.
 *
 *   zum --serve-bare=SOCK,GUEST    (internal, not in the usage text)
 *
 * The supervisor of a program run bare: libzum's constructor execs it in a child of that
 * program (host/guest/libzum/bare.c). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <zircon/types.h>
#include <zum/zum.h>

#include "launcher/elf_kind.h"
#include "launcher/supervisor.h"
#include "launcher/trace.h"

static void usage(FILE* f) {
  fprintf(f,
          "usage: zum run [--trace] [--trace-file=PATH] [--seed=N] [--root-resource]\n"
          "               [--debuglog-file=PATH] [--limit-WHAT=N]... [--work-deadline=MS]\n"
          "               [FUCHSIA OPTIONS] PROGRAM [ARGS...]\n"
          "       zum --version\n"
          "\n"
          "Runs PROGRAM, a hosted Zircon program (built with `pkg-config --cflags --libs zum`), as\n"
          "the first process of a fresh Zircon system: root job -> its job -> PROGRAM. zum exits\n"
          "with the program's return code.\n"
          "\n"
          "  --trace            print one line per Zircon call on stderr\n"
          "  --trace-file=PATH  write those lines to PATH instead\n"
          "  --seed=N           place VMARs and mappings from seed N: the same program gets the\n"
          "                     same address layout every run (for debugging)\n"
          "  --root-resource    give PROGRAM the root resource (PA_RESOURCE) and the ranged\n"
          "                     resources (PA_MMIO_RESOURCE...), for privileged calls; off by\n"
          "                     default (ZUM_ROOT_RESOURCE=1 for bare runs)\n"
          "  --debuglog-file=PATH  write debuglog lines (zx_debuglog_write) to PATH, not stderr\n"
          "\n"
          "PROGRAM may also be a Fuchsia-ABI ELF: one linked against zum's libzircon.so only, or\n"
          "one built with a Fuchsia SDK (PT_INTERP ld.so.1), started through the SDK's ld.so.1.\n"
          "For those:\n"
          "  --sysroot=DIR      the Fuchsia sysroot holding lib/ld.so.1 or dist/lib/ld.so.1\n"
          "                     (else ZUM_SYSROOT=DIR, else FUCHSIA_SDK=SDK, using\n"
          "                     SDK/arch/x64/sysroot and SDK/arch/x64/dist)\n"
          "  --lib-path=DIRS    colon-separated directories searched first for shared\n"
          "                     libraries (also ZUM_LIBRARY_PATH); then PROGRAM's directory\n"
          "                     and the sysroot's\n"
          "  --env K=V          set K in the program's environment (zum's own by default)\n"
          "  --unset-env K      remove K from it\n"
          "  --clear-env        start from an empty environment\n"
          "\n"
          "What guests may make the supervisor hold (a call past a limit fails with\n"
          "ZX_ERR_NO_RESOURCES, or ZX_ERR_NO_MEMORY for memory); N takes a K, M or G suffix:\n"
          "  --limit-fds=N      descriptors, all guests (default: the supervisor's fd limit less\n"
          "                     what it holds and a reserve of 1/8, at least 256)\n"
          "  --limit-procs=N    processes, all guests (default 4096)\n"
          "  --limit-mem=N      bytes of queued messages, packets and waits, all guests\n"
          "                     (default 512M)\n"
          "  --limit-handles=N  handles, all guests (default: Zircon's 256Ki less 1/16)\n"
          "  --limit-job-fds=N, --limit-job-procs=N, --limit-job-mem=N, --limit-job-handles=N\n"
          "                     the same for each job tree a guest makes (jobs below the\n"
          "                     program's own job; default: half of the total)\n"
          "  --work-deadline=MS how long a process may keep others waiting on its address-space\n"
          "                     work before it is killed as unresponsive (default 30000; 0: no\n"
          "                     deadline)\n"
          "A program run bare (without zum) takes these from ZUM_LIMITS=job-fds=N,mem=N,... and\n"
          "ZUM_WORK_DEADLINE=MS.\n");
}

/* A Zircon return code as a Linux exit status. 0-255 pass through; anything else (negative
 * codes, the ZX_TASK_RETCODE_* kills) would wrap, possibly to 0, so it is reported and mapped to
 * 255 rather than pass for success. */
static int exit_status(int64_t code) {
  if (code >= 0 && code <= 255) return (int)code;
  const char* why = "";
  if (code == ZX_TASK_RETCODE_SYSCALL_KILL) why = " (ZX_TASK_RETCODE_SYSCALL_KILL)";
  else if (code == ZX_TASK_RETCODE_EXCEPTION_KILL) why = " (ZX_TASK_RETCODE_EXCEPTION_KILL)";
  else if (code == ZX_TASK_RETCODE_POLICY_KILL) why = " (ZX_TASK_RETCODE_POLICY_KILL)";
  if (ZUM_TASK_RETCODE_IS_SIGNAL_KILL(code)) {
    int sig = (int)(ZUM_TASK_RETCODE_SIGNAL_BASE - code);
    fprintf(stderr,
            "zum: process exited with return code %" PRId64
            " (ZUM_TASK_RETCODE_SIGNAL_KILL: killed by Linux signal %d, %s)\n",
            code, sig, strsignal(sig));
    return 255;
  }
  fprintf(stderr, "zum: process exited with return code %" PRId64 "%s\n", code, why);
  return 255;
}

/* The options for Fuchsia programs, as zum-launch takes them ("--NAME=VALUE"). `name` is
 * "--NAME"; the value is "=VALUE" attached or the next argument. Returns how many arguments
 * were used (0: not this option, -1: a missing value). */
static int launch_option(char** argv, int argc, int i, const char* name, char** out) {
  size_t n = strlen(name);
  const char* a = argv[i];
  if (strncmp(a, name, n) != 0) return 0;
  const char* value;
  int used = 1;
  if (a[n] == '=') value = a + n + 1;
  else if (a[n] == '\0' && i + 1 < argc) value = argv[i + 1], used = 2;
  else if (a[n] == '\0') return -1;
  else return 0;
  size_t len = n + 1 + strlen(value) + 1;
  *out = malloc(len);
  if (!*out) return -1;
  snprintf(*out, len, "%s=%s", name, value);
  return used;
}

/* Kept reachable until exit (volatile: the store must not be optimized away), so leak checkers
 * see the forwarded options on every path out of cmd_run. */
static char** volatile kept_launch_opts;

/* A count with an optional K, M or G suffix (powers of 1024); false if it is none. */
static bool parse_size(const char* s, uint64_t* out) {
  char* end;
  errno = 0;
  uint64_t v = strtoull(s, &end, 0);
  if (errno || end == s || s[0] == '-') return false;
  unsigned shift = 0;
  if (*end == 'K' || *end == 'k') shift = 10, end++;
  else if (*end == 'M' || *end == 'm') shift = 20, end++;
  else if (*end == 'G' || *end == 'g') shift = 30, end++;
  if (*end || (shift && v > (UINT64_MAX >> shift))) return false;
  *out = v << shift;
  return true;
}

/* --limit-WHAT=N and --limit-job-WHAT=N (kobj/quota.h); 1 if a is one, 0 if not, -1 if bad. */
static int parse_limit(const char* a, struct kquota_options* q) {
  if (strncmp(a, "--limit-", 8) != 0) return 0;
  a += 8;
  bool job = strncmp(a, "job-", 4) == 0;
  if (job) a += 4;
  for (int r = 0; r < KRES_COUNT; r++) {
    size_t n = strlen(kquota_names[r]);
    if (strncmp(a, kquota_names[r], n) != 0 || a[n] != '=') continue;
    uint64_t v;
    if (!parse_size(a + n + 1, &v) || v == 0) {
      fprintf(stderr, "zum: --limit-%s%s needs a positive number, not %s\n", job ? "job-" : "",
              kquota_names[r], a + n + 1);
      return -1;
    }
    if (job) q->job[r] = v;
    else q->total[r] = v;
    return 1;
  }
  return 0;
}

static int cmd_run(int argc, char** argv) {
  struct sv_options o = {0};
  /* At most one forwarded option per argument. */
  char** launch_opts = calloc((size_t)argc + 1, sizeof(char*));
  int nlaunch = 0;
  if (!launch_opts) return 127;
  kept_launch_opts = launch_opts;
  int i = 0, lim;
  for (; i < argc; i++) {
    const char* a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (a[0] != '-') break;
    if (strcmp(a, "--trace") == 0) {
      o.trace = stderr;
    } else if (strncmp(a, "--trace-file=", 13) == 0) {
      o.trace = fopen(a + 13, "we");
      if (!o.trace) {
        fprintf(stderr, "zum: cannot open %s: %s\n", a + 13, strerror(errno));
        return 2;
      }
    } else if (strcmp(a, "--root-resource") == 0) {
      o.root_resource = true;
    } else if (strncmp(a, "--debuglog-file=", 16) == 0) {
      o.debuglog = fopen(a + 16, "we");
      if (!o.debuglog) {
        fprintf(stderr, "zum: cannot open %s: %s\n", a + 16, strerror(errno));
        return 2;
      }
    } else if (strncmp(a, "--seed=", 7) == 0) {
      char* end;
      errno = 0;
      o.seed = strtoull(a + 7, &end, 0);
      if (errno || end == a + 7 || *end) {
        fprintf(stderr, "zum: --seed needs a number, not %s\n", a + 7);
        return 2;
      }
      o.seeded = true;
    } else if (strcmp(a, "--clear-env") == 0) {
      launch_opts[nlaunch++] = (char*)a;
    } else if (strncmp(a, "--sysroot", 9) == 0 || strncmp(a, "--lib-path", 10) == 0 ||
               strncmp(a, "--env", 5) == 0 || strncmp(a, "--unset-env", 11) == 0) {
      static const char* const names[] = {"--sysroot", "--lib-path", "--env", "--unset-env"};
      int used = 0;
      for (size_t k = 0; k < sizeof(names) / sizeof(names[0]) && used == 0; k++)
        used = launch_option(argv, argc, i, names[k], &launch_opts[nlaunch]);
      if (used == 0) {
        fprintf(stderr, "zum: unknown option %s\n", a);
        usage(stderr);
        return 2;
      }
      if (used < 0) {
        fprintf(stderr, "zum: %s needs a value\n", a);
        return 2;
      }
      nlaunch++;
      i += used - 1;
    } else if (strncmp(a, "--work-deadline=", 16) == 0) {
      uint64_t ms;
      if (!parse_size(a + 16, &ms) || ms > INT64_MAX / 1000000) {
        fprintf(stderr, "zum: --work-deadline needs milliseconds, not %s\n", a + 16);
        return 2;
      }
      o.work_deadline_set = true;
      o.work_deadline = (int64_t)ms * 1000000;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if ((lim = parse_limit(a, &o.quota)) != 0) {
      if (lim < 0) return 2;
    } else {
      fprintf(stderr, "zum: unknown option %s\n", a);
      usage(stderr);
      return 2;
    }
  }
  if (i >= argc) {
    fprintf(stderr, "zum run: no program given\n");
    usage(stderr);
    return 2;
  }
  /* A Fuchsia-ABI ELF (no PT_INTERP, not Linux) runs as a pure process through zum-launch. */
  char** fuchsia = elf_kind_launch_argv(&argv[i], launch_opts, nlaunch);
  if (fuchsia) {
    argv = fuchsia, i = 0;
  } else if (nlaunch) {
    fprintf(stderr, "zum: %s is for Fuchsia-ABI programs; %s is a hosted one\n", launch_opts[0],
            argv[i]);
    return 2;
  }
  if (sv_init(&o) != 0) return 127;
  int64_t code = sv_run_first(argv[i], &argv[i]);
  if (code == INT64_MIN) return 127;
  return exit_status(code);
}

/* ZUM_LIMITS="job-fds=300,mem=64M": the --limit-* options of a bare run; false on a bad one. */
static bool env_limits(const char* v, struct kquota_options* q) {
  char item[96];
  while (v && *v) {
    size_t n = strcspn(v, ",");
    int len = snprintf(item, sizeof(item), "--limit-%.*s", (int)n, v);
    if (len < 0 || (size_t)len >= sizeof(item) || parse_limit(item, q) != 1) {
      fprintf(stderr, "zum: ZUM_LIMITS: bad limit %.*s: ZUM_LIMITS ignored\n", (int)n, v);
      return false;
    }
    v += n + (v[n] == ',');
  }
  return true;
}

/* The bare supervisor's settings come from the environment, which the program passed on. */
static void bare_options(struct sv_options* o) {
  const char* t = getenv("ZUM_TRACE");
  if (t && *t && strcmp(t, "0") != 0) o->trace = stderr;
  const char* rr = getenv("ZUM_ROOT_RESOURCE");
  o->root_resource = rr && *rr && strcmp(rr, "0") != 0;
  const char* seed = getenv("ZUM_SEED");
  if (seed && *seed) {
    o->seeded = true;
    o->seed = strtoull(seed, NULL, 0);
  }
  struct kquota_options q = {0};
  if (env_limits(getenv("ZUM_LIMITS"), &q)) o->quota = q;
  const char* wd = getenv("ZUM_WORK_DEADLINE");
  uint64_t ms;
  if (wd && *wd && parse_size(wd, &ms) && ms <= INT64_MAX / 1000000) {
    o->work_deadline_set = true;
    o->work_deadline = (int64_t)ms * 1000000;
  }
}

/* --serve-bare=SOCK,GUEST: GUEST, this process's parent, sends its listener over fd SOCK. The
 * child set PR_SET_PDEATHSIG before exec (so the supervisor dies with the program); both that and
 * the parent are checked again here. */
static int cmd_serve_bare(const char* arg) {
  int sock, guest, end = 0;
  if (sscanf(arg, "%d,%d%n", &sock, &guest, &end) != 2 || arg[end] || sock < 0 ||
      prctl(PR_GET_PDEATHSIG, &end) != 0 || end != SIGKILL) {
    fprintf(stderr, "zum: --serve-bare is internal to libzum's bare start\n");
    return 2;
  }
  if (getppid() != guest) return 0; /* the program is already gone */
  prctl(PR_SET_NAME, "zum-supervisor");
  struct sv_options o = {.bare_guest = (pid_t)guest};
  bare_options(&o);
  if (sv_init(&o) != 0) return 127;
  sv_serve_bare(sock, (pid_t)guest);
}

/* A closed fd 0, 1 or 2 would be reused by the next descriptor opened here (the supervisor's
 * and agents' sockets), and whatever then treats it as stdio (zum-launch's stdio bridge, a
 * message on stderr) would talk into that socket instead: /dev/null stands in for it. */
static void keep_stdio_fds_taken(void) {
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    int n = open("/dev/null", O_RDWR);
    if (n < 0) _exit(127);
    if (n != fd) {
      /* The lower numbers are open, so open() took this one; anything else is impossible. */
      close(n);
      _exit(127);
    }
  }
}

int main(int argc, char** argv) {
  keep_stdio_fds_taken();
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "run") == 0) return cmd_run(argc - 2, argv + 2);
  if (strncmp(argv[1], "--serve-bare=", 13) == 0) return cmd_serve_bare(argv[1] + 13);
  if (strcmp(argv[1], "--version") == 0) {
    printf("zum %s\n", PACKAGE_VERSION);
    return 0;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "zum: unknown command %s\n", argv[1]);
  usage(stderr);
  return 2;
}
