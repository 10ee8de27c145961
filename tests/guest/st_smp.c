/*
 * SMP bring-up (group `smp`): every CPU of the MADT is online under a
 * distinct APIC id, an IPI reaches exactly the CPU it names, and the LAPIC
 * timer ticks. They pass on one CPU too (there is then nobody to send to).
 * Also the ipi_roundtrip benchmark.
 *
 * The tests borrow vectors 0xe0-0xe2, which vectors.h leaves unused: each
 * sets its handler and puts NULL back, and the timer test gives this CPU's
 * timer back as it found it (the scheduler tick may be running on it).
 */
#include <kernel/selftest.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/arch/x86/apic.h>
#include <kernel/arch/x86/trap.h>
#include <kernel/arch/x86/x86.h>
#include <drivers/acpi.h>
#include <stdlib.h>

#define TEST_IPI_VECTOR 0xe0
#define TEST_TIMER_VECTOR 0xe1
#define BENCH_IPI_VECTOR 0xe2
#define ANSWER_WAIT_MS 1000	/* MTTCG on a busy host can stall a vCPU for a while */
#define TIMER_HZ 100
#define TIMER_WAIT_MS 50
#define BENCH_ROUNDS 1000
#define BENCH_WARMUP 10

static uint64_t ms_to_cycles(uint64_t ms)
{
	return ms * tsc_khz();
}

/* Spin with whatever interrupt state the caller set. */
static void spin_ms(uint64_t ms)
{
	uint64_t end = rdtsc() + ms_to_cycles(ms);

	while (rdtsc() < end)
		cpu_relax();
}

static int madt_has(uint32_t apic_id)
{
	for (unsigned int i = 0; i < acpi_madt.nr_cpus; i++) {
		if (acpi_madt.apic_ids[i] == apic_id)
			return 1;
	}
	return 0;
}

SELFTEST(smp_online, 0)
{
	unsigned int madt_cpus = acpi_madt.nr_cpus < NR_CPUS ? acpi_madt.nr_cpus : NR_CPUS;

	ST_CHECK(nr_cpu_ids == madt_cpus);
	ST_CHECK(num_online_cpus() == nr_cpu_ids);
	ST_CHECK(nr_cpu_ids == 64 || !(cpu_online_mask >> nr_cpu_ids));
	ST_CHECK(percpu_area[smp_processor_id()].apic_id == lapic_id());
	for (unsigned int c = 0; c < nr_cpu_ids; c++) {
		ST_CHECK(cpu_online(c));
		ST_CHECK(percpu_area[c].cpu == c);
		ST_CHECK(percpu_area[c].self == &percpu_area[c]);
		ST_CHECK(madt_has(percpu_area[c].apic_id));
		for (unsigned int d = 0; d < c; d++)
			ST_CHECK(percpu_area[d].apic_id != percpu_area[c].apic_id);
	}
	return 0;
}

/* ---- smp_ipi: who answers? ---- */

struct ipi_answer {
	uint32_t round;		/* [a] written last by the answering CPU */
	uint32_t cpu;		/* its smp_processor_id() */
	uint32_t apic_id;	/* its lapic_id() */
};

static struct ipi_answer answers[NR_CPUS];	/* slot = the answering CPU's own number */
static uint32_t ipi_round;			/* [a] */

