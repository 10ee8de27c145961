/*
 * Bringing up the other CPUs (Linux: arch/x86/kernel/smpboot.c; xv6-public
 * main.c startothers()).
 *
 *  - smp_boot_aps(): kmain, once, after acpi_init() and lapic_init().
 *    Numbers the MADT's CPUs (0 = this one), copies trampoline.S to
 *    TRAMPOLINE_BASE and starts each AP in turn with do_boot_cpu():
 *    stack, INIT-SIPI-SIPI, then a bounded wait for its online bit.
 *  - smp_callin(): the trampoline's call into C on the AP; it checks that
 *    it is the CPU the slot was meant for and enters ap_main() (main.c),
 *    which sets the CPU's bit in cpu_online_mask.
 *  - smp_send_ipi(): any CPU, any context.
 */
#include <kernel/smp.h>
#include <kernel/mm.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <kernel/arch/x86/apic.h>
#include <kernel/arch/x86/x86.h>
#include <drivers/acpi.h>
#include <string.h>

#define AP_STACK_PAGES 4	/* 16 KiB, as the boot stack */
#define AP_CALLIN_MS 1000	/* Linux waits 10 s; MTTCG on a busy host needs more than 200 ms */
#define BDA_EBDA_SEG 0x40e	/* BIOS data area: the EBDA's segment */
#define PTE_P 0x001
#define XAPIC_MAX_ID 0xfe	/* 8-bit destinations, 0xff is broadcast */

/* trampoline.S; trampoline_phys is an absolute symbol: its address is the copy's. */
extern const char trampoline_start[], trampoline_end[];
extern const char trampoline_stack[], trampoline_cpu[], trampoline_phys[];
extern uint64_t boot_pt0[];	/* boot.S: page table of the first 2 MiB */
void halt_forever(void) __attribute__((noreturn));

unsigned int nr_cpu_ids = 1;			/* [I] after smp_boot_aps */
volatile uint64_t cpu_online_mask = 1;		/* [a] bit 0: the boot CPU runs this */

static void *ap_stack[NR_CPUS];		/* [I] bottom of each AP's stack, NULL for cpu 0 */
static uint32_t stray_apic_id = ~0u;	/* [a] an AP that took another CPU's slot */

/* Where a trampoline variable lives in the copy the AP runs. */
static void *tr_var(const char *sym)
{
	return (void *)((uintptr_t)trampoline_phys + (uintptr_t)(sym - trampoline_start));
}

/*
 * Number the CPUs: 0 is the boot CPU, the others follow in MADT order,
 * so cpu numbers are dense while APIC ids may have holes.
 */
static void register_cpus(void)
{
	uint32_t boot_id = lapic_id();
	unsigned int n = 1, found = 0, dropped = 0;

	percpu_area[0].apic_id = boot_id;
	for (unsigned int i = 0; i < acpi_madt.nr_cpus; i++) {
		uint32_t id = acpi_madt.apic_ids[i];

		if (id == boot_id)
			found = 1;
		else if (n == NR_CPUS)
			dropped++;
		else
			percpu_area[n++].apic_id = id;
	}
	if (!found)
		printk("smp: the boot CPU (APIC id %u) is not in the MADT\n", boot_id);
	if (dropped)
		printk("smp: %u CPUs beyond NR_CPUS=%d left out\n", dropped, NR_CPUS);
	nr_cpu_ids = n;
}

/* The hardware's APIC id from CPUID: needs no APIC set-up, whatever its mode. */
static uint32_t cpuid_apic_id(void)
{
	uint32_t a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 0xb) {
		cpuid(0xb, 0, &a, &b, &c, &d);
		if (b)		/* leaf 0xB implemented: EDX is the full x2APIC id */
			return d;
	}
	cpuid(1, 0, &a, &b, &c, &d);
	return b >> 24;
}

/*
 * The AP's first C, on the stack it claimed: no GS, no IDT, so nothing
 * here may print or fault. A CPU that woke too late and took the next
 * CPU's slot stops here; that CPU then times out and is reported.
 */
_Noreturn void smp_callin(unsigned int cpu)
{
	uint32_t id = cpuid_apic_id();

	if (cpu >= nr_cpu_ids || id != percpu_area[cpu].apic_id) {
		__atomic_store_n(&stray_apic_id, id, __ATOMIC_RELEASE);
		halt_forever();
	}
	ap_main(cpu);
}

static void *ap_stack_alloc(unsigned int cpu)
{
	void *stack = page_alloc(AP_STACK_PAGES);

	if (!stack)
		printk("smp: cpu%u: no memory for its stack\n", cpu);
	return stack;
}

