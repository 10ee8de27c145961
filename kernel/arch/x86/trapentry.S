/*
 * Interrupt and exception entry stubs. Each pushes a dummy error code where
 * the CPU pushes none, then its vector number, and joins trap_common, which
 * builds a struct trapframe (trap.h), saves the FPU/SSE state (interrupted
 * code may be in the middle of newlib's XMM work) and calls trap().
 * User-mode entry (swapgs) arrives with the SMP core.
 */
#include <kernel/arch/x86/calling.h>
	.text
/* Vectors for which the CPU pushes an error code. */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.macro vector v
	.balign 16
vector\v:
	.if HAS_ERR(\v) == 0
	pushq	$0
	.endif
	pushq	$\v
	jmp	trap_common
	.endm

	.altmacro
	.set	v, 0
	.rept	256
	vector	%v
	.set	v, v + 1
	.endr

trap_common:
	testb	$3, 24(%rsp)		/* from ring 3: take the kernel's GS */
	jz	1f
	swapgs
1:	PUSH_REGS
	cld
	mov	%rsp, %rdi		/* struct trapframe * */
	mov	%rsp, %r12		/* callee-saved: our way back */
	sub	$512, %rsp
	and	$~15, %rsp
	fxsave	(%rsp)
	call	trap
	fxrstor	(%rsp)
	mov	%r12, %rsp
	POP_REGS
	add	$16, %rsp		/* vector and error code */
	testb	$3, 8(%rsp)		/* back to ring 3: give the user its GS */
	jz	2f
	swapgs
2:	iretq

/* Entry addresses, indexed by vector, for trap_init(). */
	.section .rodata
	.balign 8
	.globl trap_vectors
trap_vectors:
	.macro vecaddr v
	.quad	vector\v
	.endm
	.set	v, 0
	.rept	256
	vecaddr	%v
	.set	v, v + 1
	.endr
