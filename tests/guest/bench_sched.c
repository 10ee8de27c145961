/*
 * Benchmarks of the kernel core (bench=NAME; bench/kernel-core.md has the
 * command and the recorded numbers). Each prints TSC cycles per operation:
 * the median of several rounds, and the minimum. Nothing is asserted.
 */
#include <kernel/selftest.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/arch/x86/x86.h>
#include <stdlib.h>

#define ROUNDS 15

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, uint64_t *per_op, int n, const char *what)
{
	qsort(per_op, (size_t)n, sizeof(per_op[0]), cmp_u64);
	printk("bench %s: %lu cycles (median of %d rounds), %lu min; %s\n", name,
	       (unsigned long)per_op[n / 2], n, (unsigned long)per_op[0], what);
}

/* ---- two threads on one CPU handing the CPU back and forth ---- */

#define SWITCHES 2000
static volatile int pingpong_stop;

static int switcher(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&pingpong_stop, __ATOMIC_ACQUIRE))
		yield();
	return 0;
}

BENCH(ctx_switch)
{
	uint64_t per[ROUNDS];
	struct task *peer;

	pingpong_stop = 0;
	peer = kthread_create(switcher, NULL, "switcher", (int)smp_processor_id());
	if (!peer)
		return -1;
	yield();	/* let it start */
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = rdtsc();

		for (int i = 0; i < SWITCHES; i++)
			yield();	/* to the peer and back: two switches */
		per[r] = (rdtsc() - t0) / (2 * SWITCHES);
	}
	__atomic_store_n(&pingpong_stop, 1, __ATOMIC_RELEASE);
	kthread_join(peer);
	report("ctx_switch", per, ROUNDS, "one thread switch (yield to a peer on the same CPU)");
	return 0;
}

/* ---- spinlocks ---- */

#define LOCK_ITERS 20000
static DEFINE_LOCK_CLASS(bench_lock_class, "bench_lock");
static struct spinlock bench_lock;
static volatile int lock_go, lock_done;
static uint64_t lock_counter;	/* [bench_lock] */

BENCH(lock_uncontended)
{
	uint64_t per[ROUNDS];

	spin_lock_init(&bench_lock, &bench_lock_class);
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = rdtsc();

		for (int i = 0; i < LOCK_ITERS; i++) {
			spin_lock(&bench_lock);
			lock_counter++;
			spin_unlock(&bench_lock);
		}
		per[r] = (rdtsc() - t0) / LOCK_ITERS;
	}
	report("lock_uncontended", per, ROUNDS, "spin_lock + spin_unlock, one CPU");
	return 0;
}

static uint64_t contended_cycles[NR_CPUS];

static int lock_hammer(void *arg)
{
	int slot = (int)(uintptr_t)arg;
	uint64_t t0;

	__atomic_add_fetch(&lock_go, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&lock_go, __ATOMIC_ACQUIRE) < 4)
		cpu_relax();
	t0 = rdtsc();
	for (int i = 0; i < LOCK_ITERS; i++) {
		spin_lock(&bench_lock);
		lock_counter++;
		spin_unlock(&bench_lock);
	}
	contended_cycles[slot] = (rdtsc() - t0) / LOCK_ITERS;
	__atomic_add_fetch(&lock_done, 1, __ATOMIC_RELEASE);
	return 0;
}

BENCH(lock_contended4)
{
	uint64_t per[ROUNDS];
	struct task *t[4];
	struct lock_stat before, after;

	if (num_online_cpus() < 4) {
		printk("bench lock_contended4: needs 4 CPUs (have %u)\n", num_online_cpus());
		return -1;
	}
	spin_lock_init(&bench_lock, &bench_lock_class);
	lockstat_read(&bench_lock_class, &before);
	for (int r = 0; r < ROUNDS; r++) {
		lock_go = lock_done = 0;
		for (int i = 0; i < 4; i++)
			t[i] = kthread_create(lock_hammer, (void *)(uintptr_t)i, "hammer", i);
		for (int i = 0; i < 4; i++)
			kthread_join(t[i]);
		per[r] = 0;
		for (int i = 0; i < 4; i++)
			per[r] += contended_cycles[i];
		per[r] /= 4;
	}
	lockstat_read(&bench_lock_class, &after);
	report("lock_contended4", per, ROUNDS, "spin_lock + spin_unlock, 4 CPUs on one lock");
	printk("bench lock_contended4: %lu of %lu acquisitions contended, %lu cycles spinning\n",
	       (unsigned long)(after.contended - before.contended),
	       (unsigned long)(after.acquired - before.acquired),
	       (unsigned long)(after.spin_cycles - before.spin_cycles));
	return 0;
}
