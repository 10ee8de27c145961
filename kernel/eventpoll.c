/*
 * epoll, after Linux's fs/eventpoll.c (the 5.x design: ovflist, exclusive
 * sleepers, EPOLLEXCLUSIVE). Interface and LOCKING are in eventpoll.h.
 *  - epoll_create1/epoll_create: a file with a new struct eventpoll;
 *  - epoll_ctl (do_epoll_ctl): ep_insert / ep_modify / ep_remove under
 *    ep->mtx; ep_insert hooks ep_poll_callback on the target's wait queue
 *    through the target's f_op->poll (ep_item_poll with a poll table);
 *  - epoll_wait/epoll_pwait (do_epoll_wait → ep_poll): ep_send_events
 *    copies what is ready, sleeping exclusively on ep->wq when nothing is;
 *  - eventpoll_release: a closing file leaves every set (file.c's fput).
 * Callers: the syscall table, fput. Calls: f_op->poll (net/socket.c),
 * the wait-queue API. Portable: the sleeping in ep_poll is the only
 * kernel-only part; the rest is unit-tested on the host.
 *
 * Not modelled: nesting (an epoll fd inside an epoll set is refused with
 * EINVAL rather than loop-checked), EPOLLWAKEUP (ignored: no suspend),
 * signals (epoll_pwait's mask is checked and otherwise ignored: Squall
 * delivers none).
 */
#include <kernel/eventpoll.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/poll.h>
#include <kernel/slab.h>
#include <kernel/uaccess.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* epoll items come and go with every connection a server adds: recycled per CPU. */
static struct kmem_cache epitem_cache = KMEM_CACHE_INIT("epitem", sizeof(struct epitem));

/* Linux's: an epitem not on ovflist points here, so NULL can end the chain. */
#define EP_UNACTIVE_PTR ((struct epitem *)-1L)
/* The bits epoll keeps for itself; an item with nothing else is disarmed (ONESHOT). */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLINOUT_BITS (EPOLLIN | EPOLLOUT)
#define EPOLLEXCLUSIVE_OK_BITS (EPOLLINOUT_BITS | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | \
				EPOLLEXCLUSIVE)
/* No signals here: wakeups reach interruptible and uninterruptible sleepers alike. */
#define TASK_NORMAL 3
#define SIGSET_SIZE 8		/* Linux's kernel sigset_t on x86-64 */

static DEFINE_LOCK_CLASS(ep_mtx_class, "ep_mtx");
static DEFINE_LOCK_CLASS(ep_lock_class, "ep_lock");
/* Its own class: ep->wq.lock nests inside ep->lock, which nests inside other wait queues' locks. */
static DEFINE_LOCK_CLASS(ep_wq_class, "ep_wq");
/* Linux's epmutex: closing a watched file and closing an epoll set must not meet mid-way. */
DEFINE_SPINLOCK(epmutex);

static const struct file_operations eventpoll_fops;

int is_file_epoll(const struct file *f)
{
	return f->f_op == &eventpoll_fops;
}

/* ---- the interest set: a red-black tree keyed by (file, fd) ---- */

static int ep_cmp_ffd(const struct epoll_filefd *a, const struct epoll_filefd *b)
{
	if (a->file != b->file)
		return (uintptr_t)a->file > (uintptr_t)b->file ? 1 : -1;
	return a->fd - b->fd;
}

/* Caller holds ep->mtx. */
static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epoll_filefd key = { f, fd };
	struct rb_node *n = ep->rbr.rb_node;

	while (n) {
		struct epitem *epi = rb_entry(n, struct epitem, rbn);
		int c = ep_cmp_ffd(&key, &epi->ffd);

		if (!c)
			return epi;
		n = c > 0 ? n->rb_right : n->rb_left;
	}
	return NULL;
}

static void ep_rbtree_insert(struct eventpoll *ep, struct epitem *epi)
{
	struct rb_node **link = &ep->rbr.rb_node, *parent = NULL;

	while (*link) {
		struct epitem *cur = rb_entry(*link, struct epitem, rbn);

		parent = *link;
		link = ep_cmp_ffd(&epi->ffd, &cur->ffd) > 0 ? &parent->rb_right : &parent->rb_left;
	}
	rb_link_node(&epi->rbn, parent, link);
	rb_insert_color(&epi->rbn, &ep->rbr);
}

/* ---- the ready side ---- */

