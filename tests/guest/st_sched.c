/*
 * The scheduler, wait queues, softirqs and timers on every CPU. All are in
 * the `smp` group; each works with one CPU too. Each asserts a fact, never
 * a speed: waits are bounded by generous deadlines and fail when missed.
 */
#include <kernel/selftest.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/softirq.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <kernel/arch/x86/x86.h>
#include <string.h>

#define DEADLINE_NS 5000000000ULL	/* 5 s: a stuck test fails, never hangs */

static int wait_until(volatile int *flag, int value)
{
	uint64_t end = ktime_ns() + DEADLINE_NS;

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) != value) {
		if (ktime_ns() > end)
			return -1;
		yield();
	}
	return 0;
}

/* ---- many threads on many CPUs, one spinlock: the sum is exact ---- */

#define SUM_ITERS 20000
static DEFINE_LOCK_CLASS(sum_class, "selftest_sum");
static struct spinlock sum_lock;
static uint64_t sum;	/* [sum_lock] */

static int sum_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < SUM_ITERS; i++) {
		spin_lock(&sum_lock);
		sum++;	/* a plain read-modify-write: only the lock makes it exact */
		spin_unlock(&sum_lock);
	}
	return (int)smp_processor_id();
}

SELFTEST(smp_lock_sum, 0)
{
	struct task *t[2 * NR_CPUS];
	unsigned int n = 2 * num_online_cpus();
	struct lock_stat before, st;

	spin_lock_init(&sum_lock, &sum_class);
	lockstat_read(&sum_class, &before);
	sum = 0;
	for (unsigned int i = 0; i < n; i++) {
		t[i] = kthread_create(sum_worker, NULL, "sum", (int)(i % num_online_cpus()));
		ST_CHECK(t[i] != NULL);
	}
	for (unsigned int i = 0; i < n; i++)
		ST_CHECK(kthread_join(t[i]) == (int)(i % num_online_cpus()));	/* ran where pinned */
	ST_CHECK(sum == (uint64_t)n * SUM_ITERS);
	lockstat_read(&sum_class, &st);
	ST_CHECK(st.acquired - before.acquired == (uint64_t)n * SUM_ITERS);
	ST_CHECK(st.contended - before.contended <= st.acquired - before.acquired);
	return 0;
}

/* ---- an exclusive wakeup wakes exactly one waiter ---- */

#define NWAITERS 4
static struct wait_queue_head excl_wq;
static volatile int excl_tokens, excl_woken, excl_ready;

static int excl_waiter(void *arg)
{
	struct wait_queue_entry w;

	(void)arg;
	init_waitqueue_entry(&w, current);
	w.func = autoremove_wake_function;
	__atomic_add_fetch(&excl_ready, 1, __ATOMIC_RELEASE);
	for (;;) {
		prepare_to_wait_exclusive(&excl_wq, &w, TASK_UNINTERRUPTIBLE);
		if (__atomic_load_n(&excl_tokens, __ATOMIC_ACQUIRE) > 0)
			break;
		schedule();
	}
	finish_wait(&excl_wq, &w);
	__atomic_sub_fetch(&excl_tokens, 1, __ATOMIC_ACQ_REL);
	__atomic_add_fetch(&excl_woken, 1, __ATOMIC_RELEASE);
	return 0;
}

SELFTEST(smp_wakeup_exclusive, 0)
{
	struct task *t[NWAITERS];
	uint64_t end;

	init_waitqueue_head(&excl_wq);
	excl_tokens = excl_woken = excl_ready = 0;
	for (int i = 0; i < NWAITERS; i++)
		ST_CHECK((t[i] = kthread_create(excl_waiter, NULL, "excl", i % (int)num_online_cpus())));
	ST_CHECK(wait_until(&excl_ready, NWAITERS) == 0);
	/* all asleep on the queue? (each queued itself before sleeping) */
	end = ktime_ns() + DEADLINE_NS;
	for (int i = 0; i < NWAITERS; i++)
		while (t[i]->state == TASK_RUNNING && ktime_ns() < end)
			yield();
	__atomic_store_n(&excl_tokens, 1, __ATOMIC_RELEASE);
	wake_up(&excl_wq);
	ST_CHECK(wait_until(&excl_woken, 1) == 0);
	/* give any wrongly woken waiter time to show up */
	end = ktime_ns() + 50000000;
	while (ktime_ns() < end)
		yield();
	ST_CHECK(excl_woken == 1);
	__atomic_store_n(&excl_tokens, NWAITERS - 1, __ATOMIC_RELEASE);
	wake_up_all(&excl_wq);
	for (int i = 0; i < NWAITERS; i++)
		kthread_join(t[i]);
	ST_CHECK(excl_woken == NWAITERS && excl_tokens == 0);
	return 0;
}

