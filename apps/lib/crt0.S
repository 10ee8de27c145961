/*
 * _start: the app's entry point, linked first (crt0.o, not in the archive).
 *
 * The kernel enters here in ring 3 with rsp pointing at the Linux initial
 * stack: argc, argv[], NULL, envp[], NULL, auxv. _start clears the frame
 * pointer (the outermost frame for gdb and backtraces), aligns the stack
 * as the C ABI requires at a call, and hands the initial-stack pointer to
 * __squall_start (start.c), which never returns.
 */
	.text
	.globl	_start
	.type	_start, @function
_start:
	xor	%ebp, %ebp
	mov	%rsp, %rdi		/* -> argc */
	and	$-16, %rsp
	call	__squall_start
	ud2
	.size	_start, . - _start

	.section .note.GNU-stack, "", @progbits
