/*
 * long __squall_clone(unsigned long flags, void *stack, int *ptid,
 *		       int *ctid, void *tls)
 *
 * The clone(2) system call for pthread_create (pthread.c). The child
 * starts right after SYSCALL on its new stack with FS = its tcb
 * (CLONE_SETTLS), so it needs nothing from the parent's registers: it calls
 * __squall_thread_start(), which finds everything through %fs and never
 * returns. The parent gets the child's tid or -errno.
 *
 * C passes the 4th argument in rcx; the kernel wants it in r10. @stack is
 * 16-byte aligned, so the child's call below leaves the callee with the
 * alignment the ABI expects.
 */
	.text
	.globl	__squall_clone
	.type	__squall_clone, @function
__squall_clone:
	mov	%rcx, %r10
	mov	$56, %eax		/* __NR_clone */
	syscall
	test	%rax, %rax
	jz	1f
	ret				/* parent: tid, or -errno */
1:	xor	%ebp, %ebp		/* child: outermost frame */
	call	__squall_thread_start
	ud2
	.size	__squall_clone, . - __squall_clone

	.section .note.GNU-stack, "", @progbits
