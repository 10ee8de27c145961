/*
 * epoll (Linux's fs/eventpoll.c and include/uapi/linux/eventpoll.h): an
 * epoll instance is a file whose private_data is a struct eventpoll. It
 * keeps the interest set (one epitem per watched (file, fd), in a red-black
 * tree) and the ready list. Each epitem hangs a wait entry on its target's
 * wait queue (a socket's sk_wq); a wakeup there runs ep_poll_callback,
 * which queues the epitem as ready and wakes one epoll_wait sleeper.
 *
 * LOCKING (outermost first; the full walk is in docs/ARCHITECTURE.md):
 *   epmutex        global; eventpoll_release against ep_free (process)
 *   ep->mtx        Linux's mutex; a spinlock here, nothing under it
 *                  sleeps (process)
 *   file->f_lock   a target's f_ep list (process)
 *   wq->lock       the target's wait queue, irqsave (any context)
 *   ep->lock       rdllist, ovflist, the ready side of each epitem,
 *                  irqsave: ep_poll_callback runs in softirq on any CPU
 *   ep->wq.lock    epoll_wait sleepers (any context)
 * Field tags: [mtx], [lock], [f_lock], [wq] (the target wait queue's
 * lock), [I] immutable after creation.
 */
#ifndef SQUALL_EVENTPOLL_H
#define SQUALL_EVENTPOLL_H

#include <stdint.h>
#include <kernel/list.h>
#include <kernel/poll.h>
#include <kernel/rbtree.h>
#include <kernel/spinlock.h>
#include <kernel/wait.h>

/* Linux's values; the readiness bits themselves are in kernel/poll.h. */
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLL_CLOEXEC 02000000

/* Linux packs it on x86-64 so 32-bit and 64-bit layouts agree: 12 bytes. */
struct epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct epoll_event) == 12, "Linux x86-64 struct epoll_event");

/* Linux's EP_MAX_EVENTS: the most one epoll_wait may ask for. */
#define EP_MAX_EVENTS (0x7fffffff / (int)sizeof(struct epoll_event))

struct file;
struct eventpoll;

struct epoll_filefd {
	struct file *file;
	int fd;
};

/* An epitem's hook on its target's wait queue (one: Squall's files have one queue each). */
struct eppoll_entry {
	struct wait_queue_entry wait;	/* [wq] func = ep_poll_callback */
	struct wait_queue_head *whead;	/* [mtx] the queue it is on, NULL if none */
};

/* One watched (file, fd) in one epoll set. */
struct epitem {
	struct rb_node rbn;		/* [mtx] in ep->rbr */
	struct list_head rdllink;	/* [lock] on rdllist (or a scan's txlist) */
	struct epitem *next;		/* [lock] ovflist chain; EP_UNACTIVE_PTR when off it */
	struct epoll_filefd ffd;	/* [I] the key */
	struct eventpoll *ep;		/* [I] */
	struct list_head fllink;	/* [f_lock] on ffd.file->f_ep */
	struct eppoll_entry pwq;
	int nwait;			/* [mtx] wait queues hooked: 0, 1, or -1 (failed) */
	/* Written under mtx and lock; read under either (the callback: lock). */
	struct epoll_event event;
};

struct eventpoll {
	struct spinlock mtx;		/* serialises ctl, ep_send_events and ep_free */
	struct spinlock lock;		/* irqsave: guards the ready side below */
	struct wait_queue_head wq;	/* epoll_wait sleepers, exclusive */
	struct list_head rdllist;	/* [lock] ready epitems */
	/*
	 * [lock] While ep_send_events scans (rdllist taken private), callbacks
	 * chain ready epitems here; EP_UNACTIVE_PTR when no scan runs.
	 */
	struct epitem *ovflist;
	struct rb_root rbr;		/* [mtx] the interest set, by (file, fd) */
	struct file *file;		/* [I] the epoll file */
};

/*
 * The last fput of @f: take it out of every epoll set (before its release
 * frees the wait queue the epitems hang on). Process context.
 */
void eventpoll_release(struct file *f);
int is_file_epoll(const struct file *f);

/* The system calls (Linux numbers 213, 232, 233, 281, 291). */
long sys_epoll_create(long size);
long sys_epoll_create1(long flags);
long sys_epoll_ctl(long epfd, long op, long fd, long event);
long sys_epoll_wait(long epfd, long events, long maxevents, long timeout);
long sys_epoll_pwait(long epfd, long events, long maxevents, long timeout, long sigmask,
		     long sigsetsize);

#endif
