/*
 * Ring-3 entry and exit.
 *
 * syscall_entry: the SYSCALL instruction lands here (LSTAR) with the user
 * rip in rcx, rflags in r11, interrupts masked (FMASK) and the user's GS.
 * We switch to the task's kernel stack, build a struct trapframe (trap.h:
 * the same layout interrupts use, vector = SYSCALL_VECTOR_MARK) so that
 * syscall code, clone and fault reports read one format, save the FPU/SSE
 * state (Linux's ABI keeps XMM registers across a system call and kernel
 * code uses them), and call do_syscall_64(). The result goes back in rax
 * via SYSRET.
 *
 * return_to_user(tf): leave for ring 3 through a full trapframe with IRET
 * (new threads, new apps, clone children).
 */
#include <kernel/arch/x86/calling.h>
#include <kernel/arch/x86/percpu_offsets.h>

#define USER_DS (0x20 | 3)
#define USER_CS (0x28 | 3)
#define SYSCALL_VECTOR_MARK 0x100

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq	%rsp, %gs:PERCPU_USER_RSP
	movq	%gs:PERCPU_KSTACK_TOP, %rsp
	pushq	$USER_DS		/* ss */
	pushq	%gs:PERCPU_USER_RSP	/* rsp */
	pushq	%r11			/* rflags */
	pushq	$USER_CS		/* cs */
	pushq	%rcx			/* rip */
	pushq	$0			/* error */
	pushq	$SYSCALL_VECTOR_MARK	/* vector */
	PUSH_REGS
	movq	%rsp, %rdi
	movq	%rsp, %r12
	xorl	%ebp, %ebp		/* kernel backtraces stop at the user boundary */
	subq	$512, %rsp
	andq	$~15, %rsp
	fxsave	(%rsp)
	sti
	call	do_syscall_64
	cli
	fxrstor	(%rsp)
	movq	%r12, %rsp
	POP_REGS
	/* SYSRET takes rip from rcx and rflags from r11: reload them from the frame. */
	movq	16(%rsp), %rcx		/* rip */
	movq	32(%rsp), %r11		/* rflags */
	movq	40(%rsp), %rsp		/* user rsp */
	swapgs
	sysretq

	.globl return_to_user
return_to_user:
	cli
	movq	%rdi, %rsp
	POP_REGS
	addq	$16, %rsp		/* vector, error */
	swapgs
	iretq
