/*
 * System calls: Linux x86-64 numbers and ABI (arguments rdi, rsi, rdx,
 * r10, r8, r9; result or -errno in rax). The SYSCALL entry
 * (kernel/arch/x86/entry64.S) calls do_syscall_64(), which dispatches
 * through sys_call_table[] (kernel/syscall.c). apps/lib/syscall.h lists
 * what the app runtime calls; everything else returns -ENOSYS.
 *
 * Context: process context of the calling task, interrupts on,
 * preemptible. A user pointer is checked with access_ok() (uaccess.h)
 * before use.
 */
#ifndef SQUALL_SYSCALL_H
#define SQUALL_SYSCALL_H

#include <stdint.h>

#define NR_SYSCALLS 335

struct trapframe;
typedef long (*syscall_fn_t)(const struct trapframe *regs);
long do_syscall_64(struct trapframe *tf);
void syscall_init_cpu(void);		/* MSRs: every CPU */

/* Counters for the stats endpoint and tests. */
uint64_t syscall_count(unsigned int nr);
uint64_t syscall_enosys_count(void);

#endif
