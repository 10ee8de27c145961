/*
 * CPUs as the rest of the kernel sees them. CPU numbers are dense, 0 is the
 * boot CPU, and they index percpu_area[] (kernel/percpu.h). The hardware's
 * APIC ids live in percpu_area[cpu].apic_id.
 */
#ifndef SQUALL_SMP_H
#define SQUALL_SMP_H

#include <stdint.h>

/* CPUs found in the ACPI MADT (enabled ones), capped at NR_CPUS; [I] after smp_boot_aps. */
extern unsigned int nr_cpu_ids;
/* CPUs that reached ap_main (bit per CPU); set by each CPU itself, read anywhere. */
extern volatile uint64_t cpu_online_mask;

static inline int cpu_online(unsigned int cpu)
{
	return (cpu_online_mask >> cpu) & 1;
}

static inline unsigned int num_online_cpus(void)
{
	return (unsigned int)__builtin_popcountll(cpu_online_mask);
}

/* Boot CPU: start every other CPU of the MADT; each runs ap_main(cpu). Returns how many came up. */
unsigned int smp_boot_aps(void);

/* Entry of an application processor, in kernel/main.c: long mode, boot GDT, boot page tables, own stack, interrupts off, SSE on. */
_Noreturn void ap_main(unsigned int cpu);

/* Interrupt @cpu with @vector (IPI). Any context. */
void smp_send_ipi(unsigned int cpu, unsigned int vector);

#endif
