/*
 * The poll table (Linux's include/linux/poll.h): how a file's poll
 * operation tells a poller which wait queue will signal a change in its
 * readiness. f_op->poll(file, pt) calls poll_wait(file, wq, pt) for its
 * wait queue, then returns the EPOLL* mask it has now. epoll passes a
 * table whose _qproc hooks an epitem's wait entry on that queue
 * (ep_ptable_queue_proc); a plain "what is ready now" caller passes NULL.
 */
#ifndef SQUALL_POLL_H
#define SQUALL_POLL_H

/* Readiness bits (Linux's uapi values): poll masks, and the keys of sk_wq wakeups. */
#define EPOLLIN 0x001
#define EPOLLPRI 0x002
#define EPOLLOUT 0x004
#define EPOLLERR 0x008
#define EPOLLHUP 0x010
#define EPOLLRDNORM 0x040
#define EPOLLWRNORM 0x100
#define EPOLLRDHUP 0x2000

struct file;
struct wait_queue_head;
struct poll_table_struct;

typedef void (*poll_queue_proc)(struct file *f, struct wait_queue_head *wq,
				struct poll_table_struct *pt);

typedef struct poll_table_struct {
	poll_queue_proc _qproc;		/* NULL: only the mask is wanted */
	unsigned int _key;		/* the EPOLL* events the poller cares about */
} poll_table;

static inline void poll_wait(struct file *f, struct wait_queue_head *wq, poll_table *pt)
{
	if (pt && pt->_qproc && wq)
		pt->_qproc(f, wq, pt);
}

#endif