/* ---- timers fire in order and never early ---- */

#define NTIMERS 6
struct tst {
	struct timer_list timer;
	uint64_t fired_jiffies;
	unsigned int fired_cpu;
	int seq;
};
static struct tst tsts[NTIMERS];
static volatile int tst_seq;

static void tst_fn(struct timer_list *t)
{
	struct tst *x = (struct tst *)t;

	x->fired_jiffies = jiffies;
	x->fired_cpu = smp_processor_id();
	x->seq = __atomic_add_fetch(&tst_seq, 1, __ATOMIC_ACQ_REL);
}

SELFTEST(smp_timers, 0)
{
	static const unsigned int delay[NTIMERS] = { 9, 1, 5, 3, 40, 2 };	/* jiffies */
	uint64_t armed[NTIMERS], start = jiffies;

	tst_seq = 0;
	for (int i = 0; i < NTIMERS; i++) {
		timer_setup(&tsts[i].timer, tst_fn, 0);
		tsts[i].seq = 0;
		armed[i] = jiffies + delay[i];
		mod_timer(&tsts[i].timer, armed[i]);
	}
	ST_CHECK(wait_until(&tst_seq, NTIMERS) == 0);
	for (int i = 0; i < NTIMERS; i++) {
		ST_CHECK(time_after_eq(tsts[i].fired_jiffies, armed[i]));	/* not early */
		ST_CHECK(tsts[i].fired_cpu == smp_processor_id());	/* where armed */
		for (int j = 0; j < NTIMERS; j++)
			if (armed[j] < armed[i])
				ST_CHECK(tsts[j].seq < tsts[i].seq);	/* in order */
	}
	ST_CHECK(jiffies - start >= 40);
	/* A deleted timer never fires. */
	tst_seq = 0;
	timer_setup(&tsts[0].timer, tst_fn, 0);
	mod_timer(&tsts[0].timer, jiffies + 2);
	ST_CHECK(del_timer_sync(&tsts[0].timer) == 1);
	start = jiffies;
	while (jiffies - start < 5)
		yield();
	ST_CHECK(tst_seq == 0);
	return 0;
}

/* ---- a softirq raised on a CPU runs on that CPU ---- */

static volatile int sirq_cpu_seen[NR_CPUS];

static void sirq_action(void)
{
	__atomic_add_fetch(&sirq_cpu_seen[smp_processor_id()], 1, __ATOMIC_RELEASE);
}

static int sirq_raiser(void *arg)
{
	unsigned int cpu = (unsigned int)(uintptr_t)arg;

	if (smp_processor_id() != cpu)
		return -1;
	raise_softirq(TASKLET_SOFTIRQ);
	return wait_until(&sirq_cpu_seen[cpu], 1);
}

SELFTEST(smp_softirq, 0)
{
	memset((void *)sirq_cpu_seen, 0, sizeof(sirq_cpu_seen));
	open_softirq(TASKLET_SOFTIRQ, sirq_action);
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		struct task *t;

		if (!cpu_online(c))
			continue;
		ST_CHECK((t = kthread_create(sirq_raiser, (void *)(uintptr_t)c, "sirq", (int)c)));
		ST_CHECK(kthread_join(t) == 0);
	}
	for (unsigned int c = 0; c < NR_CPUS; c++)
		ST_CHECK(sirq_cpu_seen[c] == (cpu_online(c) ? 1 : 0));
	open_softirq(TASKLET_SOFTIRQ, NULL);
	return 0;
}

/* ---- affinity: a thread moves itself across every CPU ---- */

