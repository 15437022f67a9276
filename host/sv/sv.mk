# The Linux side that runs in the supervisor: seccomp filters and listeners, spawning guests,
# the event loop, memfds, userfaultfd, guest memory. Included from Makefile.am.
noinst_LTLIBRARIES += libzumhost.la
libzumhost_la_SOURCES = \
	host/sv/guest.c host/sv/guest.h \
	host/sv/loop.c host/sv/loop.h \
	host/sv/memfd.c host/sv/memfd.h \
	host/sv/memfd_insert.c host/sv/memfd_ro.c \
	host/sv/platform.c host/sv/platform.h \
	host/sv/reaper.c host/sv/reaper.h \
	host/sv/seccomp.c host/sv/seccomp.h \
	host/sv/spawn.c host/sv/spawn.h \
	host/sv/uffd.c host/sv/uffd.h \
	$(host_common_sources)
libzumhost_la_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) -fPIC
libzumhost_la_LIBADD = $(SECCOMP_LIBS)
