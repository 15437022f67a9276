# Tests of launching Fuchsia-ABI programs as pure processes (zum-launch, `zum run`'s ELF check):
# the Fuchsia-target test programs and the mini-process guest.

# ---- Fuchsia-ABI test programs (tests/fuchsia/*.c), built with clang for
# x86_64-unknown-fuchsia against zum's vDSO only: no libc, no Fuchsia sysroot. They need clang
# and lld (Debian packages clang and lld); without them they are not built and
# tests/fuchsia-run.sh skips, saying so.
FUCHSIA_CC = clang
fuchsia_elfs = tests/fuchsia/hello.elf tests/fuchsia/args.elf tests/fuchsia/exitcode.elf \
	tests/fuchsia/calls.elf tests/fuchsia/fault.elf tests/fuchsia/undef.elf \
	tests/fuchsia/interp.elf tests/fuchsia/private.elf tests/fuchsia/vdso.elf \
	tests/fuchsia/fuzz.elf tests/fuchsia/escape.elf $(fuchsia_sysroot_files)
fuchsia_cflags = --target=x86_64-unknown-fuchsia -std=gnu17 -O2 -Wall -Wextra -Werror \
	-ffreestanding -nostdlib -fno-stack-protector -fno-sanitize=safe-stack -fPIE \
	-I$(srcdir)/abi/include -I$(GEN)
fuchsia_ldflags = -Wl,-pie -Wl,--no-dynamic-linker -Wl,-e,_start
fuchsia_deps = $(srcdir)/tests/fuchsia/fx.h $(srcdir)/tests/fuchsia/fx_elf.h libzircon.so gen/.stamp
# Builds $@ from $(srcdir)/tests/fuchsia/$$src.c with link flags $$ldflags (shell variables the
# recipe sets first).
fuchsia_build = $(MKDIR_P) tests/fuchsia && \
	if command -v $(FUCHSIA_CC) >/dev/null 2>&1 && command -v ld.lld >/dev/null 2>&1; then \
	  $(FUCHSIA_CC) $(fuchsia_cflags) $$ldflags -o $@ $(srcdir)/tests/fuchsia/$$src.c libzircon.so; \
	else echo "  SKIP     $@: needs clang and ld.lld (Debian packages clang, lld)"; rm -f $@; fi

tests/fuchsia/hello.elf: $(srcdir)/tests/fuchsia/hello.c $(fuchsia_deps)
	$(AM_V_GEN)src=hello ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
tests/fuchsia/args.elf: $(srcdir)/tests/fuchsia/args.c $(fuchsia_deps)
	$(AM_V_GEN)src=args ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
tests/fuchsia/exitcode.elf: $(srcdir)/tests/fuchsia/exitcode.c $(fuchsia_deps)
	$(AM_V_GEN)src=exitcode ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
tests/fuchsia/calls.elf: $(srcdir)/tests/fuchsia/calls.c $(fuchsia_deps)
	$(AM_V_GEN)src=calls ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
tests/fuchsia/fault.elf: $(srcdir)/tests/fuchsia/fault.c $(fuchsia_deps)
	$(AM_V_GEN)src=fault ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
tests/fuchsia/private.elf: $(srcdir)/tests/fuchsia/private.c $(fuchsia_deps)
	$(AM_V_GEN)src=private ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
tests/fuchsia/vdso.elf: $(srcdir)/tests/fuchsia/vdso.c $(fuchsia_deps)
	$(AM_V_GEN)src=vdso ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
tests/fuchsia/escape.elf: $(srcdir)/tests/fuchsia/escape.c $(fuchsia_deps)
	$(AM_V_GEN)src=escape ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
tests/fuchsia/fuzz.elf: $(srcdir)/tests/fuchsia/fuzz.c $(srcdir)/tests/fuzz/fuzz-engine.h \
	$(srcdir)/tests/fuzz/fuzz-shapes.h $(fuchsia_deps)
	$(AM_V_GEN)src=fuzz ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
# Error cases for zum-launch: a call the vDSO lacks (linked with -z undefs), and a program that
# asks for Fuchsia's dynamic linker ld.so.1 (PT_INTERP: linked without --no-dynamic-linker).
tests/fuchsia/undef.elf: $(srcdir)/tests/fuchsia/undef.c $(fuchsia_deps)
	$(AM_V_GEN)src=undef ldflags='$(fuchsia_ldflags) -Wl,-z,undefs'; $(fuchsia_build)
tests/fuchsia/interp.elf: $(srcdir)/tests/fuchsia/hello.c $(fuchsia_deps)
	$(AM_V_GEN)src=hello ldflags='-Wl,-pie -Wl,-e,_start'; $(fuchsia_build)

# ---- Programs whose PT_INTERP is ld.so.1, started through a sysroot's dynamic linker
# (tests/fuchsia-ldso.sh). The sysroot is the tests' own: tests/fuchsia/ldso.c, a small Fuchsia-ABI
# ld.so, as sysroot/lib/ld.so.1. dyn.elf needs libfxdep.so (kept out of the program's directory,
# so the test chooses where the loader service finds it); nolib.elf also needs libfxhidden.so,
# which no search path holds.
fuchsia_sysroot_files = tests/fuchsia/sysroot/lib/ld.so.1 tests/fuchsia/libdir/libfxdep.so \
	tests/fuchsia/dyn.elf tests/fuchsia/nolib.elf