static int ep_is_linked(const struct epitem *epi)
{
	return !list_empty(&epi->rdllink);
}

/* Caller holds ep->lock. Linux's waitqueue_active: a racy peek, rechecked by the sleeper. */
static int ep_has_sleepers(struct eventpoll *ep)
{
	return !list_empty(&ep->wq.head);
}

static int ep_events_available(struct eventpoll *ep)
{
	uint64_t f = spin_lock_irqsave(&ep->lock);
	int avail = !list_empty(&ep->rdllist) || ep->ovflist != EP_UNACTIVE_PTR;

	spin_unlock_irqrestore(&ep->lock, f);
	return avail;
}

/*
 * The target's wait queue was woken with @key (an EPOLL* mask, or 0 for
 * "anything"): queue the epitem as ready and wake one epoll_wait sleeper.
 * Any context; the target's wq->lock is held, which is what makes
 * ep_unregister_pollwait wait for us before the epitem is freed.
 *
 * The return value is what __wake_up_common counts against its exclusive
 * budget. For an EPOLLEXCLUSIVE item, as Linux: 1 only if this set had a
 * sleeper to take the event, so a set nobody waits on passes the wakeup to
 * the next exclusive entry (another set, an accept()er).
 */
static int ep_poll_callback(struct wait_queue_entry *wait, unsigned int mode, int sync, void *key)
{
	struct epitem *epi = container_of(wait, struct epitem, pwq.wait);
	struct eventpoll *ep = epi->ep;
	unsigned int pollflags = (unsigned int)(uintptr_t)key;
	int ewake = 0;
	uint64_t f;

	(void)mode;
	(void)sync;
	f = spin_lock_irqsave(&ep->lock);
	if (!(epi->event.events & ~EP_PRIVATE_BITS))
		goto out;	/* ONESHOT, already delivered: disarmed until EPOLL_CTL_MOD */
	if (pollflags && !(pollflags & epi->event.events))
		goto out;
	if (ep->ovflist != EP_UNACTIVE_PTR) {
		/* A scan owns rdllist; ep_done_scan moves us over. */
		if (epi->next == EP_UNACTIVE_PTR) {
			epi->next = ep->ovflist;
			ep->ovflist = epi;
		}
	} else if (!ep_is_linked(epi)) {
		list_add_tail(&epi->rdllink, &ep->rdllist);
	}
	if (ep_has_sleepers(ep)) {
		if (epi->event.events & EPOLLEXCLUSIVE) {
			switch (pollflags & EPOLLINOUT_BITS) {
			case EPOLLIN:
				ewake = !!(epi->event.events & EPOLLIN);
				break;
			case EPOLLOUT:
				ewake = !!(epi->event.events & EPOLLOUT);
				break;
			case 0:
				ewake = 1;
				break;
			}
		}
		__wake_up(&ep->wq, TASK_NORMAL, 1, NULL);
	}
out:
	spin_unlock_irqrestore(&ep->lock, f);
	if (!(epi->event.events & EPOLLEXCLUSIVE))
		ewake = 1;
	return ewake;
}

struct ep_pqueue {
	poll_table pt;
	struct epitem *epi;
};

/* ep_insert's poll table: the target names its wait queue; hang the callback on it. */
static void ep_ptable_queue_proc(struct file *f, struct wait_queue_head *whead, poll_table *pt)
{
	struct epitem *epi = container_of(pt, struct ep_pqueue, pt)->epi;

	(void)f;
	if (epi->nwait) {
		epi->nwait = -1;	/* a second queue: one entry per epitem here */
		return;
	}
	init_waitqueue_func_entry(&epi->pwq.wait, ep_poll_callback);
	epi->pwq.whead = whead;
	if (epi->event.events & EPOLLEXCLUSIVE)
		add_wait_queue_exclusive(whead, &epi->pwq.wait);
	else
		add_wait_queue(whead, &epi->pwq.wait);
	epi->nwait = 1;
}

/* The target's mask now, limited to what the item asks for (plus ERR/HUP, always asked). */
static unsigned int ep_item_poll(const struct epitem *epi, poll_table *pt)
{
	struct file *f = epi->ffd.file;

	return f->f_op->poll(f, pt) & epi->event.events;
}

