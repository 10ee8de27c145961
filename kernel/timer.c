/*
 * The cascading timer wheel; see timer.h. The wheel itself is portable
 * (host tests drive it with made-up jiffies); the per-CPU bases, the
 * softirq and schedule_timeout() are kernel-only, at the end.
 */
#include <kernel/timer.h>
#include <kernel/panic.h>

#define TVN_MASK (TVN_SIZE - 1)
#define TVR_MASK (TVR_SIZE - 1)

volatile uint64_t jiffies;
unsigned int HZ = 250;

static DEFINE_LOCK_CLASS(timer_base_class, "timer_base");

void timer_base_init(struct timer_base *base, uint64_t now)
{
	spin_lock_init(&base->lock, &timer_base_class);
	base->running_timer = NULL;
	base->timer_jiffies = now;
	base->nr_pending = 0;
	for (int i = 0; i < TVR_SIZE; i++)
		INIT_LIST_HEAD(&base->tv1[i]);
	for (int i = 0; i < TVN_SIZE; i++) {
		INIT_LIST_HEAD(&base->tv2[i]);
		INIT_LIST_HEAD(&base->tv3[i]);
		INIT_LIST_HEAD(&base->tv4[i]);
		INIT_LIST_HEAD(&base->tv5[i]);
	}
}

void timer_setup(struct timer_list *t, void (*fn)(struct timer_list *), unsigned int flags)
{
	INIT_LIST_HEAD(&t->entry);
	t->function = fn;
	t->flags = flags;
	t->base = NULL;
	t->expires = 0;
}

void timer_setup_on(struct timer_list *t, void (*fn)(struct timer_list *), struct timer_base *base)
{
	timer_setup(t, fn, TIMER_PINNED);
	t->base = base;
}

/* Linux's internal_add_timer: the vector is chosen by how far away it is. */
static void internal_add_timer(struct timer_base *base, struct timer_list *t)
{
	uint64_t expires = t->expires, idx = expires - base->timer_jiffies;
	struct list_head *vec;

	if (idx < TVR_SIZE) {
		vec = base->tv1 + (expires & TVR_MASK);
	} else if (idx < 1ULL << (TVR_BITS + TVN_BITS)) {
		vec = base->tv2 + ((expires >> TVR_BITS) & TVN_MASK);
	} else if (idx < 1ULL << (TVR_BITS + 2 * TVN_BITS)) {
		vec = base->tv3 + ((expires >> (TVR_BITS + TVN_BITS)) & TVN_MASK);
	} else if (idx < 1ULL << (TVR_BITS + 3 * TVN_BITS)) {
		vec = base->tv4 + ((expires >> (TVR_BITS + 2 * TVN_BITS)) & TVN_MASK);
	} else if ((int64_t)idx < 0) {
		/* Already due: the next jiffy processed. */
		vec = base->tv1 + (base->timer_jiffies & TVR_MASK);
	} else {
		/* Beyond the wheel (~2^32 jiffies): cap at the furthest slot. */
		if (idx > 0xffffffffULL)
			expires = base->timer_jiffies + 0xffffffffULL;
		vec = base->tv5 + ((expires >> (TVR_BITS + 3 * TVN_BITS)) & TVN_MASK);
	}
	list_add_tail(&t->entry, vec);
	base->nr_pending++;
}

static void detach_timer(struct timer_base *base, struct timer_list *t)
{
	list_del_init(&t->entry);
	base->nr_pending--;
}

