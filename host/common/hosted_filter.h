/* The hosted filter: zum's syscall numbers go to a new seccomp user-notification listener, every
 * other system call passes (hosted programs keep their Linux calls). Installed in the guest
 * process itself, before exec by the supervisor's spawn (host/sv/spawn.c) or by libzum's bare
 * start (host/guest/libzum/bare.c), which then hands the listener to the supervisor. */
#ifndef ZUM_HOST_COMMON_HOSTED_FILTER_H_
#define ZUM_HOST_COMMON_HOSTED_FILTER_H_

/* Installs the filter in the calling process; returns the listener fd, or -errno. Sets
 * no_new_privs. */
int host_seccomp_install_hosted_filter(void);

#endif
