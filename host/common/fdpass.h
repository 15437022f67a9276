/* Handing fds between processes, and keeping them from leaking across exec. Used by the
 * supervisor and by libzum's bare start (which links this file alone). */
#ifndef ZUM_HOST_FDPASS_H_
#define ZUM_HOST_FDPASS_H_

/* Sends / receives one fd over a unix socket (SCM_RIGHTS). */
int host_send_fd(int sock, int fd);
int host_recv_fd(int sock);

/* Marks every fd from `from` upwards close-on-exec. */
void host_cloexec_from(int from);

#endif
