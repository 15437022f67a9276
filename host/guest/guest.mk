# Code that runs inside guest processes: libzum (the hosted programs' runtime), the pure-process
# stub (host/guest/stub/stub.mk), zum-launch, and the runtime pieces the stub and libzum share
# (host/guest/runtime). Included from Makefile.am.

# ---------------------------------------------------------------- libzum: the hosted runtime
lib_LTLIBRARIES += libzum.la
libzum_la_SOURCES = \
	host/guest/libzum/startup.c \
	host/guest/libzum/bare.c \
	host/guest/libzum/supervisor_path.c \
	host/guest/libzum/process.c \
	host/guest/libzum/spawn.c \
	host/guest/libzum/work.c \
	host/guest/libzum/runtime.h
# Shared with the pure-process stub.
guest_runtime_sources = \
	host/guest/runtime/ops.c host/guest/runtime/ops.h \
	host/guest/runtime/agent.c host/guest/runtime/agent.h \
	host/guest/runtime/cow.c host/guest/runtime/cow.h \
	host/guest/runtime/workfd.c host/guest/runtime/workfd.h
libzum_la_SOURCES += $(guest_runtime_sources)
# Bare mode starts the zum executable as its supervisor (bare.c); libzum carries only the filter,
# the fd hand-over and the lookup of that executable.
libzum_la_SOURCES += $(host_common_sources)
libzum_la_CPPFLAGS = $(AM_CPPFLAGS) -DZUM_BINDIR='"$(bindir)"'
libzum_la_LIBADD = -L$(builddir) -lzircon -lpthread -ldl
# Only the public API is exported (libzum.sym). The run path $ORIGIN finds libzircon.so beside
# libzum even when a program's --as-needed link dropped its own libzircon.so entry (it makes no
# zx_ call), as a program's RUNPATH does not apply to its libraries' dependencies.
libzum_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 \
	-Wl,--version-script=$(srcdir)/host/guest/libzum/libzum.sym -Wl,-rpath,'$$ORIGIN'
EXTRA_libzum_la_DEPENDENCIES = libzircon.so $(srcdir)/host/guest/libzum/libzum.sym
EXTRA_DIST += host/guest/libzum/libzum.sym

# ---------------------------------------------------------------- zum-launch
# A hosted Zircon program that starts Fuchsia-ABI ELFs as pure processes, installed in
# $(pkglibexecdir) and built next to zum. libzum is linked statically (libtool's -static: no
# wrapper script, the binary is ./zum-launch); libzircon.so is found next to it (build tree) or in
# ../../lib from libexec/zum (installed, also after moving the tree), then in $(libdir).
zumlaunchexecdir = $(pkglibexecdir)
zumlaunchexec_PROGRAMS = zum-launch
zum_launch_SOURCES = host/guest/launch/zum_launch.c host/guest/launch/elf_image.h \
	host/guest/launch/options.c host/guest/launch/options.h \
	host/guest/launch/sysroot.c host/guest/launch/sysroot.h \
	host/guest/launch/ldsvc.c host/guest/launch/ldsvc.h \
	host/guest/launch/stdio_bridge.c host/guest/launch/stdio_bridge.h \
	host/guest/launch/utc_clock.c host/guest/launch/utc_clock.h \
	host/guest/launch/file_vmo.c host/guest/launch/file_vmo.h \
	host/guest/launch/procargs.c host/guest/launch/procargs.h
zum_launch_CFLAGS = $(AM_CFLAGS)
zum_launch_LDADD = libzum.la -L$(builddir) -lzircon -lpthread -ldl
zum_launch_LDFLAGS = $(AM_LDFLAGS) -static -Wl,--no-as-needed \
	-Wl,-rpath,'$$ORIGIN' -Wl,-rpath,'$$ORIGIN/../../lib' -Wl,-rpath,$(libdir)
EXTRA_zum_launch_DEPENDENCIES = libzircon.so

include host/guest/stub/stub.mk