static int wait_online(unsigned int cpu)
{
	uint64_t end = rdtsc() + AP_CALLIN_MS * tsc_khz();

	while (!cpu_online(cpu)) {
		if (rdtsc() > end)
			return -1;
		cpu_relax();
	}
	return 0;
}

static void report_no_show(unsigned int cpu, int claimed)
{
	uint32_t stray = __atomic_exchange_n(&stray_apic_id, ~0u, __ATOMIC_ACQUIRE);

	printk("smp: cpu%u (APIC id %u) did not come up within %d ms%s; continuing without it\n",
	       cpu, percpu_area[cpu].apic_id, AP_CALLIN_MS,
	       claimed ? " (it took its stack, which stays allocated)" : "");
	if (stray != ~0u)
		printk("smp: a CPU with APIC id %u took cpu%u's start-up slot and was stopped\n",
		       stray, cpu);
}

/* Start @cpu and wait for it. 0 once it is online; -1 (reported) if it never came. */
static int do_boot_cpu(unsigned int cpu)
{
	uint64_t *tr_stack = tr_var(trampoline_stack);
	uint32_t *tr_cpu = tr_var(trampoline_cpu);
	void *stack;

	if (!x2apic_enabled() && percpu_area[cpu].apic_id > XAPIC_MAX_ID) {
		printk("smp: cpu%u: APIC id %u is out of the xAPIC's reach; left out\n", cpu,
		       percpu_area[cpu].apic_id);
		return -1;
	}
	stack = ap_stack_alloc(cpu);
	if (!stack)
		return -1;
	*tr_cpu = cpu;
	/* Release: the AP reads trampoline_cpu after it claims the stack. */
	__atomic_store_n(tr_stack, (uint64_t)(uintptr_t)stack + AP_STACK_PAGES * PAGE_SIZE,
			 __ATOMIC_RELEASE);
	lapic_send_init_sipi(percpu_area[cpu].apic_id,
			     (uint8_t)((uintptr_t)trampoline_phys >> PAGE_SHIFT));
	if (!wait_online(cpu)) {
		ap_stack[cpu] = stack;
		return 0;
	}
	/* Take the stack back unless the CPU claimed it: it may still be on it. */
	if (__atomic_exchange_n(tr_stack, 0, __ATOMIC_ACQ_REL)) {
		page_free(stack, AP_STACK_PAGES);
		report_no_show(cpu, 0);
	} else {
		report_no_show(cpu, 1);
	}
	return -1;
}

/* Start every other CPU of the MADT; returns how many of them came up. */
unsigned int smp_boot_aps(void)
{
	size_t len = (size_t)(trampoline_end - trampoline_start);
	unsigned int up = 0;

	register_cpus();
	/* One page below 1 MiB, which mm_init() keeps from the page allocator. */
	if (len > PAGE_SIZE)
		panic("smp: the AP trampoline (%zu bytes) outgrew its page", len);
	memcpy(tr_var(trampoline_start), trampoline_start, len);
	for (unsigned int cpu = 1; cpu < nr_cpu_ids; cpu++) {
		if (!do_boot_cpu(cpu))
			up++;
	}
	printk("smp: %u of %u CPUs online (%s)\n", num_online_cpus(), nr_cpu_ids,
	       x2apic_enabled() ? "x2APIC" : "xAPIC");
	return up;
}

void smp_send_ipi(unsigned int cpu, unsigned int vector)
{
	if (cpu >= nr_cpu_ids || vector < 32 || vector > 0xff)
		panic("smp_send_ipi: cpu %u, vector %#x", cpu, vector);
	lapic_send_ipi(percpu_area[cpu].apic_id, (uint8_t)vector);
}

/*
 * The EBDA's address from the BIOS data area, which lives in page 0: the
 * page the identity map leaves out so NULL faults. Map it read-only for
 * one read. Boot CPU, before the APs run (no other TLB to shoot down).
 */
uint64_t bios_ebda_base(void)
{
	uintptr_t addr = BDA_EBDA_SEG;
	uint64_t saved = boot_pt0[0];
	uint16_t seg;

	__atomic_store_n(&boot_pt0[0], (uint64_t)PTE_P, __ATOMIC_SEQ_CST);
	__asm__ volatile("invlpg (%0)" : : "r"(0UL) : "memory");
	__asm__ volatile("" : "+r"(addr));	/* GCC: not a NULL-page constant */
	seg = *(volatile uint16_t *)addr;
	__atomic_store_n(&boot_pt0[0], saved, __ATOMIC_SEQ_CST);
	__asm__ volatile("invlpg (%0)" : : "r"(0UL) : "memory");
	return (uint64_t)seg << 4;
}
