# Linux code both sides run: the supervisor (host/sv, launcher) and the code inside guests
# (host/guest). Finding zum's own files (paths.c), the hosted seccomp filter a guest installs in
# itself (hosted_filter.c), passing one fd over a socket (fdpass.c), and building and reading
# SCM_RIGHTS messages (scm.h), over the kernel's message layout (kmsg.h) and raw system calls
# (rawsys.h).
# Included from Makefile.am before the fragments that use these lists.
# The headers without libc, which the freestanding stub uses too.
host_common_freestanding = host/common/scm.h host/common/kmsg.h host/common/rawsys.h
host_common_sources = \
	host/common/paths.c host/common/paths.h \
	host/common/hosted_filter.c host/common/hosted_filter.h \
	host/common/fdpass.c host/common/fdpass.h \
	$(host_common_freestanding)
