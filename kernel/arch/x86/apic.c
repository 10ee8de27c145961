/*
 * Local APIC and I/O APIC (Linux: arch/x86/kernel/apic/apic.c, ipi.c,
 * io_apic.c; xv6-public lapic.c, ioapic.c).
 *
 *  - lapic_init() (boot CPU, after acpi_init) picks the mode once: x2APIC
 *    through MSRs when CPUID.1:ECX[21] offers it, else xAPIC through MMIO
 *    at the MADT's address. lapic_init_cpu() (every CPU, from kmain and
 *    ap_main) enables its APIC in that mode.
 *  - lapic_send_ipi(), lapic_send_init_sipi(): IPIs, physical destination.
 *  - lapic_timer_start()/stop(): this CPU's timer, periodic, its rate
 *    measured once against the TSC.
 *  - ioapic_init(): mask every legacy pin; devices use MSI-X.
 * Registers are named after Linux's apicdef.h.
 */
#include <kernel/arch/x86/apic.h>
#include <kernel/arch/x86/trap.h>
#include <kernel/arch/x86/vectors.h>
#include <kernel/arch/x86/x86.h>
#include <kernel/mm.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <drivers/acpi.h>

/* Offsets in the xAPIC page; the x2APIC MSR is 0x800 + offset / 16. */
#define APIC_ID		0x20
#define APIC_LVR	0x30	/* version; bits 16-23: highest LVT index */
#define APIC_TASKPRI	0x80
#define APIC_EOI	0xb0
#define APIC_SPIV	0xf0
#define APIC_ESR	0x280
#define APIC_ICR	0x300
#define APIC_ICR2	0x310	/* xAPIC only: destination in bits 24-31 */
#define APIC_LVTT	0x320
#define APIC_LVTTHMR	0x330
#define APIC_LVTPC	0x340
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_LVTERR	0x370
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0

#define APIC_SPIV_APIC_ENABLED	(1u << 8)
#define APIC_LVT_MASKED		(1u << 16)
#define APIC_LVT_TIMER_PERIODIC	(1u << 17)
#define APIC_ICR_BUSY		(1u << 12)	/* delivery status, xAPIC only */
#define APIC_DM_FIXED		0x000
#define APIC_DM_INIT		0x500
#define APIC_DM_STARTUP		0x600
#define APIC_INT_ASSERT		0x4000
#define APIC_INT_LEVELTRIG	0x8000
#define APIC_TDR_DIV_16		0x3

#define MSR_IA32_APICBASE	0x1b
#define APICBASE_X2APIC		(1ULL << 10)
#define APICBASE_ENABLE		(1ULL << 11)
#define MSR_X2APIC_FIRST	0x800
#define CPUID1_ECX_X2APIC	(1u << 21)

#define ICR_WAIT_US	1000	/* an xAPIC sends in well under 1 us */
#define INIT_DELAY_US	10000	/* Intel MP spec: 10 ms after INIT */
#define SIPI_DELAY_US	200	/* and 200 us after each SIPI */
#define CALIB_US	10000	/* timer calibration window */
#define ERRORS_PRINTED	10

static int x2apic;			/* [I] after lapic_init */
static volatile uint32_t *lapic_mmio;	/* [I] after lapic_init; xAPIC only */
static uint32_t timer_ticks_per_sec;	/* [a] 0 until the first lapic_timer_start */
static int nox2apic;			/* [I] command line */

unsigned long lapic_error_count;	/* [a] */
unsigned long lapic_spurious_count;	/* [a] */
unsigned long lapic_icr_stuck_count;	/* [a] */

static const char *set_nox2apic(const char *val)
{
	if (val)
		return "takes no value";
	nox2apic = 1;
	return NULL;
}
KERNEL_PARAM("nox2apic", set_nox2apic, "nox2apic: use the xAPIC (MMIO) even if x2APIC exists");

static uint32_t apic_read(unsigned int reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_FIRST + (reg >> 4));
	return lapic_mmio[reg / 4];
}

