/*
 * Per-CPU data. Each CPU owns one struct percpu, reached only through
 * this_cpu() (GS-relative on x86: the area's first word points to itself).
 * Fields tagged [o] are owned by that CPU: read and written only by it, with
 * interrupts off or from its own interrupt context. [I]: set once before the
 * CPU runs C code that reads it, immutable after.
 */
#ifndef SQUALL_PERCPU_H
#define SQUALL_PERCPU_H

#include <stdint.h>

#define NR_CPUS 64

struct _reent;

struct percpu {
	struct percpu *self;	/* [I] must stay first: this_cpu() loads %gs:0 */
	unsigned int cpu;	/* [I] dense CPU number, 0 = boot CPU */
	uint32_t apic_id;	/* [I] local APIC id, from the MADT */
	struct _reent *reent;	/* [o] newlib's state for code running here */
	int irq_depth;		/* [o] nested cli_save() calls (spinlock.h) */
	uint64_t irq_flags;	/* [o] RFLAGS saved by the outermost cli_save() */
};

extern struct percpu percpu_area[NR_CPUS];

#ifdef SQUALL_HOSTED
static inline struct percpu *this_cpu(void) { return &percpu_area[0]; }
#else
static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}
#endif

static inline unsigned int smp_processor_id(void) { return this_cpu()->cpu; }

/* Point GS at CPU @cpu's area; runs on that CPU before anything reads it. */
void percpu_init_cpu(unsigned int cpu);

#endif
