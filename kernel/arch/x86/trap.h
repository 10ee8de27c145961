/*
 * CPU exceptions and interrupt vectors.
 *
 * trapentry.S saves the registers (and the FPU/SSE state, since newlib code
 * uses XMM registers) and calls trap() with the frame below. A vector with a
 * handler set by trap_set_handler() goes to it; an exception without one is
 * fatal: registers, a symbolized backtrace, power off with EXIT_PANIC.
 */
#ifndef SQUALL_TRAP_H
#define SQUALL_TRAP_H

#include <stdint.h>

#define T_DE 0		/* divide error */
#define T_BP 3		/* breakpoint (int3) */
#define T_UD 6		/* invalid opcode */
#define T_DF 8		/* double fault: runs on IST1 */
#define T_GP 13		/* general protection */
#define T_PF 14		/* page fault */
#define NR_EXCEPTIONS 32
#define NR_VECTORS 256

struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;	/* error is 0 for vectors without one */
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

typedef void (*trap_handler_t)(struct trapframe *tf);

void gdt_init_cpu(unsigned int cpu);	/* GDT + TSS for this CPU */
void trap_init(void);			/* boot CPU: build the IDT */
void trap_init_cpu(void);		/* every CPU: load it */
void trap_set_handler(int vector, trap_handler_t fn);
void trap(struct trapframe *tf);

#endif
