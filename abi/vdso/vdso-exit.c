/* A thread's last calls: zx_futex_wake_handle_close_thread_exit (joinable threads: tell the
 * joiner, which may free this thread's stack at once) and zx_vmar_unmap_handle_close_thread_exit
 * (detached threads: unmap the thread's own stack). Once the value is stored or the range
 * unmapped the stack may be gone, so these are written in assembly that never touches it: the
 * work is done in the supervisor by private calls (kobj/sys_futex.c), the last one marking the
 * thread dying as zx_thread_exit does, and the thread then jumps (not calls) to the runtime's
 * exit hook in the zum page, which ends the Linux thread without using the stack. The unmap
 * goes to the process's agent (no work block): the thread waits in the trap while its stack is
 * unmapped. As on Zircon, a step that fails after the point of no return traps the thread
 * (ud2); a failed unmap returns its status, the stack still there. */
#include <stddef.h>

#include "vdso-private.h"

#define ZUM_STR_(x) #x
#define ZUM_STR(x) ZUM_STR_(x)
#define EXIT_HOOK 0x1ff030 /* ZUM_PAGE_ADDR + offsetof(zum_page_t, exit_thread_fn) */
_Static_assert(ZUM_PAGE_ADDR + offsetof(zum_page_t, exit_thread_fn) == EXIT_HOOK,
               "the exit hook's address");

/* (value_ptr: rdi, wake_count: esi, new_value: edx, close_handle: ecx) */
__asm__(".text\n"
        ".globl _zx_futex_wake_handle_close_thread_exit\n"
        ".type _zx_futex_wake_handle_close_thread_exit, @function\n"
        "_zx_futex_wake_handle_close_thread_exit:\n"
        "  mov %rcx, %r10\n"
        "  mov $" ZUM_STR(ZUM_SYS_futex_wake_thread_exiting) ", %eax\n"
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jnz 1f\n"
        "  jmp *" ZUM_STR(EXIT_HOOK) "\n"
        "1:\n"
        "  ud2\n"
        ".size _zx_futex_wake_handle_close_thread_exit,"
        "  . - _zx_futex_wake_handle_close_thread_exit\n"
        ".weak zx_futex_wake_handle_close_thread_exit\n"
        ".set zx_futex_wake_handle_close_thread_exit, _zx_futex_wake_handle_close_thread_exit\n");

/* (vmar_handle: edi, addr: rsi, size: rdx, close_handle: ecx); the handle waits in r8, which
 * the unmap call does not read and a caller does not expect kept. */
__asm__(".text\n"
        ".globl _zx_vmar_unmap_handle_close_thread_exit\n"
        ".type _zx_vmar_unmap_handle_close_thread_exit, @function\n"
        "_zx_vmar_unmap_handle_close_thread_exit:\n"
        "  mov %rcx, %r8\n"
        "  mov $" ZUM_STR(ZUM_SYS_vmar_unmap_by_agent) ", %eax\n"
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jnz 2f\n"
        "  mov %r8, %rdi\n"
        "  mov $" ZUM_STR(ZUM_SYS_handle_close_thread_exiting) ", %eax\n"
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jnz 1f\n"
        "  jmp *" ZUM_STR(EXIT_HOOK) "\n"
        "1:\n"
        "  ud2\n"
        "2:\n"
        "  ret\n"
        ".size _zx_vmar_unmap_handle_close_thread_exit,"
        "  . - _zx_vmar_unmap_handle_close_thread_exit\n"
        ".weak zx_vmar_unmap_handle_close_thread_exit\n"
        ".set zx_vmar_unmap_handle_close_thread_exit, _zx_vmar_unmap_handle_close_thread_exit\n");