/* Caller holds ep->mtx. After this, no callback runs or will run for @epi. */
static void ep_unregister_pollwait(struct epitem *epi)
{
	if (epi->pwq.whead) {
		remove_wait_queue(epi->pwq.whead, &epi->pwq.wait);
		epi->pwq.whead = NULL;
	}
	epi->nwait = 0;
}

/* Caller holds ep->mtx (and no scan runs: scans hold it too). Frees @epi. */
static void ep_remove(struct eventpoll *ep, struct epitem *epi)
{
	struct file *f = epi->ffd.file;
	uint64_t fl;

	ep_unregister_pollwait(epi);
	spin_lock(&f->f_lock);
	list_del_init(&epi->fllink);
	spin_unlock(&f->f_lock);
	rb_erase(&epi->rbn, &ep->rbr);
	fl = spin_lock_irqsave(&ep->lock);
	if (ep_is_linked(epi))
		list_del_init(&epi->rdllink);
	spin_unlock_irqrestore(&ep->lock, fl);
	kmem_cache_free(&epitem_cache, epi);
}

/* Caller holds ep->lock. Queue @epi as ready and wake a sleeper. */
static void ep_queue_ready(struct eventpoll *ep, struct epitem *epi)
{
	if (!ep_is_linked(epi)) {
		list_add_tail(&epi->rdllink, &ep->rdllist);
		if (ep_has_sleepers(ep))
			__wake_up(&ep->wq, TASK_NORMAL, 1, NULL);
	}
}

/* Caller holds ep->mtx; @epi is preallocated (nothing allocates under mtx). */
static int ep_insert(struct eventpoll *ep, const struct epoll_event *event, struct file *tf,
		     int fd, struct epitem *epi)
{
	struct ep_pqueue epq = { .pt = { ep_ptable_queue_proc, event->events }, .epi = epi };
	unsigned int revents;
	uint64_t fl;

	memset(epi, 0, sizeof(*epi));
	INIT_LIST_HEAD(&epi->rdllink);
	INIT_LIST_HEAD(&epi->fllink);
	epi->next = EP_UNACTIVE_PTR;
	epi->ffd.file = tf;
	epi->ffd.fd = fd;
	epi->ep = ep;
	epi->event = *event;

	spin_lock(&tf->f_lock);
	list_add_tail(&epi->fllink, &tf->f_ep);
	spin_unlock(&tf->f_lock);
	ep_rbtree_insert(ep, epi);

	revents = ep_item_poll(epi, &epq.pt);
	if (epi->nwait < 0) {
		ep_remove(ep, epi);	/* frees it */
		return -ENOMEM;
	}
	if (revents) {
		fl = spin_lock_irqsave(&ep->lock);
		ep_queue_ready(ep, epi);
		spin_unlock_irqrestore(&ep->lock, fl);
	}
	return 0;
}

/* Caller holds ep->mtx. New events re-arm a ONESHOT item; ready now means queued now. */
static int ep_modify(struct eventpoll *ep, struct epitem *epi, const struct epoll_event *event)
{
	uint64_t fl = spin_lock_irqsave(&ep->lock);

	epi->event = *event;
	spin_unlock_irqrestore(&ep->lock, fl);
	if (ep_item_poll(epi, NULL)) {
		fl = spin_lock_irqsave(&ep->lock);
		ep_queue_ready(ep, epi);
		spin_unlock_irqrestore(&ep->lock, fl);
	}
	return 0;
}

/* ---- delivering events ---- */

/* Caller holds ep->mtx: take rdllist private; callbacks go to ovflist meanwhile. */
static void ep_start_scan(struct eventpoll *ep, struct list_head *txlist)
{
	uint64_t f = spin_lock_irqsave(&ep->lock);

	list_splice_init(&ep->rdllist, txlist);
	ep->ovflist = NULL;
	spin_unlock_irqrestore(&ep->lock, f);
}

/* Caller holds ep->mtx: what arrived during the scan and what it left go back on rdllist. */
static void ep_done_scan(struct eventpoll *ep, struct list_head *txlist)
{
	uint64_t f = spin_lock_irqsave(&ep->lock);
	struct epitem *epi, *nepi;

	for (epi = ep->ovflist; epi && epi != EP_UNACTIVE_PTR; epi = nepi) {
		nepi = epi->next;
		epi->next = EP_UNACTIVE_PTR;
		if (!ep_is_linked(epi))
			list_add_tail(&epi->rdllink, &ep->rdllist);
	}
	ep->ovflist = EP_UNACTIVE_PTR;
	list_splice_init(txlist, &ep->rdllist);
	/* Another sleeper may take what this caller had no room for. */
	if (!list_empty(&ep->rdllist) && ep_has_sleepers(ep))
		__wake_up(&ep->wq, TASK_NORMAL, 1, NULL);
	spin_unlock_irqrestore(&ep->lock, f);
}

