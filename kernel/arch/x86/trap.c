/*
 * IDT setup and trap dispatch. Exceptions without a registered handler are
 * fatal and reported with registers and a backtrace (fault.c does the
 * reporting, kept apart so it stays readable).
 */
#include <kernel/arch/x86/trap.h>
#include <kernel/arch/x86/x86.h>
#include <kernel/arch/x86/apic.h>
#include <kernel/percpu.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/softirq.h>

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;		/* P | DPL | interrupt gate */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));

extern const uint64_t trap_vectors[NR_VECTORS];	/* trapentry.S */
void fault_report(struct trapframe *tf) __attribute__((noreturn));

static struct idt_gate idt[NR_VECTORS] __attribute__((aligned(16)));	/* [I] after trap_init */
static trap_handler_t handlers[NR_VECTORS];	/* set during init or by tests, cpu-wide */

static void set_gate(int v, uint64_t addr, int ist)
{
	idt[v] = (struct idt_gate){
		.off_lo = addr & 0xffff,
		.sel = 0x08,
		.ist = (uint8_t)ist,
		.type = 0x8e,	/* present, DPL 0, 64-bit interrupt gate: IF cleared */
		.off_mid = (addr >> 16) & 0xffff,
		.off_hi = (uint32_t)(addr >> 32),
	};
}

void trap_init(void)
{
	for (int v = 0; v < NR_VECTORS; v++)
		set_gate(v, trap_vectors[v], v == T_DF ? 1 : 0);
}

void trap_init_cpu(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	lidt(&p);
}

void trap_set_handler(int vector, trap_handler_t fn)
{
	if (vector < 0 || vector >= NR_VECTORS)
		panic("trap_set_handler: bad vector %d", vector);
	__atomic_store_n(&handlers[vector], fn, __ATOMIC_RELEASE);
}

static uint64_t stray_irqs;	/* [a] */

/*
 * An interrupt: the handler runs in hardirq context and must EOI; then,
 * as Linux's irq_exit(), pending softirqs run, and if a reschedule is due
 * and the interrupted code could be preempted, this task gives up the CPU
 * here, on its own stack, with the interrupt frame below it.
 */
static void do_irq(struct trapframe *tf, trap_handler_t fn)
{
	irq_enter();
	if (fn) {
		fn(tf);
	} else {
		if (__atomic_fetch_add(&stray_irqs, 1, __ATOMIC_RELAXED) == 0)
			printk("trap: stray interrupt on vector %lu (counted, ignored)\n",
			       (unsigned long)tf->vector);
		lapic_eoi();
	}
	irq_exit();
	if ((tf->rflags & RFLAGS_IF) && this_cpu()->need_resched && !this_cpu()->preempt_count)
		preempt_schedule();
}

/* Called from trap_common with interrupts off. */
void trap(struct trapframe *tf)
{
	trap_handler_t fn = __atomic_load_n(&handlers[tf->vector], __ATOMIC_ACQUIRE);

	if (tf->vector >= NR_EXCEPTIONS) {
		do_irq(tf, fn);
		return;
	}
	if (fn) {
		fn(tf);
		return;
	}
	fault_report(tf);
}

uint64_t trap_stray_count(void)
{
	return __atomic_load_n(&stray_irqs, __ATOMIC_RELAXED);
}
