/* The agent: the stub's main thread serving the supervisor on fd 3 (zum_agent_msg_t). */
#include "host/guest/runtime/agent.h"
#include "host/guest/runtime/ops.h"

#include "host/guest/stub/private.h"

static int sealed; /* guest code runs only after the seal */

void stub_agent_reply_fd(uint64_t token, int error, int tid, int fd) {
  /* Not sent whole: the supervisor is gone. */
  if (!zum_agent_reply(AGENT_FD, token, error, tid, fd)) stub_exit_group(0);
}

NORETURN void stub_agent_loop(void) {
  static zum_agent_msg_t m;
  for (;;) {
    int fds[ZUM_WORK_MAX_OPS];
    size_t nfds;
    long n = zum_agent_recv(AGENT_FD, &m, fds, &nfds);
    if (n <= 0) stub_exit_group(0); /* the supervisor is gone */
    int error = 0, tid = 0;
    uint64_t token = n >= 16 ? m.token : 0;
    if (n != (long)sizeof(m)) {
      error = EINVAL;
    } else if (m.kind == ZUM_AGENT_WORK) {
      error = zum_run_agent_work(&m.u.work, fds, nfds, &stub_ops_policy);
      nfds = 0;
    } else if (m.kind == ZUM_AGENT_START_THREAD) {
      /* Guest code never runs unsealed. */
      error = !sealed ? EPERM
                      : stub_start_thread(m.u.start.pc, m.u.start.sp, m.u.start.arg1,
                                          m.u.start.arg2, m.u.start.fs_base, m.u.start.gs_base,
                                          &tid);
    } else if (m.kind == ZUM_AGENT_SEAL) {
      error = sealed ? EALREADY : stub_seal(m.u.seal.code_start, m.u.seal.code_end);
      if (!error) sealed = 1;
    } else {
      error = EINVAL;
    }
    zum_close_fds(fds, nfds);
    stub_agent_reply_fd(token, error, tid, -1);
  }
}
