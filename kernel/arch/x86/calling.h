/*
 * Register save/restore for the kernel entry stubs (as Linux's
 * arch/x86/entry/calling.h). PUSH_REGS lays out the general registers of a
 * struct trapframe (trap.h) below the vector and error-code words;
 * POP_REGS undoes it. Used by trapentry.S and entry64.S.
 */
#ifndef SQUALL_CALLING_H
#define SQUALL_CALLING_H

	.macro PUSH_REGS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	.endm

	.macro POP_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	.endm

#endif
