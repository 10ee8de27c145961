/*
 * Wait queues (kernel/sched/wait.c in Linux); see wait.h. The wakeup side
 * is portable and host-tested with custom wake functions; the sleeping
 * side (prepare_to_wait, finish_wait) needs the scheduler.
 */
#include <kernel/wait.h>
#include <kernel/percpu.h>

static DEFINE_LOCK_CLASS(waitqueue_class, "waitqueue");

void init_waitqueue_head(struct wait_queue_head *wq)
{
	spin_lock_init(&wq->lock, &waitqueue_class);
	INIT_LIST_HEAD(&wq->head);
}

void init_waitqueue_func_entry(struct wait_queue_entry *e, wait_queue_func_t func)
{
	e->flags = 0;
	e->private = NULL;
	e->func = func;
	INIT_LIST_HEAD(&e->entry);
}

void add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	uint64_t f = spin_lock_irqsave(&wq->lock);

	e->flags &= ~WQ_FLAG_EXCLUSIVE;
	list_add(&e->entry, &wq->head);
	spin_unlock_irqrestore(&wq->lock, f);
}

/* Exclusive waiters go last, so the non-exclusive ones ahead are all woken. */
void add_wait_queue_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	uint64_t f = spin_lock_irqsave(&wq->lock);

	e->flags |= WQ_FLAG_EXCLUSIVE;
	list_add_tail(&e->entry, &wq->head);
	spin_unlock_irqrestore(&wq->lock, f);
}

void remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	uint64_t f = spin_lock_irqsave(&wq->lock);

	list_del_init(&e->entry);
	spin_unlock_irqrestore(&wq->lock, f);
}

/*
 * __wake_up_common: a wake function returning nonzero for an exclusive
 * entry uses up one of @nr_exclusive; 0 means "no limit".
 */
void __wake_up_locked(struct wait_queue_head *wq, unsigned int mode, int nr_exclusive, void *key)
{
	struct list_head *pos, *n;

	list_for_each_safe(pos, n, &wq->head) {
		struct wait_queue_entry *e = list_entry(pos, struct wait_queue_entry, entry);
		unsigned int flags = e->flags;
		int ret = e->func(e, mode, 0, key);

		if (ret < 0)
			break;
		if (ret && (flags & WQ_FLAG_EXCLUSIVE) && !--nr_exclusive)
			break;
	}
}

void __wake_up(struct wait_queue_head *wq, unsigned int mode, int nr_exclusive, void *key)
{
	uint64_t f = spin_lock_irqsave(&wq->lock);

	__wake_up_locked(wq, mode, nr_exclusive, key);
	spin_unlock_irqrestore(&wq->lock, f);
}

int autoremove_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	int ret = default_wake_function(e, mode, flags, key);

	if (ret)
		list_del_init(&e->entry);
	return ret;
}

uint64_t wait_spurious_read(void)
{
	uint64_t sum = 0;

	for (unsigned int c = 0; c < NR_CPUS; c++)
		sum += percpu_area[c].wakeups_spurious;
	return sum;
}

#ifndef SQUALL_HOSTED
#include <kernel/sched.h>

void init_waitqueue_entry(struct wait_queue_entry *e, void *task)
{
	init_waitqueue_func_entry(e, default_wake_function);
	e->private = task;
}

int default_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	(void)flags;
	(void)key;
	return try_to_wake_up(e->private, mode);
}

/*
 * Queue first, then set the state: a wakeup between this and schedule()
 * sets us back to TASK_RUNNING and schedule() returns at once.
 */
static void __prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e,
			      int state, int exclusive)
{
	uint64_t f = spin_lock_irqsave(&wq->lock);

	if (list_empty(&e->entry)) {
		if (exclusive) {
			e->flags |= WQ_FLAG_EXCLUSIVE;
			list_add_tail(&e->entry, &wq->head);
		} else {
			e->flags &= ~WQ_FLAG_EXCLUSIVE;
			list_add(&e->entry, &wq->head);
		}
	}
	__atomic_store_n(&current->state, state, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&wq->lock, f);
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e, int state)
{
	__prepare_to_wait(wq, e, state, 0);
}

void prepare_to_wait_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e, int state)
{
	__prepare_to_wait(wq, e, state, 1);
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	__atomic_store_n(&current->state, TASK_RUNNING, __ATOMIC_SEQ_CST);
	if (!list_empty(&e->entry))
		remove_wait_queue(wq, e);
}

/* The waiter itself, after its wakeup: per CPU, and per task for the stats' workers. */
void wait_count_spurious(void)
{
	this_cpu()->wakeups_spurious++;
	current->wait_spurious++;
}
#else
/* Hosted: no tasks, only the CPU's count. */
void wait_count_spurious(void)
{
	this_cpu()->wakeups_spurious++;
}
#endif