/*
 * Copy up to @maxevents ready events to @uevents (checked by the caller).
 * Each ready item is polled again: a wakeup only says "look", the mask
 * now says what to report. Level-triggered items go back on rdllist, so
 * the next epoll_wait polls them again and drops them once not ready;
 * EPOLLET items do not; EPOLLONESHOT items are disarmed.
 */
static int ep_send_events(struct eventpoll *ep, struct epoll_event *uevents, int maxevents)
{
	struct list_head txlist;
	int res = 0;

	INIT_LIST_HEAD(&txlist);
	spin_lock(&ep->mtx);
	ep_start_scan(ep, &txlist);
	while (!list_empty(&txlist) && res < maxevents) {
		struct epitem *epi = list_first_entry(&txlist, struct epitem, rdllink);
		struct epoll_event ev;
		unsigned int revents;

		list_del_init(&epi->rdllink);
		revents = ep_item_poll(epi, NULL);
		if (!revents)
			continue;
		ev.events = revents;
		ev.data = epi->event.data;
		memcpy(&uevents[res++], &ev, sizeof(ev));
		if (epi->event.events & EPOLLONESHOT) {
			uint64_t f = spin_lock_irqsave(&ep->lock);

			epi->event.events &= EP_PRIVATE_BITS;
			spin_unlock_irqrestore(&ep->lock, f);
		} else if (!(epi->event.events & EPOLLET)) {
			/* No lock: during the scan rdllist is ours (callbacks use ovflist). */
			list_add_tail(&epi->rdllink, &ep->rdllist);
		}
	}
	ep_done_scan(ep, &txlist);
	spin_unlock(&ep->mtx);
	return res;
}

enum { EP_TIMED_OUT, EP_WOKEN, EP_NO_SLEEP };

#ifndef SQUALL_HOSTED
#include <kernel/sched.h>
#include <kernel/timer.h>

/*
 * Sleep on ep->wq until a callback wakes us or *@left jiffies pass
 * (LONG_MAX: no limit). Exclusive, as Linux's ep_poll: one ready event
 * wakes one thread of those waiting on this set. Returns EP_WOKEN,
 * EP_NO_SLEEP (events came before we slept) or EP_TIMED_OUT.
 */
static int ep_wait_wakeup(struct eventpoll *ep, long *left)
{
	struct wait_queue_entry wait;
	int woken = EP_NO_SLEEP;

	init_waitqueue_entry(&wait, current);
	wait.func = autoremove_wake_function;
	prepare_to_wait_exclusive(&ep->wq, &wait, TASK_INTERRUPTIBLE);
	/* Queued before this check, so a callback from here on wakes us. */
	if (!ep_events_available(ep)) {
		woken = EP_WOKEN;
		if (*left == LONG_MAX)
			schedule();
		else if (!(*left = schedule_timeout(*left)))
			woken = EP_TIMED_OUT;
	}
	finish_wait(&ep->wq, &wait);
	return woken;
}

/* @timeout_ms < 0: forever. One extra jiffy, as futex: the sleep never ends early. */
static long ep_timeout_jiffies(long timeout_ms)
{
	return timeout_ms < 0 ? LONG_MAX : (long)msecs_to_jiffies((uint64_t)timeout_ms) + 1;
}
#else
/* The hosted build has one thread: nobody could wake us, so any wait times out at once. */
static int ep_wait_wakeup(struct eventpoll *ep, long *left)
{
	(void)ep;
	*left = 0;
	return EP_TIMED_OUT;
}

static long ep_timeout_jiffies(long timeout_ms)
{
	return timeout_ms ? 1 : 0;
}
#endif

/*
 * Linux's ep_poll: deliver what is ready; with nothing ready, sleep and
 * try again. A wakeup that finds nothing to deliver (another thread took
 * it, or the item stopped being ready) counts as spurious.
 */
