/*
 * futex(2), FUTEX_WAIT and FUTEX_WAKE (private or shared alike: there is
 * one address space). Waiters hash by address into buckets of wait
 * queues; the key passed to __wake_up is the address, and each waiter's
 * wake function skips wakeups for other addresses that share its bucket,
 * as Linux's futex_hash_bucket does with its own list.
 */
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/sys.h>
#include <kernel/timer.h>
#include <kernel/uaccess.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_HASH_BITS 8

static struct wait_queue_head buckets[1 << FUTEX_HASH_BITS];
static int buckets_ready;	/* [a] */
DEFINE_SPINLOCK(futex_init_lock);

struct kernel_timespec {	/* Linux's x86-64 layout */
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct futex_waiter {
	struct wait_queue_entry wq;
	uint64_t key;
	int woken;		/* [bucket lock] */
};

static struct wait_queue_head *bucket(uint64_t uaddr)
{
	if (!__atomic_load_n(&buckets_ready, __ATOMIC_ACQUIRE)) {
		spin_lock(&futex_init_lock);
		if (!buckets_ready) {
			for (unsigned int i = 0; i < (1u << FUTEX_HASH_BITS); i++)
				init_waitqueue_head(&buckets[i]);
			__atomic_store_n(&buckets_ready, 1, __ATOMIC_RELEASE);
		}
		spin_unlock(&futex_init_lock);
	}
	return &buckets[((uaddr >> 2) * 0x9e3779b97f4a7c15ULL) >> (64 - FUTEX_HASH_BITS)];
}

/* Runs under the bucket lock: only waiters on this very address count. */
static int futex_wake_fn(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	struct futex_waiter *w = (struct futex_waiter *)e;

	(void)mode;
	(void)flags;
	if (w->key != (uint64_t)(uintptr_t)key)
		return 0;
	w->woken = 1;
	list_del_init(&e->entry);
	wake_up_process(e->private);
	return 1;
}

long futex_wake(uint64_t uaddr, int n)
{
	struct wait_queue_head *b = bucket(uaddr);
	struct list_head *pos, *tmp;
	uint64_t f = spin_lock_irqsave(&b->lock);
	int woken = 0;

	list_for_each_safe(pos, tmp, &b->head) {
		struct wait_queue_entry *e = list_entry(pos, struct wait_queue_entry, entry);

		if (woken >= n)
			break;
		woken += e->func(e, 0, 0, (void *)(uintptr_t)uaddr);
	}
	spin_unlock_irqrestore(&b->lock, f);
	return woken;
}

static long futex_wait(uint64_t uaddr, int val, const struct kernel_timespec *rel)
{
	struct wait_queue_head *b = bucket(uaddr);
	struct futex_waiter w = { .key = uaddr };
	int64_t timeout = -1;
	uint64_t f;

	if (rel) {
		if (!access_ok(rel, sizeof(*rel)) || rel->tv_sec < 0 || rel->tv_nsec < 0 ||
		    rel->tv_nsec >= 1000000000)
			return rel && !access_ok(rel, sizeof(*rel)) ? -EFAULT : -EINVAL;
		timeout = (int64_t)msecs_to_jiffies((uint64_t)rel->tv_sec * 1000 +
						    (uint64_t)(rel->tv_nsec + 999999) / 1000000);
	}
	init_waitqueue_func_entry(&w.wq, futex_wake_fn);
	w.wq.private = current;
	f = spin_lock_irqsave(&b->lock);
	/* Compare under the bucket lock: a waker changes the word, then takes it. */
	if (__atomic_load_n((int *)uaddr, __ATOMIC_SEQ_CST) != val) {
		spin_unlock_irqrestore(&b->lock, f);
		return -EAGAIN;
	}
	list_add_tail(&w.wq.entry, &b->head);
	__atomic_store_n(&current->state, TASK_INTERRUPTIBLE, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&b->lock, f);
	if (timeout >= 0)
		schedule_timeout(timeout + 1);	/* the current jiffy is partly gone: never early, as msleep */
	else
		schedule();
	__atomic_store_n(&current->state, TASK_RUNNING, __ATOMIC_SEQ_CST);
	f = spin_lock_irqsave(&b->lock);
	if (!w.woken)
		list_del_init(&w.wq.entry);
	spin_unlock_irqrestore(&b->lock, f);
	return w.woken ? 0 : -ETIMEDOUT;
}

long sys_futex(long uaddr, long op, long val, long timeout, long uaddr2, long val3)
{
	(void)uaddr2;
	(void)val3;
	if (uaddr & 3)
		return -EINVAL;		/* as Linux: futex words are aligned */
	if (!access_ok((void *)uaddr, sizeof(int)))
		return -EFAULT;
	switch (op & ~FUTEX_PRIVATE_FLAG) {
	case FUTEX_WAIT:
		return futex_wait((uint64_t)uaddr, (int)val, (const struct kernel_timespec *)timeout);
	case FUTEX_WAKE:
		return val < 0 ? -EINVAL : futex_wake((uint64_t)uaddr, (int)val);
	default:
		return -ENOSYS;
	}
}