static int wanderer(void *arg)
{
	(void)arg;
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		if (!cpu_online(c))
			continue;
		if (set_cpus_allowed(current, 1ULL << c))
			return -1;
		if (smp_processor_id() != c)
			return -2 - (int)c;
	}
	return set_cpus_allowed(current, 0) == -22 ? 0 : -100;	/* an empty mask is refused */
}

SELFTEST(smp_affinity, 0)
{
	struct task *t = kthread_create(wanderer, NULL, "wander", -1);

	ST_CHECK(t != NULL);
	ST_CHECK(kthread_join(t) == 0);
	return 0;
}

/* ---- preemption: two busy threads on one CPU both make progress ---- */

static volatile uint64_t spin_count[2];
static volatile int spin_stop;

static int spinner(void *arg)
{
	int i = (int)(uintptr_t)arg;

	while (!__atomic_load_n(&spin_stop, __ATOMIC_ACQUIRE))
		spin_count[i]++;	/* never yields: only the tick can switch it out */
	return 0;
}

SELFTEST(smp_preempt, 0)
{
	unsigned int cpu = num_online_cpus() - 1;
	struct task *a, *b;
	uint64_t end;

	spin_stop = 0;
	spin_count[0] = spin_count[1] = 0;
	ST_CHECK((a = kthread_create(spinner, (void *)0, "spin0", (int)cpu)));
	ST_CHECK((b = kthread_create(spinner, (void *)1, "spin1", (int)cpu)));
	end = ktime_ns() + DEADLINE_NS;
	while ((!spin_count[0] || !spin_count[1]) && ktime_ns() < end)
		yield();
	__atomic_store_n(&spin_stop, 1, __ATOMIC_RELEASE);
	kthread_join(a);
	kthread_join(b);
	ST_CHECK(spin_count[0] > 0 && spin_count[1] > 0);
	return 0;
}

/* ---- lockdep: an inversion is reported, not left to deadlock ---- */

static int inversions;
static void count_inversion(const char *held, const char *taking)
{
	(void)held;
	(void)taking;
	inversions++;
}

SELFTEST(smp_lockdep, 0)
{
	static DEFINE_LOCK_CLASS(class_a, "selftest_A");
	static DEFINE_LOCK_CLASS(class_b, "selftest_B");
	struct spinlock a, b;
	int was = lockdep_enabled;
	void (*hook)(const char *, const char *) = lockdep_report_hook;

	spin_lock_init(&a, &class_a);
	spin_lock_init(&b, &class_b);
	inversions = 0;
	lockdep_report_hook = count_inversion;
	lockdep_enabled = 1;
	spin_lock(&a);
	spin_lock(&b);		/* learns A -> B */
	spin_unlock(&b);
	spin_unlock(&a);
	ST_CHECK(inversions == 0);
	spin_lock(&b);
	spin_lock(&a);		/* B -> A: inversion */
	spin_unlock(&a);
	spin_unlock(&b);
	lockdep_enabled = was;
	lockdep_report_hook = hook;
	ST_CHECK(inversions == 1);
	return 0;
}

/* ---- softirq budget: a softirq that keeps raising itself goes to ksoftirqd ---- */

#define SIRQ_ROUNDS 50
static volatile int sirq_runs;

static void sirq_again(void)
{
	if (__atomic_add_fetch(&sirq_runs, 1, __ATOMIC_ACQ_REL) < SIRQ_ROUNDS)
		raise_softirq(TASKLET_SOFTIRQ);	/* more work: past 10 rounds, ksoftirqd's */
}

SELFTEST(smp_softirq_budget, 0)
{
	unsigned int cpu = smp_processor_id();
	uint64_t deferred = softirq_deferred(cpu);
	uint64_t f;

	sirq_runs = 0;
	open_softirq(TASKLET_SOFTIRQ, sirq_again);
	f = local_irq_save();
	irq_enter();		/* as if from an interrupt handler: irq_exit runs it */
	raise_softirq_irqoff(TASKLET_SOFTIRQ);
	irq_exit();
	local_irq_restore(f);
	ST_CHECK(wait_until(&sirq_runs, SIRQ_ROUNDS) == 0);	/* all of it ran */
	ST_CHECK(softirq_deferred(cpu) > deferred);	/* and the budget handed some over */
	open_softirq(TASKLET_SOFTIRQ, NULL);
	return 0;
}
