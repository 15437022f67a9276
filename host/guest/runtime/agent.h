/* The guest's side of the agent socket (zum_agent_msg_t, zum_agent_reply_t in
 * <zum/abi-private.h>): receiving a message with its fds and sending a reply, for the
 * pure-process stub and libzum alike. Freestanding (raw system calls). */
#ifndef ZUM_HOST_GUEST_RUNTIME_AGENT_H_
#define ZUM_HOST_GUEST_RUNTIME_AGENT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zum/abi-private.h>

/* Receives one message on the agent socket `fd` into m, and the fds it carried into fds (room
 * for ZUM_WORK_MAX_OPS; any beyond that are closed), *nfds how many. Retries EINTR. Returns
 * recvmsg's result: the message's length, 0 (the supervisor is gone) or -errno; a message
 * longer than m counts as invalid (its length is reported as sizeof(*m) + 1). */
long zum_agent_recv(int fd, zum_agent_msg_t* m, int* fds, size_t* nfds);

/* Sends a reply on the agent socket `fd`; with pass_fd >= 0 (the hello's userfaultfd) carrying
 * that fd. Retries EINTR. Returns whether the whole reply went out (if not, the supervisor is
 * gone). */
bool zum_agent_reply(int fd, uint64_t token, int error, int tid, int pass_fd);

#endif