static int ep_poll(struct eventpoll *ep, struct epoll_event *uevents, int maxevents,
		   long timeout_ms)
{
	long left = ep_timeout_jiffies(timeout_ms);
	int how = EP_NO_SLEEP;

	for (;;) {
		if (ep_events_available(ep)) {
			int res = ep_send_events(ep, uevents, maxevents);

			if (res)
				return res;
		}
		if (how == EP_WOKEN)
			wait_count_spurious();
		if (!left)
			return 0;
		how = ep_wait_wakeup(ep, &left);
		if (how == EP_TIMED_OUT)
			return 0;
	}
}

/* ---- the epoll file ---- */

/* Closing the epoll fd: unhook and free every item (Linux's ep_free). */
static int ep_eventpoll_release(struct file *f)
{
	struct eventpoll *ep = f->private_data;
	struct rb_node *n;

	spin_lock(&epmutex);
	spin_lock(&ep->mtx);
	while ((n = rb_first(&ep->rbr)) != NULL)
		ep_remove(ep, rb_entry(n, struct epitem, rbn));
	spin_unlock(&ep->mtx);
	spin_unlock(&epmutex);
	free(ep);
	return 0;
}

/*
 * An epoll fd is readable while events are queued (Linux's
 * ep_eventpoll_poll, without its re-poll of each item). No wait queue is
 * offered: sets do not nest here.
 */