static void apic_write(unsigned int reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_FIRST + (reg >> 4), v);
	else
		lapic_mmio[reg / 4] = v;
}

static void tsc_delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_khz() / 1000;

	while (rdtsc() < end)
		cpu_relax();
}

int x2apic_enabled(void)
{
	return x2apic;
}

uint32_t lapic_id(void)
{
	return x2apic ? (uint32_t)rdmsr(MSR_X2APIC_FIRST + (APIC_ID >> 4))
		      : lapic_mmio[APIC_ID / 4] >> 24;
}

void lapic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

/* The ESR latches errors until written; the write-then-read is the protocol. */
static uint32_t lapic_read_esr(void)
{
	apic_write(APIC_ESR, 0);
	return apic_read(APIC_ESR);
}

/* Counted and ignored: a spurious interrupt is not in service, so no EOI. */
static void spurious_interrupt(struct trapframe *tf)
{
	(void)tf;
	__atomic_add_fetch(&lapic_spurious_count, 1, __ATOMIC_RELAXED);
}

static void error_interrupt(struct trapframe *tf)
{
	uint32_t esr = lapic_read_esr();
	unsigned long n = __atomic_add_fetch(&lapic_error_count, 1, __ATOMIC_RELAXED);

	(void)tf;
	if (n <= ERRORS_PRINTED)
		printk("lapic: APIC error, ESR %#x%s\n", esr,
		       n == ERRORS_PRINTED ? " (further errors only counted)" : "");
	lapic_eoi();
}

void lapic_init(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	x2apic = (c & CPUID1_ECX_X2APIC) && !nox2apic;
	/* Leaving x2APIC mode means disabling the APIC: keep what firmware chose. */
	if (!x2apic && (rdmsr(MSR_IA32_APICBASE) & APICBASE_X2APIC)) {
		printk("lapic: firmware left x2APIC mode on; staying in it\n");
		x2apic = 1;
	}
	if (!x2apic) {
		uint64_t msr_base = rdmsr(MSR_IA32_APICBASE) & ~0xfffULL & ((1ULL << 52) - 1);

		if (!acpi_madt.lapic_addr || acpi_madt.lapic_addr >= MM_LIMIT)
			panic("lapic: MADT address %#lx is not in the identity map",
			      (unsigned long)acpi_madt.lapic_addr);
		if (msr_base != acpi_madt.lapic_addr)
			printk("lapic: MADT says %#lx but IA32_APIC_BASE says %#lx; using the MADT's\n",
			       (unsigned long)acpi_madt.lapic_addr, (unsigned long)msr_base);
		lapic_mmio = (volatile uint32_t *)(uintptr_t)acpi_madt.lapic_addr;
	}
	trap_set_handler(SPURIOUS_APIC_VECTOR, spurious_interrupt);
	trap_set_handler(ERROR_APIC_VECTOR, error_interrupt);
	lapic_init_cpu();
	printk("lapic: %s, boot CPU APIC id %u, version %#x\n",
	       x2apic ? "x2APIC (MSRs)" : "xAPIC (MMIO)", lapic_id(), apic_read(APIC_LVR) & 0xff);
}

/* Globally enable the APIC, in x2APIC mode if chosen (enable first: 0/1 is invalid). */
static void lapic_enable_mode(void)
{
	uint64_t base = rdmsr(MSR_IA32_APICBASE);

	if (!(base & APICBASE_ENABLE)) {
		base |= APICBASE_ENABLE;
		wrmsr(MSR_IA32_APICBASE, base);
	}
	if (x2apic && !(base & APICBASE_X2APIC))
		wrmsr(MSR_IA32_APICBASE, base | APICBASE_X2APIC);
}

