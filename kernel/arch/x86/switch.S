/*
 * Context switch between kernel stacks. Only the callee-saved registers
 * need saving: the switch is a function call. The FPU/SSE state is saved
 * around it in C (switch.c).
 *
 * void __switch_to_asm(uint64_t *prev_ksp, uint64_t next_ksp)
 */
	.text
	.globl __switch_to_asm
__switch_to_asm:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

/*
 * A new task's first return lands here (arch_task_init built the frame):
 * r12 = its function, r13 = the argument.
 */
	.globl ret_from_fork
ret_from_fork:
	call	schedule_tail
	movq	%r13, %rdi
	xorl	%ebp, %ebp		/* the frame chain ends here */
	call	*%r12
	movl	%eax, %edi
	call	kthread_exit
	ud2