static void ipi_record(struct trapframe *tf)
{
	unsigned int me = smp_processor_id();

	(void)tf;
	answers[me].cpu = me;
	answers[me].apic_id = lapic_id();
	__atomic_store_n(&answers[me].round, __atomic_load_n(&ipi_round, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
	lapic_eoi();
}

/* Wait for every CPU in @targets to answer round @round. */
static int wait_answers(uint64_t targets, uint32_t round)
{
	uint64_t end = rdtsc() + ms_to_cycles(ANSWER_WAIT_MS);

	for (unsigned int c = 0; c < NR_CPUS; c++) {
		if (!(targets >> c & 1))
			continue;
		while (__atomic_load_n(&answers[c].round, __ATOMIC_ACQUIRE) != round) {
			if (rdtsc() > end) {
				printk("selftest smp_ipi: cpu%u did not answer\n", c);
				return -1;
			}
			cpu_relax();
		}
	}
	return 0;
}

SELFTEST(smp_ipi, 0)
{
	unsigned int me = smp_processor_id();
	uint32_t round = __atomic_add_fetch(&ipi_round, 1, __ATOMIC_ACQ_REL);
	uint64_t targets = 0;
	int late;

	trap_set_handler(TEST_IPI_VECTOR, ipi_record);
	for (unsigned int c = 0; c < nr_cpu_ids; c++) {
		if (c != me && cpu_online(c)) {
			targets |= 1ULL << c;
			smp_send_ipi(c, TEST_IPI_VECTOR);
		}
	}
	late = wait_answers(targets, round);
	trap_set_handler(TEST_IPI_VECTOR, NULL);
	ST_CHECK(!late);
	for (unsigned int c = 0; c < nr_cpu_ids; c++) {
		if (!(targets >> c & 1))
			continue;
		ST_CHECK(answers[c].cpu == c);
		ST_CHECK(answers[c].apic_id == percpu_area[c].apic_id);
	}
	ST_CHECK(answers[me].round != round);	/* nobody answered for us */
	ST_CHECK(lapic_icr_stuck_count == 0);
	return 0;
}

/* ---- smp_timer: the LAPIC timer, borrowed ---- */

static volatile unsigned int timer_ticks;	/* [o] this CPU's test handler */

static void timer_count(struct trapframe *tf)
{
	(void)tf;
	timer_ticks++;
	lapic_eoi();
}

SELFTEST(smp_timer, 0)
{
	struct lapic_timer_state saved;
	uint64_t flags = local_irq_save();
	unsigned int n;

	lapic_timer_save(&saved);
	timer_ticks = 0;
	trap_set_handler(TEST_TIMER_VECTOR, timer_count);
	lapic_timer_start(TIMER_HZ, TEST_TIMER_VECTOR);
	sti();
	spin_ms(TIMER_WAIT_MS);
	lapic_timer_stop();
	spin_ms(1);		/* an interrupt already accepted is delivered now */
	cli();
	n = timer_ticks;
	lapic_timer_restore(&saved);
	trap_set_handler(TEST_TIMER_VECTOR, NULL);
	local_irq_restore(flags);
	printk("selftest smp_timer: %u ticks at %u Hz in %u ms\n", n, TIMER_HZ, TIMER_WAIT_MS);
	ST_CHECK(n > 0);
	ST_CHECK(n < 100);	/* sanity, not speed: 5 expected */
	return 0;
}

/* ---- bench ipi_roundtrip: ping on one CPU, pong back ---- */

static unsigned int bench_home;		/* [I] during the run: the CPU measuring */
static volatile int bench_pong;		/* [a] set by the pong handler */
static uint64_t bench_samples[BENCH_ROUNDS];

static void bench_ipi(struct trapframe *tf)
{
	(void)tf;
	if (smp_processor_id() == bench_home)
		__atomic_store_n(&bench_pong, 1, __ATOMIC_RELEASE);
	else
		smp_send_ipi(bench_home, BENCH_IPI_VECTOR);
	lapic_eoi();
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One round trip to @peer, in TSC cycles; 0 if the answer never came. */
static uint64_t ipi_roundtrip(unsigned int peer)
{
	uint64_t t0, end;

	__atomic_store_n(&bench_pong, 0, __ATOMIC_RELAXED);
	t0 = rdtsc();
	end = t0 + ms_to_cycles(ANSWER_WAIT_MS);
	smp_send_ipi(peer, BENCH_IPI_VECTOR);
	while (!__atomic_load_n(&bench_pong, __ATOMIC_ACQUIRE)) {
		if (rdtsc() > end)
			return 0;
		cpu_relax();
	}
	return rdtsc() - t0;
}

static int run_roundtrips(unsigned int peer)
{
	for (int i = -BENCH_WARMUP; i < BENCH_ROUNDS; i++) {
		uint64_t c = ipi_roundtrip(peer);

		if (!c) {
			printk("bench ipi_roundtrip: cpu%u did not answer within %d ms\n", peer,
			       ANSWER_WAIT_MS);
			return -1;
		}
		if (i >= 0)
			bench_samples[i] = c;
	}
	return 0;
}

BENCH(ipi_roundtrip)
{
	unsigned int peer;
	uint64_t flags;
	int rc;

	if (num_online_cpus() < 2) {
		printk("bench ipi_roundtrip: needs 2 online CPUs, have %u\n", num_online_cpus());
		return 1;
	}
	bench_home = smp_processor_id();
	peer = bench_home == 1 ? 0 : 1;
	if (!cpu_online(peer)) {
		printk("bench ipi_roundtrip: cpu%u is not online\n", peer);
		return 1;
	}
	trap_set_handler(BENCH_IPI_VECTOR, bench_ipi);
	flags = local_irq_save();
	sti();			/* the pong interrupts us */
	rc = run_roundtrips(peer);
	cli();
	local_irq_restore(flags);
	trap_set_handler(BENCH_IPI_VECTOR, NULL);
	if (rc)
		return 1;
	qsort(bench_samples, BENCH_ROUNDS, sizeof(bench_samples[0]), cmp_u64);
	printk("bench ipi_roundtrip: %lu cycles (median), %lu min, over %d\n",
	       (unsigned long)bench_samples[BENCH_ROUNDS / 2], (unsigned long)bench_samples[0],
	       BENCH_ROUNDS);
	return 0;
}
