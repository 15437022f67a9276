/* The stub's assembly: process entry, thread creation, the signal restorer and the jump into
 * guest code. Everything here is in the stub's text, whose system calls the seal allows. */
#include <asm/unistd.h>
#include "host/guest/stub/stub.h"

	.section .text.start, "ax", @progbits

/* Process entry. The kernel's stack holds argc, argv, envp and auxv; stub_main reads what it
 * needs from it and then unmaps it, so the stub runs on its own stack from the first instruction
 * on. */
	.globl _start
	.type _start, @function
_start:
	mov %rsp, %rdi
	lea stub_agent_stack_top(%rip), %rsp
	xor %ebp, %ebp
	call stub_main
	ud2
	.size _start, . - _start

	.text

/* long stub_clone(unsigned long flags, void* stack_top, int* ptid, int* ctid, unsigned long tls,
 *                 void (*fn)(void*), void* arg)
 * clone(2) for a thread: the child calls fn(arg) on stack_top (fn never returns); the parent gets
 * the child's tid or -errno. */
	.globl stub_clone
	.type stub_clone, @function
stub_clone:
	mov 8(%rsp), %rax
	and $-16, %rsi
	sub $16, %rsi
	mov %r9, 0(%rsi)
	mov %rax, 8(%rsi)
	mov %rcx, %r10
	mov $__NR_clone, %eax
	syscall
	test %rax, %rax
	jnz 1f
	/* The child, on its slot's stack. */
	xor %ebp, %ebp
	pop %rax
	pop %rdi
	call *%rax
	ud2
1:	ret
	.size stub_clone, . - stub_clone

/* The sa_restorer of the stub's handlers (which never return). */
	.globl stub_restorer
	.type stub_restorer, @function
stub_restorer:
	mov $__NR_rt_sigreturn, %eax
	syscall
	ud2
	.size stub_restorer, . - stub_restorer

/* noreturn void stub_enter(struct ucontext* uc)
 * Loads every register from a signal frame's ucontext with rt_sigreturn, which reads the frame
 * at rsp - 8 (the frame's return-address slot precedes the ucontext). */
	.globl stub_enter
	.type stub_enter, @function
stub_enter:
	mov %rdi, %rsp
	mov $__NR_rt_sigreturn, %eax
	syscall
	ud2
	.size stub_enter, . - stub_enter

/* The agent's stack. */
	.bss
	.balign 16
	.globl stub_agent_stack_top
stub_agent_stack:
	.skip STUB_AGENT_STACK
stub_agent_stack_top:

	.section .note.GNU-stack, "", @progbits
