/*
 * The architecture half of the scheduler: a new task's first stack frame,
 * and the switch itself (FPU/SSE state, the TSS stack for ring-3 entry,
 * the FS base for user TLS).
 */
#include <kernel/sched.h>
#include <kernel/arch/x86/x86.h>
#include <string.h>

void __switch_to_asm(uint64_t *prev_ksp, uint64_t next_ksp);
void ret_from_fork(void);
void finish_task_switch(void);
void tss_set_rsp0(unsigned int cpu, uint64_t rsp0);	/* gdt.c */

/* A clean FPU state (fninit + default MXCSR) for new tasks, taken once. */
static uint8_t fpu_init_image[512] __attribute__((aligned(16)));
static int fpu_init_done;	/* [a] */

static void fpu_init_state(uint8_t *dst)
{
	if (!__atomic_load_n(&fpu_init_done, __ATOMIC_ACQUIRE)) {
		uint8_t save[512] __attribute__((aligned(16)));

		__asm__ volatile("fxsave %0" : "=m"(save));
		__asm__ volatile("fninit; fxsave %0" : "=m"(fpu_init_image));
		*(uint32_t *)(fpu_init_image + 24) = 0x1f80;	/* MXCSR: all masked */
		__asm__ volatile("fxrstor %0" : : "m"(save));
		__atomic_store_n(&fpu_init_done, 1, __ATOMIC_RELEASE);
	}
	memcpy(dst, fpu_init_image, sizeof(fpu_init_image));
}

void arch_task_init(struct task *t, int (*fn)(void *), void *arg)
{
	uint64_t *sp = (uint64_t *)(t->kstack + KSTACK_PAGES * 4096);

	/* ret_from_fork starts with rsp at the (16-aligned) top: its calls see the ABI's alignment. */
	*--sp = (uint64_t)(uintptr_t)ret_from_fork;
	*--sp = 0;				/* rbp */
	*--sp = 0;				/* rbx */
	*--sp = (uint64_t)(uintptr_t)fn;	/* r12 */
	*--sp = (uint64_t)(uintptr_t)arg;	/* r13 */
	*--sp = 0;				/* r14 */
	*--sp = 0;				/* r15 */
	t->ksp = (uint64_t)(uintptr_t)sp;
	fpu_init_state(t->fpu);
}

void arch_switch_to(struct task *prev, struct task *next)
{
	__asm__ volatile("fxsave %0" : "=m"(prev->fpu));
	if (next->kstack) {
		uint64_t top = (uint64_t)(uintptr_t)(next->kstack + KSTACK_PAGES * 4096);

		tss_set_rsp0(smp_processor_id(), top);	/* interrupts from ring 3 */
		this_cpu()->kstack_top = top;		/* SYSCALL */
	}
	if (prev->fs_base != next->fs_base)
		wrmsr(MSR_FS_BASE, next->fs_base);
	__switch_to_asm(&prev->ksp, next->ksp);
	/* Running as prev again. */
	__asm__ volatile("fxrstor %0" : : "m"(current->fpu));
}

/* First thing a new task runs (from ret_from_fork). */
void schedule_tail(void)
{
	finish_task_switch();
	__asm__ volatile("fxrstor %0" : : "m"(current->fpu));
	sti();
}