static unsigned int ep_eventpoll_poll(struct file *f, poll_table *pt)
{
	(void)pt;
	return ep_events_available(f->private_data) ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations eventpoll_fops = {
	.poll = ep_eventpoll_poll,
	.release = ep_eventpoll_release,
};

/*
 * Linux checks f_ep without a lock; here f_lock is taken even for the
 * empty check, because ep_remove (from an epoll set closing on another
 * CPU) may still be unlocking f_lock when the list turns empty, and the
 * caller frees the file next.
 */
static struct epitem *file_first_epitem(struct file *f)
{
	struct epitem *epi = NULL;

	spin_lock(&f->f_lock);
	if (!list_empty(&f->f_ep))
		epi = list_first_entry(&f->f_ep, struct epitem, fllink);
	spin_unlock(&f->f_lock);
	return epi;
}

void eventpoll_release(struct file *f)
{
	struct epitem *epi;

	if (!file_first_epitem(f))
		return;
	/* Nothing adds to f_ep now (no references left); epmutex keeps ep_free away. */
	spin_lock(&epmutex);
	while ((epi = file_first_epitem(f)) != NULL) {
		struct eventpoll *ep = epi->ep;

		spin_lock(&ep->mtx);
		ep_remove(ep, epi);
		spin_unlock(&ep->mtx);
	}
	spin_unlock(&epmutex);
}

/* ---- system calls ---- */

static long do_epoll_create(int flags)
{
	struct eventpoll *ep;
	struct file *f;
	int fd;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	spin_lock_init(&ep->mtx, &ep_mtx_class);
	spin_lock_init(&ep->lock, &ep_lock_class);
	init_waitqueue_head(&ep->wq);
	spin_lock_init(&ep->wq.lock, &ep_wq_class);
	INIT_LIST_HEAD(&ep->rdllist);
	ep->ovflist = EP_UNACTIVE_PTR;
	ep->rbr = RB_ROOT;
	f = alloc_file(&eventpoll_fops, ep, 02 /* O_RDWR */ | (unsigned int)(flags & O_CLOEXEC));
	if (!f) {
		free(ep);
		return -ENOMEM;
	}
	ep->file = f;
	fd = fd_install_new(f);
	if (fd < 0)
		fput(f);	/* releases ep too */
	return fd;
}

/* The argument is an int in Linux: upper bits of the register are not looked at. */
long sys_epoll_create1(long flags)
{
	return do_epoll_create((int)flags);
}

/* Linux ignores size since 2.6.8 but still insists that it is positive. */
long sys_epoll_create(long size)
{
	if ((int)size <= 0)
		return -EINVAL;
	return do_epoll_create(0);
}

static int ep_op_has_event(int op)
{
	return op != EPOLL_CTL_DEL;
}

/* Linux's checks on the request itself, after both files are known; 0 or -EINVAL. */
static int ep_ctl_check(struct file *f, struct file *tf, int op, const struct epoll_event *epds)
{
	if (f == tf || !is_file_epoll(f))
		return -EINVAL;
	if (ep_op_has_event(op) && (epds->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD &&
		    (is_file_epoll(tf) || (epds->events & ~EPOLLEXCLUSIVE_OK_BITS)))
			return -EINVAL;
	}
	if (is_file_epoll(tf))
		return -EINVAL;	/* nesting is not supported (Linux would loop-check) */
	return 0;
}

/* Caller holds ep->mtx. @spare is a preallocated epitem that ADD may consume (then NULLed). */
static int ep_ctl_locked(struct eventpoll *ep, int op, struct file *tf, int fd,
			 struct epoll_event *epds, struct epitem **spare)
{
	struct epitem *epi = ep_find(ep, tf, fd);
	int err;

	switch (op) {
	case EPOLL_CTL_ADD:
		if (epi)
			return -EEXIST;
		epds->events |= EPOLLERR | EPOLLHUP;
		err = ep_insert(ep, epds, tf, fd, *spare);
		*spare = NULL;	/* inserted, or freed by ep_insert's failure path */
		return err;
	case EPOLL_CTL_DEL:
		if (!epi)
			return -ENOENT;
		ep_remove(ep, epi);
		return 0;
	case EPOLL_CTL_MOD:
		if (!epi)
			return -ENOENT;
		if (epi->event.events & EPOLLEXCLUSIVE)
			return -EINVAL;
		epds->events |= EPOLLERR | EPOLLHUP;
		return ep_modify(ep, epi, epds);
	default:
		return -EINVAL;
	}
}

/* Linux's do_epoll_ctl, errors in its order; @epds is a kernel copy. */
static long do_epoll_ctl(int epfd, int op, int fd, struct epoll_event *epds)
{
	struct file *f, *tf;
	struct epitem *spare = NULL;
	long err;

	f = fget(epfd);
	if (!f)
		return -EBADF;
	tf = fget(fd);
	err = -EBADF;
	if (!tf)
		goto out_f;
	err = -EPERM;
	if (!tf->f_op->poll)
		goto out_tf;
	err = ep_ctl_check(f, tf, op, epds);
	if (err)
		goto out_tf;
	if (op == EPOLL_CTL_ADD && !(spare = kmem_cache_alloc(&epitem_cache))) {
		err = -ENOMEM;
		goto out_tf;
	}
	epds->events &= ~EPOLLWAKEUP;	/* no suspend here: nothing to keep awake */
	{
		struct eventpoll *ep = f->private_data;

		spin_lock(&ep->mtx);
		err = ep_ctl_locked(ep, op, tf, fd, epds, &spare);
		spin_unlock(&ep->mtx);
	}
	kmem_cache_free(&epitem_cache, spare);
out_tf:
	fput(tf);
out_f:
	fput(f);
	return err;
}

long sys_epoll_ctl(long epfd, long op, long fd, long event)
{
	struct epoll_event epds = { 0, 0 };

	if (ep_op_has_event((int)op)) {
		if (!access_ok((void *)event, sizeof(epds)))
			return -EFAULT;
		memcpy(&epds, (void *)event, sizeof(epds));
	}
	return do_epoll_ctl((int)epfd, (int)op, (int)fd, &epds);
}

static long do_epoll_wait(int epfd, struct epoll_event *events, int maxevents, long timeout)
{
	struct file *f;
	long ret;

	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	if (!access_ok(events, (size_t)maxevents * sizeof(*events)))
		return -EFAULT;
	f = fget(epfd);
	if (!f)
		return -EBADF;
	if (!is_file_epoll(f))
		ret = -EINVAL;
	else
		ret = ep_poll(f->private_data, events, maxevents, timeout);
	fput(f);
#ifndef SQUALL_HOSTED
	/* Woken with events: the stats endpoint's spurious-wakeup count (net/socket.c) */
	if (ret > 0)
		current->sock_accept_armed = 1;
#endif
	return ret;
}

long sys_epoll_wait(long epfd, long events, long maxevents, long timeout)
{
	return do_epoll_wait((int)epfd, (struct epoll_event *)events, (int)maxevents, (int)timeout);
}

/* Squall delivers no signals: the mask is checked as Linux checks it, then unused. */
long sys_epoll_pwait(long epfd, long events, long maxevents, long timeout, long sigmask,
		     long sigsetsize)
{
	if (sigmask) {
		if ((unsigned long)sigsetsize != SIGSET_SIZE)
			return -EINVAL;
		if (!access_ok((void *)sigmask, SIGSET_SIZE))
			return -EFAULT;
	}
	return sys_epoll_wait(epfd, events, maxevents, timeout);
}
