/*
 * The scheduler: per-CPU run queues, round robin with a time slice,
 * wakeups across CPUs by IPI, kernel threads, affinity and per-CPU
 * busy/idle accounting. See sched.h for the model and the locking.
 *
 * Call order: sched_init_cpu() makes the context that boots each CPU its
 * idle task; kthread_create() → wake_up_process(); the tick
 * (sched_tick) and wakeups set need_resched; the interrupt exit path
 * (trap.c) and preempt_enable() call schedule() when it is set.
 */
#include <kernel/sched.h>
#include <kernel/mm.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/softirq.h>
#include <kernel/arch/x86/vectors.h>
#include <kernel/arch/x86/x86.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLICE_TICKS 5		/* a time slice, in ticks */

struct rq {
	struct spinlock lock;
	struct list_head queue;		/* [lock] runnable, not running */
	unsigned int nr_queued;		/* [lock] */
	struct task *idle;		/* [I] */
	struct task *prev;		/* [lock] the task being switched away from */
	int prev_migrates;		/* [lock] prev stays runnable but belongs to another CPU now */
	uint64_t last_switch;		/* [o] TSC at the last switch */
	uint64_t busy_cycles, idle_cycles;	/* [o] */
	uint64_t nr_switches;		/* [o] */
} __attribute__((aligned(64)));

static struct rq runqueues[NR_CPUS];	/* per-CPU: runqueues[cpu] */
static struct task idle_tasks[NR_CPUS];	/* per-CPU: the context each CPU booted in */
static DEFINE_LOCK_CLASS(rq_lock_class, "rq");
static int next_tid = 1;		/* [a] */
static int idle_poll;			/* [I] idle=poll: spin instead of hlt */

static const char *set_idle(const char *val)
{
	return param_choice(val, "poll", "halt", &idle_poll, "must be poll or halt");
}
KERNEL_PARAM("idle", set_idle, "idle=halt|poll: how an idle CPU waits");

static struct rq *cpu_rq(unsigned int cpu) { return &runqueues[cpu]; }
static struct rq *this_rq(void) { return cpu_rq(smp_processor_id()); }

void get_task(struct task *t)
{
	__atomic_add_fetch(&t->refcount, 1, __ATOMIC_RELAXED);
}

int vm_set_guard(uint64_t addr, int guard);	/* kernel/arch/x86/vm.c */

/* A kernel stack with a not-present guard page below it: an overflow faults. */
static uint8_t *kstack_alloc(void)
{
	uint8_t *p = page_alloc(KSTACK_PAGES + 1);

	if (!p)
		return NULL;
	if (vm_set_guard((uintptr_t)p, 1)) {
		page_free(p, KSTACK_PAGES + 1);
		return NULL;
	}
	return p + PAGE_SIZE;
}

static void kstack_free(uint8_t *stack)
{
	uint8_t *guard = stack - PAGE_SIZE;

	vm_set_guard((uintptr_t)guard, 0);
	page_free(guard, KSTACK_PAGES + 1);
}