/* Lock the base @t is on; it may move to another base while we wait. */
static struct timer_base *lock_timer_base(struct timer_list *t, uint64_t *flags)
{
	for (;;) {
		struct timer_base *base = __atomic_load_n(&t->base, __ATOMIC_ACQUIRE);

		if (base) {
			*flags = spin_lock_irqsave(&base->lock);
			if (base == t->base)
				return base;
			spin_unlock_irqrestore(&base->lock, *flags);
		} else {
			/* Never armed: claim this CPU's base. */
			struct timer_base *mine = timer_this_base();

			if (__atomic_compare_exchange_n(&t->base, &base, mine, 0,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				continue;
		}
	}
}

int mod_timer(struct timer_list *t, uint64_t expires)
{
	uint64_t flags;
	struct timer_base *base = lock_timer_base(t, &flags), *mine;
	int was_pending = timer_pending(t);

	if (was_pending)
		detach_timer(base, t);
	/* Follow the arming CPU, as Linux does, unless pinned or running there. */
	mine = timer_this_base();
	if (!(t->flags & TIMER_PINNED) && base != mine && base->running_timer != t) {
		__atomic_store_n(&t->base, mine, __ATOMIC_RELEASE);
		spin_unlock(&base->lock);
		spin_lock(&mine->lock);
		base = mine;
	}
	t->expires = expires;
	internal_add_timer(base, t);
	spin_unlock_irqrestore(&base->lock, flags);
	return was_pending;
}

int del_timer(struct timer_list *t)
{
	uint64_t flags;
	struct timer_base *base;
	int ret = 0;

	if (!t->base)
		return 0;
	base = lock_timer_base(t, &flags);
	if (timer_pending(t)) {
		detach_timer(base, t);
		ret = 1;
	}
	spin_unlock_irqrestore(&base->lock, flags);
	return ret;
}

/* -1 while its function runs on the base; else as del_timer. */
static int try_to_del_timer_sync(struct timer_list *t)
{
	uint64_t flags;
	struct timer_base *base;
	int ret = 0;

	if (!t->base)
		return 0;
	base = lock_timer_base(t, &flags);
	if (base->running_timer == t) {
		ret = -1;
	} else if (timer_pending(t)) {
		detach_timer(base, t);
		ret = 1;
	}
	spin_unlock_irqrestore(&base->lock, flags);
	return ret;
}

int del_timer_sync(struct timer_list *t)
{
	for (;;) {
		int ret = try_to_del_timer_sync(t);

		if (ret >= 0)
			return ret;
#ifndef SQUALL_HOSTED
		__asm__ volatile("pause");
#endif
	}
}

/* Move one coarse list down into the finer vectors; returns @index. */
static int cascade(struct timer_base *base, struct list_head *tv, int index)
{
	struct list_head work, *pos, *n;

	INIT_LIST_HEAD(&work);
	list_splice_init(tv + index, &work);
	list_for_each_safe(pos, n, &work) {
		struct timer_list *t = list_entry(pos, struct timer_list, entry);

		list_del_init(&t->entry);
		base->nr_pending--;
		internal_add_timer(base, t);
	}
	return index;
}

#define INDEX(n) ((base->timer_jiffies >> (TVR_BITS + (n) * TVN_BITS)) & TVN_MASK)

void __run_timers(struct timer_base *base, uint64_t now)
{
	uint64_t flags = spin_lock_irqsave(&base->lock);

	while (time_after_eq(now, base->timer_jiffies)) {
		struct list_head work;
		int index = base->timer_jiffies & TVR_MASK;

		if (!index && !cascade(base, base->tv2, INDEX(0)) &&
		    !cascade(base, base->tv3, INDEX(1)) && !cascade(base, base->tv4, INDEX(2)))
			cascade(base, base->tv5, INDEX(3));
		base->timer_jiffies++;
		INIT_LIST_HEAD(&work);
		list_splice_init(base->tv1 + index, &work);
		while (!list_empty(&work)) {
			struct timer_list *t = list_first_entry(&work, struct timer_list, entry);
			void (*fn)(struct timer_list *) = t->function;

			detach_timer(base, t);
			base->running_timer = t;
			spin_unlock_irqrestore(&base->lock, flags);
			fn(t);
			flags = spin_lock_irqsave(&base->lock);
		}
	}
	base->running_timer = NULL;
	spin_unlock_irqrestore(&base->lock, flags);
}

uint64_t msecs_to_jiffies(uint64_t ms)
{
	return (ms * HZ + 999) / 1000;	/* round up: never early */
}

#ifndef SQUALL_HOSTED
#include <kernel/params.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/softirq.h>
#include <kernel/time.h>
#include <stdlib.h>

static struct timer_base timer_bases[NR_CPUS];	/* per-CPU */
static uint64_t hpet_boot_ns;			/* [I] HPET time when jiffies was 0 */
int hpet_present(void);
uint64_t hpet_read_ns(void);

static const char *set_hz(const char *val)
{
	char *end;
	unsigned long hz = val ? strtoul(val, &end, 10) : 0;

	if (!val || *end || hz < 10 || hz > 10000)
		return "must be a number from 10 to 10000";
	HZ = (unsigned int)hz;
	return NULL;
}
KERNEL_PARAM("hz", set_hz, "hz=N: timer ticks per second (default 250)");

struct timer_base *timer_this_base(void)
{
	return &timer_bases[smp_processor_id()];
}

static void run_timer_softirq(void)
{
	__run_timers(timer_this_base(), jiffies);
}

void timers_init_cpu(unsigned int cpu)
{
	timer_base_init(&timer_bases[cpu], jiffies);
	if (cpu == 0) {
		open_softirq(TIMER_SOFTIRQ, run_timer_softirq);
		if (hpet_present())
			hpet_boot_ns = hpet_read_ns() - jiffies * (1000000000ULL / HZ);
	}
}

void timer_tick(void)
{
	struct timer_base *base = timer_this_base();

	/*
	 * jiffies follow a real-time clock, not the count of ticks: under TCG
	 * a vCPU's ticks can come late or bunched on a busy host, and counting
	 * them would let timers drift (an RTO of 1 s must be 1 s). The HPET
	 * follows host time; the TSC (when there is no HPET) may jump on some
	 * hosts. Several jiffies may pass at once; the wheel catches up.
	 */
	if (smp_processor_id() == 0) {
		uint64_t now = (hpet_present() ? hpet_read_ns() - hpet_boot_ns : ktime_ns()) /
			       (1000000000ULL / HZ);

		if (now > jiffies)
			__atomic_store_n(&jiffies, now, __ATOMIC_RELAXED);
	}
	if (base->nr_pending && time_after_eq(jiffies, base->timer_jiffies))
		raise_softirq_irqoff(TIMER_SOFTIRQ);
	else if (!base->nr_pending)
		base->timer_jiffies = jiffies;	/* nothing to cascade: skip ahead */
}

static void process_timeout(struct timer_list *t)
{
	struct task **p = (struct task **)(t + 1);

	wake_up_process(*p);
}

int64_t schedule_timeout(int64_t timeout)
{
	struct {
		struct timer_list timer;
		struct task *task;	/* right after the timer: process_timeout finds it */
	} w;
	uint64_t expire = jiffies + (uint64_t)timeout;
	int64_t left;

	timer_setup(&w.timer, process_timeout, 0);
	w.task = current;
	mod_timer(&w.timer, expire);
	schedule();
	del_timer_sync(&w.timer);
	left = (int64_t)(expire - jiffies);
	return left < 0 ? 0 : left;
}

int64_t schedule_timeout_interruptible(int64_t timeout)
{
	__atomic_store_n(&current->state, TASK_INTERRUPTIBLE, __ATOMIC_SEQ_CST);
	return schedule_timeout(timeout);
}
#endif
