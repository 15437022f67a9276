/* zum's pure-process stub: the only code of zum's that runs inside a pure Zircon process.
 *
 * Layout below the Zircon user base (everything of the stub's lies in [STUB_BASE, 0x200000)):
 *
 *   0x010000  STUB_BASE           the stub's image: text, rodata, then data and bss (the agent's
 *                                 stack, the thread slots: one 8 KiB stack per thread, the
 *                                 copy-on-write fault sources and their 64 KiB copy buffer)
 *   0x1ee000  STUB_VDSO_WINDOW    Linux's vDSO, remapped here ([vvar] pages, then the text)
 *   0x1fe000                      unmapped
 *   0x1ff000  ZUM_PAGE_ADDR       the zum page (read-only)
 *
 * Shared with tests/stub-test.c, which checks the layout. */
#ifndef ZUM_HOST_STUB_STUB_H_
#define ZUM_HOST_STUB_STUB_H_

#define STUB_BASE 0x10000ul /* the lowest address Linux maps by default (vm.mmap_min_addr) */
#define STUB_VDSO_WINDOW 0x1ee000ul
#define STUB_VDSO_WINDOW_END 0x1fe000ul

/* Every Zircon thread runs with a slot of the stub's: an 8 KiB stack that is first the stack of
 * the freshly cloned Linux thread (until it enters the guest's code) and then its alternate
 * signal stack. A signal frame is at most AT_MINSIGSTKSZ (3.6 KiB with AVX-512; AMX state is
 * never enabled in a pure process) and the fault handler (copy-on-write faults included) needs
 * well under 1 KiB. 208 slots fill the room below the vDSO window that the copy-on-write state
 * (host/guest/runtime/cow.c: 1024 sources, a 64 KiB buffer) leaves; START_THREAD answers EAGAIN when
 * all are in use. A slot is free again when its thread has exited (the kernel clears the slot's
 * tid: CLONE_CHILD_CLEARTID). */
#define STUB_MAX_THREADS 208
#define STUB_SLOT_STACK 8192

/* The agent (the stub's main thread) and its alternate signal stack. */
#define STUB_AGENT_STACK 16384
#define STUB_AGENT_ALTSTACK 8192

#endif