void lapic_init_cpu(void)
{
	unsigned int maxlvt;

	lapic_enable_mode();
	maxlvt = (apic_read(APIC_LVR) >> 16) & 0xff;
	/* Nothing reaches us but what we program: timer, LINT0/1 (8259, NMI) masked. */
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	apic_write(APIC_LVT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT1, APIC_LVT_MASKED);
	if (maxlvt >= 4)
		apic_write(APIC_LVTPC, APIC_LVT_MASKED);
	if (maxlvt >= 5)
		apic_write(APIC_LVTTHMR, APIC_LVT_MASKED);
	apic_write(APIC_LVTERR, ERROR_APIC_VECTOR);
	lapic_read_esr();	/* drop errors from before we owned it */
	apic_write(APIC_TASKPRI, 0);	/* accept every priority class */
	apic_write(APIC_SPIV, APIC_SPIV_APIC_ENABLED | SPURIOUS_APIC_VECTOR);
}

/*
 * Wait until the previous IPI has left this APIC (xAPIC; x2APIC has no
 * busy bit). Bounded: a stuck bit means a broken APIC, which is counted,
 * not hung on.
 */
static void icr_wait_idle(void)
{
	uint64_t end;

	if (x2apic || !(apic_read(APIC_ICR) & APIC_ICR_BUSY))
		return;
	end = rdtsc() + ICR_WAIT_US * tsc_khz() / 1000;
	while (apic_read(APIC_ICR) & APIC_ICR_BUSY) {
		if (rdtsc() > end) {
			__atomic_add_fetch(&lapic_icr_stuck_count, 1, __ATOMIC_RELAXED);
			return;
		}
		cpu_relax();
	}
}

/*
 * Send one IPI. Interrupts are off across the two xAPIC writes, since an
 * interrupt handler sending its own IPI in between would retarget ours.
 */
static void icr_write(uint32_t apic_id, uint32_t low)
{
	uint64_t f = local_irq_save();

	icr_wait_idle();
	if (x2apic) {
		/*
		 * x2APIC MSR writes are not serializing: make our earlier stores
		 * visible before the target can run (Linux: weak_wrmsr_fence()).
		 */
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(MSR_X2APIC_FIRST + (APIC_ICR >> 4), (uint64_t)apic_id << 32 | low);
	} else {
		apic_write(APIC_ICR2, apic_id << 24);
		apic_write(APIC_ICR, low);	/* this write sends */
	}
	local_irq_restore(f);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	icr_write(apic_id, APIC_DM_FIXED | vector);
}

/* The Intel MP start-up: INIT, 10 ms, SIPI, SIPI (Linux: wakeup_secondary_cpu_via_init). */
void lapic_send_init_sipi(uint32_t apic_id, uint8_t page)
{
	icr_write(apic_id, APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT);
	/* Only pre-x2APIC parts (82489DX) need the de-assert; x2APIC mode lacks it. */
	if (!x2apic)
		icr_write(apic_id, APIC_INT_LEVELTRIG | APIC_DM_INIT);
	tsc_delay_us(INIT_DELAY_US);
	/* A CPU already running ignores the second SIPI (it is not waiting for one). */
	for (int i = 0; i < 2; i++) {
		icr_write(apic_id, APIC_DM_STARTUP | page);
		tsc_delay_us(SIPI_DELAY_US);
	}
	icr_wait_idle();
}

/* Timer ticks per second at divide-by-16: count down over CALIB_US of TSC time. */
static uint32_t lapic_timer_calibrate(void)
{
	uint64_t f = local_irq_save(), t0, t1, window = CALIB_US * tsc_khz() / 1000;
	uint32_t left;

	apic_write(APIC_TDCR, APIC_TDR_DIV_16);
	apic_write(APIC_LVTT, APIC_LVT_MASKED);		/* one-shot, silent */
	apic_write(APIC_TMICT, 0xffffffff);
	t0 = rdtsc();
	do
		t1 = rdtsc();
	while (t1 - t0 < window);
	left = apic_read(APIC_TMCCT);
	apic_write(APIC_TMICT, 0);
	local_irq_restore(f);
	return (uint32_t)((uint64_t)(0xffffffffu - left) * tsc_khz() * 1000 / (t1 - t0));
}

