/*
 * Threads and the scheduler (Linux's task_struct, schedule(),
 * try_to_wake_up(), simplified: round robin per CPU, no load balancing).
 *
 * Every CPU has its own run queue (sched.c: runqueues[cpu]); a task sits
 * on the queue of task->cpu. Tasks move between CPUs only when their
 * affinity changes: set_cpus_allowed() picks a new CPU, and the task moves
 * when it is next switched out. A wakeup of a task that belongs to another
 * CPU queues it there and sends that CPU a RESCHEDULE IPI.
 *
 * Locking: rq->lock guards the queue and the queued tasks' scheduling
 * fields; it is held across the context switch and released by the next
 * task (finish_task_switch), as in Linux. Lock order: rq->lock of the lower
 * CPU number first when two are needed; a wait queue's lock before any
 * rq->lock (wakeups are called under it).
 */
#ifndef SQUALL_SCHED_H
#define SQUALL_SCHED_H

#include <stdint.h>
#include <reent.h>
#include <kernel/list.h>
#include <kernel/percpu.h>
#include <kernel/spinlock.h>
#include <kernel/wait.h>

struct trapframe;

#define KSTACK_PAGES 4			/* 16 KiB kernel stack per task */
#define TASK_COMM_LEN 16

enum {
	TASK_RUNNING = 0,
	TASK_INTERRUPTIBLE = 1,
	TASK_UNINTERRUPTIBLE = 2,
	TASK_DEAD = 64,
};

struct task {
	/* Saved while switched out; owned by whoever runs or switches it. */
	uint64_t ksp;			/* kernel stack pointer */
	uint8_t fpu[512] __attribute__((aligned(16)));	/* fxsave image */
	uint64_t fs_base;		/* user TLS (arch_prctl) */

	/* Scheduling: [rq] = rq->lock of runqueues[cpu]. */
	volatile long state;		/* [a] TASK_*; set by self, or by a waker under [rq] */
	unsigned int cpu;		/* [rq] the queue it belongs to */
	uint64_t cpus_allowed;		/* [rq] affinity mask */
	int on_rq;			/* [rq] queued or running: a wakeup need not queue it */
	volatile int on_cpu;		/* [a] a CPU is running it or switching away */
	struct list_head run_list;	/* [rq] */
	unsigned int slice_ticks;	/* [o] ticks left in its time slice */

	/* Identity and lifetime. */
	int tid;			/* [I] */
	char comm[TASK_COMM_LEN];	/* [I] */
	uint8_t *kstack;		/* [I] KSTACK_PAGES pages */
	int refcount;			/* [a] the scheduler's one, plus joiners' */
	int exit_code;			/* [I] once state is TASK_DEAD */
	struct wait_queue_head exit_wait;	/* woken when it dies */
	struct _reent reent;		/* newlib state of kernel code running here */

	/* Ring 3 (user threads only). */
	int is_user;			/* [I] */
	struct list_head thread_list;	/* [app_threads_lock] fork.c's registry */
	struct trapframe *user_tf;	/* [o] frame of the system call in progress */
	uint64_t clear_child_tid;	/* [o] CLONE_CHILD_CLEARTID / set_tid_address */

	uint64_t run_cycles;		/* [o] TSC cycles spent running */
	uint64_t nr_switches;		/* [o] times switched in */

	/*
	 * The stats endpoint's "workers" (net/socket.c, kernel/wait.c): [t]
	 * written only by the task itself, in its own system calls; the
	 * endpoint reads them racily under app_threads_lock (fork.c).
	 */
	uint64_t wait_spurious;		/* [t] woken with nothing to do (wait_count_spurious) */
	uint64_t sock_accept_calls;	/* [t] accept()/accept4() calls on a socket: it is a worker */
	uint8_t sock_listen_watch;	/* [t] added a listener to an epoll set: a worker too */
	uint64_t sock_accepts;		/* [t] accept()/accept4() that returned a connection */
	uint64_t sock_accept_spurious;	/* [t] first accepts after an epoll wakeup that found nothing */
	uint8_t sock_accept_armed;	/* [t] epoll_wait returned events, no accept() since */
	uint64_t sock_handled;		/* [t] accepted sockets this task closed */
	uint64_t sock_errors;		/* [t] of those, connections that ended by a reset or error */
};

static inline struct task *get_current(void)
{
	return this_cpu()->curr;
}
#define current get_current()

/* preempt_count layout (Linux): preemption, softirq and hardirq nesting. */
#define SOFTIRQ_OFFSET (1 << 8)
#define HARDIRQ_OFFSET (1 << 16)
#define SOFTIRQ_MASK (0xff << 8)
#define HARDIRQ_MASK (0xff << 16)

static inline int in_interrupt(void)
{
	return this_cpu()->preempt_count & (SOFTIRQ_MASK | HARDIRQ_MASK);
}

static inline int in_irq(void)
{
	return this_cpu()->preempt_count & HARDIRQ_MASK;
}

void sched_init(void);			/* boot CPU, once: turns kmain into cpu0's idle task */
void sched_init_cpu(unsigned int cpu);	/* every CPU: its runqueue, and this context as its idle task */
_Noreturn void cpu_idle(void);		/* the idle loop: hlt, or spin with idle=poll */
void sched_tick(void);			/* from the local timer interrupt */

void schedule(void);
void preempt_schedule(void);		/* preempted, not sleeping: stays queued */
int wake_up_process(struct task *p);	/* 1 if it was asleep */
int try_to_wake_up(struct task *p, unsigned int state_mask);
void yield(void);
void set_need_resched(unsigned int cpu);
void preempt_check_resched(void);	/* reschedule now if it is due and allowed */

/* Kernel threads. @cpu < 0: any CPU (the least loaded). Returns NULL when out of memory. */
struct task *kthread_create(int (*fn)(void *), void *arg, const char *name, int cpu);
/* The same, not yet woken (wake_up_process starts it), allowed on @cpus. */
struct task *kthread_create_stopped(int (*fn)(void *), void *arg, const char *name, uint64_t cpus);
_Noreturn void kthread_exit(int code);
int kthread_join(struct task *t);	/* waits for it to exit, returns its code, drops our reference */

/* Affinity: move @p to a CPU in @mask (it switches over at its next reschedule). */
int set_cpus_allowed(struct task *p, uint64_t mask);

void get_task(struct task *t);
void put_task(struct task *t);

/* Call @fn on every app thread, under app_threads_lock (irqs off): @fn must not sleep. */
void for_each_app_thread(void (*fn)(struct task *t, void *arg), void *arg);

/* Accounting (stats, benchmarks): cycles since boot on @cpu. */
struct cpu_times {
	uint64_t busy, idle, softirq;	/* softirq is part of busy, wherever it ran */
	uint64_t nr_switches;
};
void sched_cpu_times(unsigned int cpu, struct cpu_times *t);

/* Architecture side (kernel/arch/x86/switch.c). */
void arch_task_init(struct task *t, int (*fn)(void *), void *arg);
void arch_switch_to(struct task *prev, struct task *next);

#endif
