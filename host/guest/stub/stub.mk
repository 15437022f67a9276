# The pure-process stub. Included from host/guest/guest.mk.
#
# zum-stub is a static, freestanding, non-PIE executable linked below the Zircon user base
# (host/guest/stub/stub.ld). It is built with its own flags: no sanitizers, no libc, no stack
# protector, no PIE, no SSE (it runs inside signal handlers and on guest threads).
pkglibexec_PROGRAMS += zum-stub
zum_stub_SOURCES = host/guest/stub/start.S host/guest/stub/main.c host/guest/stub/agent.c \
	host/guest/stub/work.c host/guest/stub/thread.c host/guest/stub/seal.c host/guest/stub/fault.c \
	host/guest/stub/suspend.c 	host/guest/stub/vdso.c host/guest/stub/zumpage.c host/guest/stub/libc.c \
	host/guest/stub/stub.h host/guest/stub/private.h \
	$(guest_runtime_sources) $(host_common_freestanding)
stub_cflags = -std=gnu17 -O2 -ffreestanding -fno-builtin -fno-stack-protector -fno-pie \
	-fno-pic -mgeneral-regs-only -mno-red-zone -fcf-protection=none -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fno-sanitize=all -fno-omit-frame-pointer $(ZUM_WARN_CFLAGS)
zum_stub_CPPFLAGS = -I$(srcdir) -I$(srcdir)/abi/include -I$(GEN)
zum_stub_CFLAGS = $(stub_cflags)
zum_stub_CCASFLAGS = -fno-pie
zum_stub_LINK = $(CC) $(stub_cflags) -static -nostdlib -no-pie -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,-T,$(srcdir)/host/guest/stub/stub.ld -o $@
EXTRA_zum_stub_DEPENDENCIES = $(srcdir)/host/guest/stub/stub.ld
EXTRA_DIST += host/guest/stub/stub.ld
# Generated headers (zum/sysno.h) first.
$(zum_stub_OBJECTS): gen/.stamp

