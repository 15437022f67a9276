# The `zum` command and the supervisor: its main loop (receive a trapped call, dispatch to the
# kernel, reply), the platform it installs for the kernel (with host/sv/platform.c), guests'
# threads, tracing, and `zum run`'s choice of loader.
# Included from Makefile.am.
noinst_LTLIBRARIES += libzumsv.la
libzumsv_la_SOURCES = \
	launcher/supervisor.c launcher/supervisor.h \
	launcher/sv_internal.h \
	launcher/sv_paths.c launcher/sv_paths.h \
	launcher/sv_platform.c \
	launcher/sv_threads.c \
	launcher/sv_vdso.c \
	launcher/sv_work.c launcher/sv_work.h \
	launcher/trace.c launcher/trace.h
# Where the installed tree keeps zum's helper programs and libzircon.so (launcher/sv_paths.c).
zum_path_defs = -DZUM_PKGLIBEXECDIR='"$(pkglibexecdir)"' -DZUM_LIBDIR='"$(libdir)"'
libzumsv_la_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) -fPIC $(zum_path_defs)
libzumsv_la_LIBADD = -ldl
# The whole supervisor, in link order.
supervisor_libs = libzumsv.la libzumkernel.la libzumhost.la $(SECCOMP_LIBS)

bin_PROGRAMS += zum
zum_SOURCES = launcher/main.c launcher/elf_kind.c launcher/elf_kind.h
zum_CFLAGS = $(AM_CFLAGS) $(zum_path_defs)
zum_LDADD = $(supervisor_libs)
