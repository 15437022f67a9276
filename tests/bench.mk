# `make bench`, the demo, and the installed-tree test.

# ---- benchmarks: built by `make` (so they keep compiling), run only by `make bench`
bench_guests = tests/bench/calls tests/bench/pingpong tests/bench/vm tests/bench/proc \
	tests/bench/shared
noinst_PROGRAMS += tests/bench/transport $(bench_guests)

tests_bench_transport_SOURCES = tests/bench/transport.c tests/bench/bench.h
tests_bench_transport_LDADD = libzumhost.la $(SECCOMP_LIBS)

tests_bench_calls_SOURCES = tests/bench/calls.c tests/bench/bench.h
tests_bench_calls_CFLAGS = $(guest_cflags)
tests_bench_calls_LDADD = $(guest_ldadd)
tests_bench_calls_LDFLAGS = $(guest_ldflags)

tests_bench_pingpong_SOURCES = tests/bench/pingpong.c tests/bench/bench.h
tests_bench_pingpong_CFLAGS = $(guest_cflags)
tests_bench_pingpong_LDADD = $(guest_ldadd)
tests_bench_pingpong_LDFLAGS = $(guest_ldflags)

tests_bench_vm_SOURCES = tests/bench/vm.c tests/bench/bench.h
tests_bench_vm_CFLAGS = $(guest_cflags)
tests_bench_vm_LDADD = $(guest_ldadd)
tests_bench_vm_LDFLAGS = $(guest_ldflags)

tests_bench_proc_SOURCES = tests/bench/proc.c tests/bench/bench.h
tests_bench_proc_CFLAGS = $(guest_cflags)
tests_bench_proc_LDADD = $(guest_ldadd)
tests_bench_proc_LDFLAGS = $(guest_ldflags)

tests_bench_shared_SOURCES = tests/bench/shared.c tests/bench/bench.h
tests_bench_shared_CFLAGS = $(guest_cflags)
tests_bench_shared_LDADD = $(guest_ldadd)
tests_bench_shared_LDFLAGS = $(guest_ldflags)

# The baseline of the process bench: a static Linux binary that exits at once.
noinst_PROGRAMS += tests/bench/true_static
tests_bench_true_static_SOURCES = tests/bench/true_static.c
tests_bench_true_static_CFLAGS = -O2 -ffreestanding -fno-stack-protector -fno-pie
tests_bench_true_static_LDFLAGS = -static -nostdlib -no-pie

# io_uring on the supervisor's data path (guest memory, VMO reads): a plain Linux program,
# built when liburing is found (configure).
if HAVE_LIBURING
bench_uring = tests/bench/uring
else
bench_uring =
endif
noinst_PROGRAMS += $(bench_uring)
EXTRA_PROGRAMS = tests/bench/uring
tests_bench_uring_SOURCES = tests/bench/uring.c tests/bench/bench.h
tests_bench_uring_CFLAGS = $(AM_CFLAGS) $(URING_CFLAGS)
tests_bench_uring_LDADD = $(URING_LIBS)

EXTRA_DIST += tests/bench/run.sh

bench: zum libzircon.so zum-stub tests/bench/transport tests/bench/true_static $(bench_guests) \
		$(bench_uring) tests/bench/futex_native tests/fuchsia/futex.elf
	@ZUM=$(abs_builddir)/zum BENCH=$(abs_builddir)/tests/bench \
		FUCHSIA=$(abs_builddir)/tests/fuchsia $(SHELL) $(srcdir)/tests/bench/run.sh
.PHONY: bench

# ---- the demo: `./zum run examples/demo` from the build directory
noinst_PROGRAMS += examples/demo
examples_demo_SOURCES = examples/demo.c
examples_demo_CFLAGS = $(guest_cflags)
examples_demo_LDADD = $(guest_ldadd)
examples_demo_LDFLAGS = $(guest_ldflags)

# ---- the installed tree: `make install DESTDIR=<tmp>` (no root needed), used from there and
# after moving it (tests/install-test.sh). The test builds programs against the installed
# libraries, so it needs the compiler and the sanitizer flags this tree was built with.
TESTS += tests/install-test.sh
EXTRA_DIST += tests/install-test.sh tests/install-hello.c tests/install-nozx.c
TESTS_ENVIRONMENT += CC='$(CC)' ZUM_SAN_CFLAGS='$(ZUM_SAN_CFLAGS)' MAKE='$(MAKE)'