fuchsia_interp_ldflags = -Wl,-pie -Wl,-e,_start -Wl,--no-as-needed
fuchsia_shared_ldflags = -shared -fPIC -Wl,-z,defs

tests/fuchsia/sysroot/lib/ld.so.1: $(srcdir)/tests/fuchsia/ldso.c $(fuchsia_deps)
	$(AM_V_GEN)$(MKDIR_P) $(@D) && src=ldso ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
tests/fuchsia/libdir/libfxdep.so: $(srcdir)/tests/fuchsia/fxdep.c $(fuchsia_deps)
	$(AM_V_GEN)$(MKDIR_P) $(@D) && src=fxdep \
	  ldflags='$(fuchsia_shared_ldflags) -Wl,-soname,libfxdep.so'; $(fuchsia_build)
tests/fuchsia/hidden/libfxhidden.so: $(srcdir)/tests/fuchsia/fxdep.c $(fuchsia_deps)
	$(AM_V_GEN)$(MKDIR_P) $(@D) && src=fxdep \
	  ldflags='$(fuchsia_shared_ldflags) -Wl,-soname,libfxhidden.so'; $(fuchsia_build)
tests/fuchsia/dyn.elf: $(srcdir)/tests/fuchsia/dyn.c tests/fuchsia/libdir/libfxdep.so $(fuchsia_deps)
	$(AM_V_GEN)src=dyn ldflags='$(fuchsia_interp_ldflags) tests/fuchsia/libdir/libfxdep.so'; \
	  $(fuchsia_build)
tests/fuchsia/nolib.elf: $(srcdir)/tests/fuchsia/dyn.c tests/fuchsia/libdir/libfxdep.so \
	tests/fuchsia/hidden/libfxhidden.so $(fuchsia_deps)
	$(AM_V_GEN)libs='tests/fuchsia/libdir/libfxdep.so tests/fuchsia/hidden/libfxhidden.so'; \
	  src=dyn ldflags="$(fuchsia_interp_ldflags) $$libs"; $(fuchsia_build)

check_DATA = $(fuchsia_elfs)
CLEANFILES += $(fuchsia_elfs) tests/fuchsia/hidden/libfxhidden.so
EXTRA_DIST += tests/fuchsia/hello.c tests/fuchsia/args.c tests/fuchsia/exitcode.c \
	tests/fuchsia/calls.c tests/fuchsia/fault.c tests/fuchsia/undef.c tests/fuchsia/private.c tests/fuchsia/vdso.c tests/fuchsia/fx.h tests/fuchsia/fx_elf.h tests/fuchsia-run.sh \
	tests/fuchsia/fuzz.c tests/fuchsia/escape.c tests/fuchsia/ldso.c tests/fuchsia/fxdep.c \
	tests/fuchsia/dyn.c tests/fuchsia-ldso.sh

# Runs them under `zum run` (exit statuses, output, isolation, /proc/PID/maps of a pure process).
TESTS += tests/fuchsia-run.sh tests/fuchsia-ldso.sh
TESTS_ENVIRONMENT += FUCHSIA=$(abs_builddir)/tests/fuchsia

# The mini-process way from a hosted program (run by tests/run-guests.sh, zum run and bare).
check_PROGRAMS += tests/guests/mini_process
tests_guests_mini_process_SOURCES = tests/guests/mini_process.c tests/guests/guest_test.h \
	host/guest/launch/elf_image.h
tests_guests_mini_process_CFLAGS = $(guest_cflags)
tests_guests_mini_process_LDADD = $(guest_ldadd)
tests_guests_mini_process_LDFLAGS = $(guest_ldflags)

# The vDSO's memory is sealed: a hosted program and a pure process (tests/fuchsia/vdso.elf)
# cannot write it (run by tests/run-guests.sh, zum run and bare).
check_PROGRAMS += tests/guests/vdso_seal
tests_guests_vdso_seal_SOURCES = tests/guests/vdso_seal.c tests/guests/guest_test.h
tests_guests_vdso_seal_CFLAGS = $(guest_cflags)
tests_guests_vdso_seal_LDADD = $(guest_ldadd)
tests_guests_vdso_seal_LDFLAGS = $(guest_ldflags)

# `make check-sdk`: with FUCHSIA_SDK pointing at a Fuchsia core SDK, builds a ladder of tiny
# programs with it and runs them through the SDK's ld.so.1 (tests/check-sdk.sh); without it,
# says it skipped. Not part of `make check`: CI has no SDK.
check-sdk: zum zum-launch
	@ZUM=$(abs_builddir)/zum srcdir=$(srcdir) $(SHELL) $(srcdir)/tests/check-sdk.sh
.PHONY: check-sdk
EXTRA_DIST += tests/check-sdk.sh tests/sdk/exit.c tests/sdk/args.c tests/sdk/malloc.c \
	tests/sdk/zxcall.c tests/sdk/hello.c tests/sdk/time.c