void put_task(struct task *t)
{
	if (__atomic_sub_fetch(&t->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	if (t->kstack)
		kstack_free(t->kstack);
	free(t);
}

static void task_init_common(struct task *t, const char *name, unsigned int cpu)
{
	t->state = TASK_RUNNING;
	t->cpu = cpu;
	t->cpus_allowed = ~0ULL;
	t->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	t->refcount = 1;
	t->slice_ticks = SLICE_TICKS;
	INIT_LIST_HEAD(&t->run_list);
	INIT_LIST_HEAD(&t->thread_list);
	init_waitqueue_head(&t->exit_wait);
	strncpy(t->comm, name, TASK_COMM_LEN - 1);
	_REENT_INIT_PTR(&t->reent);
}

void sched_init_cpu(unsigned int cpu)
{
	struct rq *rq = cpu_rq(cpu);
	struct task *idle = &idle_tasks[cpu];

	spin_lock_init(&rq->lock, &rq_lock_class);
	INIT_LIST_HEAD(&rq->queue);
	task_init_common(idle, "idle", cpu);
	this_cpu()->curr = idle;	/* before any libc call: __getreent() uses it */
	this_cpu()->idle_tid = idle->tid;
	snprintf(idle->comm, sizeof(idle->comm), "idle/%u", cpu);
	idle->cpus_allowed = 1ULL << cpu;
	idle->on_rq = 1;
	idle->on_cpu = 1;
	idle->refcount = 1 << 30;	/* never freed */
	rq->idle = idle;
	rq->last_switch = rdtsc();
}

/* ---- run queue operations, rq->lock held ---- */

static void enqueue_task(struct rq *rq, struct task *p)
{
	list_add_tail(&p->run_list, &rq->queue);
	rq->nr_queued++;
	p->on_rq = 1;
}

static struct task *pick_next_task(struct rq *rq)
{
	struct task *p;

	if (list_empty(&rq->queue))
		return rq->idle;
	p = list_first_entry(&rq->queue, struct task, run_list);
	list_del_init(&p->run_list);
	rq->nr_queued--;
	return p;
}

/* Lock the run queue @p belongs to; @p may move while we wait, so re-check. */
static struct rq *task_rq_lock(struct task *p, uint64_t *flags)
{
	for (;;) {
		struct rq *rq = cpu_rq(__atomic_load_n(&p->cpu, __ATOMIC_ACQUIRE));

		*flags = spin_lock_irqsave(&rq->lock);
		if (rq == cpu_rq(p->cpu))
			return rq;
		spin_unlock_irqrestore(&rq->lock, *flags);
	}
}

void set_need_resched(unsigned int cpu)
{
	__atomic_store_n(&percpu_area[cpu].need_resched, 1, __ATOMIC_RELEASE);
	if (cpu != smp_processor_id())
		smp_send_ipi(cpu, RESCHEDULE_VECTOR);
}

/* p is runnable and queued on rq (locked): make its CPU notice. */
static void check_preempt(struct rq *rq, struct task *p)
{
	unsigned int cpu = (unsigned int)(rq - runqueues);

	if (percpu_area[cpu].curr == rq->idle || p->cpu != smp_processor_id())
		set_need_resched(cpu);
}

int try_to_wake_up(struct task *p, unsigned int state_mask)
{
	uint64_t flags;
	struct rq *rq = task_rq_lock(p, &flags);
	int woke = 0;

	if (p->state & (long)state_mask) {
		__atomic_store_n(&p->state, TASK_RUNNING, __ATOMIC_RELEASE);
		woke = 1;
		if (!p->on_rq) {
			enqueue_task(rq, p);
			check_preempt(rq, p);
		}
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	return woke;
}

int wake_up_process(struct task *p)
{
	return try_to_wake_up(p, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE);
}

static void account_switch(struct rq *rq, struct task *prev)
{
	uint64_t now = rdtsc(), delta = now - rq->last_switch;

	rq->last_switch = now;
	if (prev == rq->idle)
		rq->idle_cycles += delta;
	else
		rq->busy_cycles += delta;
	prev->run_cycles += delta;
	rq->nr_switches++;
}

/*
 * The second half of a switch, run by the task switched to (also by a new
 * task, from ret_from_fork): release the previous task and the rq lock.
 */
void finish_task_switch(void)
{
	struct rq *rq = this_rq();
	struct task *prev = rq->prev;
	int migrate = rq->prev_migrates;
	int dead = prev->state == TASK_DEAD && !prev->on_rq;

	__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
	spin_unlock(&rq->lock);
	if (migrate) {
		uint64_t f;
		struct rq *to = task_rq_lock(prev, &f);

		enqueue_task(to, prev);
		check_preempt(to, prev);
		spin_unlock_irqrestore(&to->lock, f);
	}
	if (dead)
		put_task(prev);		/* the scheduler's reference */
}

/*
 * @preempt: the task did not ask to sleep, it was preempted (interrupt
 * exit, preempt_enable). It may have set a sleeping state already, on its
 * way to schedule() (prepare_to_wait ... schedule()): as Linux's
 * __schedule(SM_PREEMPT), it stays queued then, or it could sleep with
 * nobody to wake it (say, in the middle of release_sock, with its wakeup
 * sitting in its own backlog).
 */
static void __schedule(int preempt)
{
	uint64_t flags = local_irq_save();
	struct rq *rq = this_rq();
	struct task *prev = current, *next;

	if (in_interrupt() || this_cpu()->preempt_count)
		panic("schedule: called in atomic context (preempt_count %#x) by '%s'",
		      this_cpu()->preempt_count, prev->comm);
	spin_lock(&rq->lock);
	this_cpu()->need_resched = 0;
	rq->prev_migrates = 0;
	if (prev != rq->idle) {
		if (prev->state != TASK_RUNNING && !preempt)
			prev->on_rq = 0;	/* asleep or dead: off the queue */
		else if (prev->cpu == smp_processor_id())
			enqueue_task(rq, prev);	/* preempted or yielding: to the back */
		else
			rq->prev_migrates = 1;	/* finish_task_switch queues it over there */
	}
	next = pick_next_task(rq);
	if (next == prev) {
		rq->prev_migrates = 0;
		spin_unlock(&rq->lock);
		local_irq_restore(flags);
		return;
	}
	while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
		cpu_relax();	/* still being switched away from on its old CPU */
	next->on_cpu = 1;
	next->slice_ticks = SLICE_TICKS;
	next->nr_switches++;
	account_switch(rq, prev);
	rq->prev = prev;
	this_cpu()->curr = next;
	arch_switch_to(prev, next);
	/* Back here as prev, maybe much later and on another CPU. */
	finish_task_switch();
	local_irq_restore(flags);
}

void schedule(void)
{
	__schedule(0);
}

/* Preemption: from the interrupt exit path and preempt_enable(). */
void preempt_schedule(void)
{
	__schedule(1);
}

void yield(void)
{
	schedule();
}

void preempt_check_resched(void)
{
	struct percpu *c = this_cpu();

	if (c->need_resched && !c->preempt_count && (read_rflags() & RFLAGS_IF) && c->curr)
		preempt_schedule();
}

/* The local timer interrupt: the time slice runs out, the wheel advances. */
void sched_tick(void)
{
	struct task *curr = current;
	struct rq *rq = this_rq();

	if (curr != rq->idle && curr->slice_ticks && !--curr->slice_ticks &&
	    __atomic_load_n(&rq->nr_queued, __ATOMIC_RELAXED))
		this_cpu()->need_resched = 1;
}

_Noreturn void cpu_idle(void)
{
	struct rq *rq = this_rq();

	for (;;) {
		cli();
		if (__atomic_load_n(&rq->nr_queued, __ATOMIC_RELAXED) || this_cpu()->need_resched) {
			sti();
			schedule();
			continue;
		}
		if (idle_poll) {
			sti();
			while (!__atomic_load_n(&this_cpu()->need_resched, __ATOMIC_ACQUIRE) &&
			       !__atomic_load_n(&rq->nr_queued, __ATOMIC_RELAXED))
				cpu_relax();
		} else {
			__asm__ volatile("sti; hlt" ::: "memory");	/* sti's shadow covers hlt */
		}
		if (local_softirq_pending())
			do_softirq();
	}
}

/* ---- kernel threads ---- */

static unsigned int pick_cpu(uint64_t allowed)
{
	unsigned int best = smp_processor_id(), best_load = ~0U;

	for (unsigned int c = 0; c < NR_CPUS; c++) {
		unsigned int load;

		if (!cpu_online(c) || !((allowed >> c) & 1))
			continue;
		load = __atomic_load_n(&cpu_rq(c)->nr_queued, __ATOMIC_RELAXED) +
		       (percpu_area[c].curr != cpu_rq(c)->idle);
		if (load < best_load) {
			best = c;
			best_load = load;
		}
	}
	return best;
}

struct task *kthread_create(int (*fn)(void *), void *arg, const char *name, int cpu)
{
	struct task *t = kthread_create_stopped(fn, arg, name, cpu >= 0 ? 1ULL << cpu : ~0ULL);

	if (t)
		wake_up_process(t);
	return t;
}

struct task *kthread_create_stopped(int (*fn)(void *), void *arg, const char *name, uint64_t cpus)
{
	struct task *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->kstack = kstack_alloc();
	if (!t->kstack) {
		free(t);
		return NULL;
	}
	task_init_common(t, name, 0);
	t->cpus_allowed = cpus;
	t->cpu = pick_cpu(t->cpus_allowed);
	t->state = TASK_UNINTERRUPTIBLE;
	get_task(t);		/* the creator's reference, dropped by kthread_join */
	arch_task_init(t, fn, arg);
	return t;
}

_Noreturn void kthread_exit(int code)
{
	struct task *t = current;

	t->exit_code = code;
	/* Under exit_wait.lock, so a joiner checks the state and sleeps atomically. */
	uint64_t f = spin_lock_irqsave(&t->exit_wait.lock);

	__atomic_store_n(&t->state, TASK_DEAD, __ATOMIC_RELEASE);
	__wake_up_locked(&t->exit_wait, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE, 0, NULL);
	spin_unlock_irqrestore(&t->exit_wait.lock, f);
	schedule();
	panic("kthread_exit: dead task '%s' scheduled again", t->comm);
}

int kthread_join(struct task *t)
{
	int code;

	wait_event(&t->exit_wait, __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == TASK_DEAD);
	/*
	 * It may still be switching away: its stack is in use until on_cpu
	 * clears, and the scheduler drops its reference just after that, in
	 * finish_task_switch on that CPU. Wait for both, so the task is freed
	 * here and a caller that counts pages (the selftests) sees them back.
	 */
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&t->refcount, __ATOMIC_ACQUIRE) > 1)
		cpu_relax();
	code = t->exit_code;
	put_task(t);
	return code;
}

int set_cpus_allowed(struct task *p, uint64_t mask)
{
	uint64_t flags, online = cpu_online_mask;
	struct rq *rq;

	if (!(mask & online))
		return -22;	/* -EINVAL: no online CPU in the mask */
	rq = task_rq_lock(p, &flags);
	p->cpus_allowed = mask;
	if (!((mask >> p->cpu) & 1)) {
		unsigned int to = pick_cpu(mask & online);

		if (p->on_rq && !p->on_cpu && !list_empty(&p->run_list)) {
			list_del_init(&p->run_list);	/* queued here, not running: move now */
			rq->nr_queued--;
			p->on_rq = 0;
			__atomic_store_n(&p->cpu, to, __ATOMIC_RELEASE);
			spin_unlock_irqrestore(&rq->lock, flags);
			rq = task_rq_lock(p, &flags);
			enqueue_task(rq, p);
			check_preempt(rq, p);
		} else {
			/* running (moves at its next switch) or asleep (wakes there) */
			__atomic_store_n(&p->cpu, to, __ATOMIC_RELEASE);
			if (p == current)
				this_cpu()->need_resched = 1;
		}
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	if (p == current)
		preempt_check_resched();
	return 0;
}

void sched_cpu_times(unsigned int cpu, struct cpu_times *t)
{
	struct rq *rq = cpu_rq(cpu);

	uint64_t running = rdtsc() - rq->last_switch;	/* the interval in progress */
	int idle = percpu_area[cpu].curr == rq->idle;
	uint64_t sirq_idle = percpu_area[cpu].softirq_idle_cycles;

	/* Softirq work done while the idle task was current is busy time too. */
	t->busy = rq->busy_cycles + (idle ? 0 : running) + sirq_idle;
	t->idle = rq->idle_cycles + (idle ? running : 0);
	t->idle = t->idle > sirq_idle ? t->idle - sirq_idle : 0;
	t->softirq = percpu_area[cpu].softirq_cycles;
	t->nr_switches = rq->nr_switches;
}
