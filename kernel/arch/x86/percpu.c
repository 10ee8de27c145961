/* Per-CPU areas, reached through the GS base MSR (percpu.h). */
#include <kernel/percpu.h>
#include <kernel/arch/x86/x86.h>

#include <kernel/arch/x86/percpu_offsets.h>
#include <stddef.h>

_Static_assert(offsetof(struct percpu, kstack_top) == PERCPU_KSTACK_TOP, "entry64.S");
_Static_assert(offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "entry64.S");

struct percpu percpu_area[NR_CPUS];

void percpu_init_cpu(unsigned int cpu)
{
	struct percpu *p = &percpu_area[cpu];

	p->self = p;
	p->cpu = cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
}