void lapic_timer_start(unsigned int hz, uint8_t vector)
{
	/* Every CPU's timer runs off the same bus clock, so one calibration serves all. */
	uint32_t rate = __atomic_load_n(&timer_ticks_per_sec, __ATOMIC_RELAXED);
	uint32_t count;

	if (!rate) {
		uint32_t none = 0;

		rate = lapic_timer_calibrate();
		if (!rate)
			panic("lapic: the timer does not count down");
		if (__atomic_compare_exchange_n(&timer_ticks_per_sec, &none, rate, 0,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			printk("lapic: timer %u kHz (divide 16), calibrated against the TSC\n",
			       rate / 1000);
		else
			rate = none;	/* another CPU was first: everyone uses one rate */
	}
	if (!hz || hz > rate)
		panic("lapic_timer_start: %u Hz is out of range", hz);
	count = rate / hz;
	apic_write(APIC_TDCR, APIC_TDR_DIV_16);
	apic_write(APIC_LVTT, APIC_LVT_TIMER_PERIODIC | vector);
	apic_write(APIC_TMICT, count);
}

void lapic_timer_stop(void)
{
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	apic_write(APIC_TMICT, 0);
}

void lapic_timer_save(struct lapic_timer_state *s)
{
	s->lvt = apic_read(APIC_LVTT);
	s->divide = apic_read(APIC_TDCR);
	s->initial = apic_read(APIC_TMICT);
}

/* Restarts the period from the top: the current count is not restorable. */
void lapic_timer_restore(const struct lapic_timer_state *s)
{
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	apic_write(APIC_TDCR, s->divide);
	apic_write(APIC_LVTT, s->lvt);
	apic_write(APIC_TMICT, s->initial);
}

/* ---- I/O APIC: an index register and a data window ---- */

#define IOAPIC_REGSEL	0x00	/* word index */
#define IOAPIC_WIN	0x10	/* word index 4 */
#define IOAPIC_VER	0x01	/* bits 16-23: highest redirection entry */
#define IOAPIC_REDTBL(pin) (0x10 + 2 * (pin))
#define IOAPIC_MASKED	(1u << 16)
#define PIC_MASTER_IMR	0x21
#define PIC_SLAVE_IMR	0xa1

/* Boot CPU only, before any device: the index/window pair has no lock. */
static uint32_t ioapic_read(volatile uint32_t *io, uint32_t reg)
{
	io[IOAPIC_REGSEL / 4] = reg;
	return io[IOAPIC_WIN / 4];
}

static void ioapic_write(volatile uint32_t *io, uint32_t reg, uint32_t v)
{
	io[IOAPIC_REGSEL / 4] = reg;
	io[IOAPIC_WIN / 4] = v;
}

void ioapic_init(void)
{
	/* Firmware (SeaBIOS) can leave the 8259s' PIT line open: mask them too. */
	outb(PIC_MASTER_IMR, 0xff);
	outb(PIC_SLAVE_IMR, 0xff);
	for (unsigned int i = 0; i < acpi_madt.nr_ioapics; i++) {
		const struct acpi_ioapic *ia = &acpi_madt.ioapics[i];
		volatile uint32_t *io = (volatile uint32_t *)(uintptr_t)ia->addr;
		unsigned int pins;

		if (ia->addr < PAGE_SIZE) {
			printk("ioapic %u: bad address %#x, skipped\n", ia->id, ia->addr);
			continue;
		}
		pins = ((ioapic_read(io, IOAPIC_VER) >> 16) & 0xff) + 1;
		for (unsigned int pin = 0; pin < pins; pin++) {
			ioapic_write(io, IOAPIC_REDTBL(pin), IOAPIC_MASKED);	/* mask first */
			ioapic_write(io, IOAPIC_REDTBL(pin) + 1, 0);
		}
		printk("ioapic %u: %u pins (GSI %u-%u) masked\n", ia->id, pins, ia->gsi_base,
		       ia->gsi_base + pins - 1);
	}
}
