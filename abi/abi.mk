# The ABI: code generated from the syscall table, the public headers, and the vDSO
# (libzircon.so). Included from Makefile.am.

# ---------------------------------------------------------------- generated from the syscall table
GENERATED = \
	gen/zircon/syscalls/zx-cdecls.h \
	gen/zum/sysno.h \
	gen/zum/private-cdecls.h \
	gen/zum/fuzz-table.h \
	gen/vdso-stubs.c \
	gen/sys-decls.h \
	gen/kcall-table.c

BUILT_SOURCES += gen/.stamp
CLEANFILES += $(GENERATED) gen/.stamp libzircon.so
EXTRA_DIST += abi/gen_syscalls.py abi/syscalls.txt abi/status-list.inc abi/vdso/vdso.ld \
	abi/vdso/vdso-private.h $(vdso_sources)

gen/.stamp: $(srcdir)/abi/syscalls.txt $(srcdir)/abi/gen_syscalls.py
	$(AM_V_GEN)$(MKDIR_P) $(GEN) && $(PYTHON) $(srcdir)/abi/gen_syscalls.py $(srcdir)/abi/syscalls.txt $(GEN) && touch $@

$(GENERATED): gen/.stamp

# ---------------------------------------------------------------- public headers
zircondir = $(includedir)/zircon
zircon_HEADERS = \
	abi/include/zircon/compiler.h \
	abi/include/zircon/errors.h \
	abi/include/zircon/limits.h \
	abi/include/zircon/process.h \
	abi/include/zircon/processargs.h \
	abi/include/zircon/rights.h \
	abi/include/zircon/status.h \
	abi/include/zircon/string_view.h \
	abi/include/zircon/syscalls.h \
	abi/include/zircon/time.h \
	abi/include/zircon/types.h
zirconsyscallsdir = $(includedir)/zircon/syscalls
zirconsyscalls_HEADERS = \
	abi/include/zircon/syscalls/clock.h \
	abi/include/zircon/syscalls/debug.h \
	abi/include/zircon/syscalls/exception.h \
	abi/include/zircon/syscalls/log.h \
	abi/include/zircon/syscalls/object.h \
	abi/include/zircon/syscalls/policy.h \
	abi/include/zircon/syscalls/port.h \
	abi/include/zircon/syscalls/profile.h \
	abi/include/zircon/syscalls/resource.h \
	abi/include/zircon/syscalls/smc.h \
	abi/include/zircon/syscalls/system.h \
	abi/include/zircon/syscalls/types.h
nodist_zirconsyscalls_HEADERS = gen/zircon/syscalls/zx-cdecls.h
zumincdir = $(includedir)/zum
zuminc_HEADERS = abi/include/zum/zum.h
# zum's private ABI (syscall numbers, the trap, the work and agent records): not installed.
noinst_HEADERS += abi/include/zum/abi-private.h abi/include/zum/trap.h

# ---------------------------------------------------------------- the vDSO (libzircon.so)
vdso_sources = abi/vdso/vdso-time.c abi/vdso/vdso-system.c abi/vdso/vdso-misc.c \
	abi/vdso/vdso-exit.c \
	abi/vdso/vdso-cache.c
# Freestanding, position independent, no sanitizers: it runs with no libc and no relocations.
vdso_cflags = -std=gnu17 -O2 -fPIC -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-plt -fcf-protection=none -fno-sanitize=all $(ZUM_WARN_CFLAGS) \
	-DPACKAGE_VERSION='"$(PACKAGE_VERSION)"'
vdso_ldflags = -nostdlib -shared -Wl,-soname,libzircon.so -Wl,--hash-style=gnu \
	-Wl,-Bsymbolic -Wl,--no-undefined -Wl,-z,noexecstack -Wl,--build-id \
	-Wl,-T,$(srcdir)/abi/vdso/vdso.ld

# Built by one rule without dependency tracking: every header it includes is listed.
vdso_headers = abi/vdso/vdso-private.h abi/include/zum/abi-private.h
libzircon.so: $(vdso_sources:%=$(srcdir)/%) $(vdso_headers:%=$(srcdir)/%) gen/vdso-stubs.c \
		$(srcdir)/abi/vdso/vdso.ld gen/.stamp
	$(AM_V_CCLD)$(CC) $(vdso_cflags) -I$(srcdir)/abi -I$(srcdir)/abi/vdso -I$(srcdir)/abi/include \
		-I$(GEN) $(vdso_ldflags) -o $@ $(vdso_sources:%=$(srcdir)/%) gen/vdso-stubs.c

all-local: libzircon.so
install-exec-local: libzircon.so
	$(MKDIR_P) $(DESTDIR)$(libdir)
	$(INSTALL_PROGRAM) libzircon.so $(DESTDIR)$(libdir)/libzircon.so
uninstall-local:
	rm -f $(DESTDIR)$(libdir)/libzircon.so
