/*
 * kernel/eventpoll.c on the host, through its system calls and the real
 * descriptor table (kernel/file.c). Targets are fake files with a
 * controllable mask and a wait queue of their own, plus a real UDP sock
 * woken by a forged datagram (net/core/sock.c's sock_def_readable).
 *
 * The hosted build has one thread and no scheduler: an epoll_wait that
 * would sleep returns 0 at once. A sleeper is stood in for by a recording
 * wait entry on ep->wq, which is what ep_poll_callback wakes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "host/net_shim.h"
#include <kernel/eventpoll.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/poll.h>
#include <kernel/sys.h>
#include <net/core/sock.h>
#include <net/ipv4/arp.h>
#include <net/ipv4/udp.h>
#include <net/socket.h>

uint64_t user_arena_start = 0x10000, user_arena_end = 1ULL << 47;	/* all of the host's heap */
const struct file_operations console_fops;	/* file.c's files_init is not used here */

#define BAD_PTR 0xffff800000000000L
#define TASK_NORMAL 3

/* ---- fake targets ---- */

struct fake {
	struct wait_queue_head wq;
	unsigned int mask;		/* what poll reports */
	int polls;			/* poll calls */
	int released;
	int wq_empty_at_release;	/* no epitem left hooked when release ran */
	struct fake *poke;		/* if set, poll wakes it (a callback during a scan) */
	unsigned int poke_mask;
};

static unsigned int fake_poll(struct file *f, poll_table *pt)
{
	struct fake *fk = f->private_data;

	poll_wait(f, &fk->wq, pt);
	fk->polls++;
	if (fk->poke) {
		struct fake *other = fk->poke;

		fk->poke = NULL;
		other->mask |= fk->poke_mask;
		__wake_up(&other->wq, TASK_NORMAL, 1, (void *)(uintptr_t)fk->poke_mask);
	}
	return fk->mask;
}

static int fake_release(struct file *f)
{
	struct fake *fk = f->private_data;

	fk->released = 1;
	fk->wq_empty_at_release = list_empty(&fk->wq.head);
	return 0;
}

static const struct file_operations fake_fops = { .poll = fake_poll, .release = fake_release };
static const struct file_operations nopoll_fops = { .release = NULL };	/* like the console */

static struct fake fakes[8];
static int nfakes;

static int fake_open(struct fake **out)
{
	struct fake *fk = &fakes[nfakes++];
	struct file *f;
	int fd;

	memset(fk, 0, sizeof(*fk));
	init_waitqueue_head(&fk->wq);
	f = alloc_file(&fake_fops, fk, 02);
	assert_non_null(f);
	fd = fd_install_new(f);
	assert_true(fd >= 0);
	if (out)
		*out = fk;
	return fd;
}

/* The target's state changes: new mask, and a wakeup keyed by what changed. */
static void fake_signal(struct fake *fk, unsigned int mask, unsigned int key)
{
	fk->mask = mask;
	__wake_up(&fk->wq, TASK_NORMAL, 1, (void *)(uintptr_t)key);
}

/* ---- a stand-in for a thread asleep in epoll_wait ---- */

struct sleeper {
	struct wait_queue_entry wait;
	int wakeups;
};

static int sleeper_wake(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	(void)mode;
	(void)flags;
	(void)key;
	container_of(e, struct sleeper, wait)->wakeups++;
	return 1;
}

static struct eventpoll *ep_of(int epfd)
{
	struct file *f = fget(epfd);
	struct eventpoll *ep;

	assert_non_null(f);
	ep = f->private_data;
	fput(f);
	return ep;
}

static void sleep_on(int epfd, struct sleeper *s)
{
	s->wakeups = 0;
	init_waitqueue_func_entry(&s->wait, sleeper_wake);
	add_wait_queue_exclusive(&ep_of(epfd)->wq, &s->wait);
}

static void wake_up_sleeper(int epfd, struct sleeper *s)
{
	remove_wait_queue(&ep_of(epfd)->wq, &s->wait);
}

/* ---- system call helpers ---- */

static long ctl(int epfd, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data = data };

	return sys_epoll_ctl(epfd, op, fd, (long)&ev);
}

static struct epoll_event evs[16];

static long wait0(int epfd, int max)
{
	memset(evs, 0, sizeof(evs));
	return sys_epoll_wait(epfd, (long)evs, max, 0);
}

static int epoll_new(void)
{
	int fd = (int)sys_epoll_create1(0);

	assert_true(fd >= 0);
	return fd;
}

static int setup(void **state)
{
	(void)state;
	nfakes = 0;
	return 0;
}

/* ---- creating ---- */

static void test_create_flags_and_size(void **state)
{
	int a, b, c;
	struct file *f;

	(void)state;
	assert_int_equal(sys_epoll_create1(1), -EINVAL);
	assert_int_equal(sys_epoll_create1(EPOLL_CLOEXEC | 4), -EINVAL);
	assert_int_equal(sys_epoll_create(0), -EINVAL);
	assert_int_equal(sys_epoll_create(-1), -EINVAL);
	a = (int)sys_epoll_create(1);
	b = (int)sys_epoll_create1(EPOLL_CLOEXEC);
	c = (int)sys_epoll_create1(0);
	assert_true(a >= 0 && b >= 0 && c >= 0);
	f = fget(b);
	assert_true(is_file_epoll(f));
	assert_true(f->f_flags & O_CLOEXEC);
	fput(f);
	f = fget(c);
	assert_false(f->f_flags & O_CLOEXEC);
	fput(f);
	assert_int_equal(fd_close(a), 0);
	assert_int_equal(fd_close(b), 0);
	assert_int_equal(fd_close(c), 0);
}

/* ---- epoll_ctl's errors, in Linux's order ---- */

static void test_ctl_errors(void **state)
{
	int ep = epoll_new(), ep2 = epoll_new(), t = fake_open(NULL), np;
	struct file *f = alloc_file(&nopoll_fops, NULL, 02);

	(void)state;
	np = fd_install_new(f);
	assert_int_equal(ctl(9999, EPOLL_CTL_ADD, t, EPOLLIN, 0), -EBADF);
	assert_int_equal(ctl(-1, EPOLL_CTL_ADD, t, EPOLLIN, 0), -EBADF);
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, 9999, EPOLLIN, 0), -EBADF);
	assert_int_equal(ctl(t, EPOLL_CTL_ADD, ep, EPOLLIN, 0), -EINVAL);	/* epfd not an epoll */
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0), -EINVAL);	/* fd == epfd */
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, ep2, EPOLLIN, 0), -EINVAL);	/* no nesting */
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, np, EPOLLIN, 0), -EPERM);	/* no poll op */
	assert_int_equal(ctl(ep, 0, t, EPOLLIN, 0), -EINVAL);
	assert_int_equal(ctl(ep, 4, t, EPOLLIN, 0), -EINVAL);
	assert_int_equal(sys_epoll_ctl(ep, EPOLL_CTL_ADD, t, 0), -EFAULT);
	assert_int_equal(sys_epoll_ctl(ep, EPOLL_CTL_MOD, t, BAD_PTR), -EFAULT);
	/* The event comes first: a bad pointer beats a bad fd, as Linux. */
	assert_int_equal(sys_epoll_ctl(ep, EPOLL_CTL_ADD, 9999, 0), -EFAULT);
	assert_int_equal(ctl(ep, EPOLL_CTL_DEL, t, 0, 0), -ENOENT);
	assert_int_equal(ctl(ep, EPOLL_CTL_MOD, t, EPOLLIN, 0), -ENOENT);
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN, 0), 0);
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLOUT, 0), -EEXIST);
	assert_int_equal(sys_epoll_ctl(ep, EPOLL_CTL_DEL, t, 0), 0);	/* DEL needs no event */
	assert_int_equal(ctl(ep, EPOLL_CTL_DEL, t, 0, 0), -ENOENT);
	fd_close(ep);
	fd_close(ep2);
	fd_close(t);
	fd_close(np);
}

static void test_exclusive_misuse(void **state)
{
	int ep = epoll_new(), t = fake_open(NULL), u = fake_open(NULL);

	(void)state;
	/* ONESHOT and RDHUP are not among what EPOLLEXCLUSIVE allows. */
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 0),
			 -EINVAL);
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP, 0),
			 -EINVAL);
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN | EPOLLEXCLUSIVE | EPOLLET, 0), 0);
	assert_int_equal(ctl(ep, EPOLL_CTL_MOD, t, EPOLLIN, 0), -EINVAL);	/* an exclusive item */
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, u, EPOLLIN, 0), 0);
	assert_int_equal(ctl(ep, EPOLL_CTL_MOD, u, EPOLLIN | EPOLLEXCLUSIVE, 0), -EINVAL);
	assert_int_equal(ctl(ep, EPOLL_CTL_MOD, u, EPOLLOUT, 0), 0);
	assert_int_equal(ctl(ep, EPOLL_CTL_DEL, t, 0, 0), 0);	/* DEL is fine */
	fd_close(ep);
	fd_close(t);
	fd_close(u);
}

/* ---- epoll_wait's errors ---- */

static void test_wait_errors(void **state)
{
	int ep = epoll_new(), t = fake_open(NULL);
	uint64_t sig = 0;

	(void)state;
	assert_int_equal(sys_epoll_wait(ep, (long)evs, 0, 0), -EINVAL);
	assert_int_equal(sys_epoll_wait(ep, (long)evs, -1, 0), -EINVAL);
	assert_int_equal(sys_epoll_wait(ep, (long)evs, EP_MAX_EVENTS + 1, 0), -EINVAL);
	assert_int_equal(sys_epoll_wait(ep, 0, 1, 0), -EFAULT);
	assert_int_equal(sys_epoll_wait(ep, BAD_PTR, 1, 0), -EFAULT);
	/* The whole array must be user memory, not just its start. */
	assert_int_equal(sys_epoll_wait(ep, (long)(user_arena_end - 12), 1, 0), 0);
	assert_int_equal(sys_epoll_wait(ep, (long)(user_arena_end - 12), 2, 0), -EFAULT);
	assert_int_equal(sys_epoll_wait(9999, (long)evs, 1, 0), -EBADF);
	assert_int_equal(sys_epoll_wait(t, (long)evs, 1, 0), -EINVAL);
	assert_int_equal(sys_epoll_pwait(ep, (long)evs, 1, 0, (long)&sig, 16), -EINVAL);
	assert_int_equal(sys_epoll_pwait(ep, (long)evs, 1, 0, BAD_PTR, 8), -EFAULT);
	assert_int_equal(sys_epoll_pwait(ep, (long)evs, 1, 0, (long)&sig, 8), 0);
	assert_int_equal(sys_epoll_pwait(ep, (long)evs, 1, 0, 0, 0), 0);
	fd_close(ep);
	fd_close(t);
}

/* ---- readiness ---- */

static void test_timeout_zero_with_nothing_ready(void **state)
{
	int ep = epoll_new(), t = fake_open(NULL);

	(void)state;
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN, 7), 0);
	assert_int_equal(wait0(ep, 4), 0);
	assert_int_equal(sys_epoll_wait(ep, (long)evs, 4, 50), 0);	/* hosted: never sleeps */
	fd_close(ep);
	fd_close(t);
}

static void test_level_triggered_requeues_while_ready(void **state)
{
	struct fake *fk;
	int ep = epoll_new(), t = fake_open(&fk);

	(void)state;
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN, 0x1234567890ULL), 0);
	fake_signal(fk, EPOLLIN | EPOLLOUT, EPOLLIN);
	assert_int_equal(wait0(ep, 4), 1);
	assert_int_equal(evs[0].events, EPOLLIN);	/* OUT was not asked for */
	assert_true(evs[0].data == 0x1234567890ULL);
	assert_int_equal(wait0(ep, 4), 1);		/* still ready: reported again */
	fk->mask = 0;
	assert_int_equal(wait0(ep, 4), 0);		/* polled, not ready: dropped */
	assert_int_equal(wait0(ep, 4), 0);
	fake_signal(fk, EPOLLIN, EPOLLIN);
	assert_int_equal(wait0(ep, 4), 1);
	fd_close(ep);
	fd_close(t);
}

static void test_ready_at_add_and_mod(void **state)
{
	struct fake *fk;
	int ep = epoll_new(), t = fake_open(&fk);

	(void)state;
	fk->mask = EPOLLOUT;
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN, 1), 0);
	assert_int_equal(wait0(ep, 4), 0);
	assert_int_equal(ctl(ep, EPOLL_CTL_MOD, t, EPOLLOUT, 2), 0);
	assert_int_equal(wait0(ep, 4), 1);
	assert_int_equal(evs[0].events, EPOLLOUT);
	assert_true(evs[0].data == 2);
	fd_close(ep);
	fd_close(t);
}

static void test_edge_triggered_not_requeued(void **state)
{
	struct fake *fk;
	int ep = epoll_new(), t = fake_open(&fk);

	(void)state;
	fk->mask = EPOLLIN;
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN | EPOLLET, 3), 0);
	assert_int_equal(wait0(ep, 4), 1);
	assert_int_equal(wait0(ep, 4), 0);	/* still readable, but no new edge */
	fake_signal(fk, EPOLLIN, EPOLLIN);
	assert_int_equal(wait0(ep, 4), 1);
	assert_int_equal(evs[0].events, EPOLLIN);
	assert_int_equal(wait0(ep, 4), 0);
	fd_close(ep);
	fd_close(t);
}

static void test_oneshot_disarms_until_mod(void **state)
{
	struct fake *fk;
	struct sleeper s;
	int ep = epoll_new(), t = fake_open(&fk);

	(void)state;
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN | EPOLLONESHOT, 5), 0);
	fake_signal(fk, EPOLLIN, EPOLLIN);
	assert_int_equal(wait0(ep, 4), 1);
	assert_int_equal(wait0(ep, 4), 0);
	sleep_on(ep, &s);
	fake_signal(fk, EPOLLIN, EPOLLIN);
	assert_int_equal(s.wakeups, 0);		/* disarmed: the callback ignores it */
	assert_int_equal(wait0(ep, 4), 0);
	assert_int_equal(ctl(ep, EPOLL_CTL_MOD, t, EPOLLIN | EPOLLONESHOT, 6), 0);
	assert_int_equal(s.wakeups, 1);		/* re-armed and ready: queued at once */
	wake_up_sleeper(ep, &s);
	assert_int_equal(wait0(ep, 4), 1);
	assert_true(evs[0].data == 6);
	assert_int_equal(wait0(ep, 4), 0);
	fd_close(ep);
	fd_close(t);
}

static void test_wakeup_key_filters(void **state)
{
	struct fake *fk;
	struct sleeper s;
	int ep = epoll_new(), t = fake_open(&fk);

	(void)state;
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN, 0), 0);
	sleep_on(ep, &s);
	fake_signal(fk, EPOLLOUT, EPOLLOUT);
	assert_int_equal(s.wakeups, 0);		/* a write-space wakeup is not ours */
	fake_signal(fk, EPOLLERR, EPOLLERR);
	assert_int_equal(s.wakeups, 1);		/* ERR and HUP are always wanted */
	fake_signal(fk, EPOLLIN, 0);
	assert_int_equal(s.wakeups, 2);		/* no key: anything may have changed */
	wake_up_sleeper(ep, &s);
	fk->mask = EPOLLHUP | EPOLLERR | EPOLLOUT;
	assert_int_equal(wait0(ep, 4), 1);
	assert_int_equal(evs[0].events, EPOLLHUP | EPOLLERR);
	fd_close(ep);
	fd_close(t);
}

static void test_maxevents_leaves_the_rest_queued(void **state)
{
	struct fake *fk[3];
	int ep = epoll_new(), t[3], seen = 0;

	(void)state;
	for (int i = 0; i < 3; i++) {
		t[i] = fake_open(&fk[i]);
		fk[i]->mask = EPOLLIN;
		assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t[i], EPOLLIN | EPOLLET, (uint64_t)i), 0);
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(wait0(ep, 1), 1);
		seen |= 1 << evs[0].data;
	}
	assert_int_equal(seen, 7);
	assert_int_equal(wait0(ep, 4), 0);
	fd_close(ep);
	for (int i = 0; i < 3; i++)
		fd_close(t[i]);
}

/* A callback firing while ep_send_events walks the list goes to ovflist, then to rdllist. */
static void test_callback_during_send_events(void **state)
{
	struct fake *a, *b;
	int ep = epoll_new(), ta = fake_open(&a), tb = fake_open(&b);

	(void)state;
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, ta, EPOLLIN | EPOLLET, 1), 0);
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, tb, EPOLLIN | EPOLLET, 2), 0);
	fake_signal(a, EPOLLIN, EPOLLIN);
	a->poke = b;			/* polling a (in the scan) makes b ready */
	a->poke_mask = EPOLLIN;
	assert_int_equal(wait0(ep, 4), 1);
	assert_true(evs[0].data == 1);
	assert_ptr_equal(ep_of(ep)->ovflist, (struct epitem *)-1L);	/* scan over */
	assert_int_equal(wait0(ep, 4), 1);	/* b was not lost */
	assert_true(evs[0].data == 2);
	/* The item being delivered gets a new edge mid-scan: it is reported again. */
	a->poke = a;
	a->poke_mask = EPOLLIN;
	fake_signal(a, EPOLLIN, EPOLLIN);
	assert_int_equal(wait0(ep, 4), 1);
	assert_int_equal(wait0(ep, 4), 1);
	assert_true(evs[0].data == 1);
	assert_int_equal(wait0(ep, 4), 0);
	fd_close(ep);
	fd_close(ta);
	fd_close(tb);
}

/* ---- EPOLLEXCLUSIVE: one wakeup wakes one set ---- */

static void two_sets_one_source(uint32_t flags, int *wa, int *wb, int sleep_a)
{
	struct fake *fk;
	struct sleeper sa, sb;
	int a = epoll_new(), b = epoll_new(), t = fake_open(&fk);

	assert_int_equal(ctl(a, EPOLL_CTL_ADD, t, EPOLLIN | flags, 1), 0);
	assert_int_equal(ctl(b, EPOLL_CTL_ADD, t, EPOLLIN | flags, 2), 0);
	if (sleep_a)
		sleep_on(a, &sa);
	sleep_on(b, &sb);
	fake_signal(fk, EPOLLIN, EPOLLIN);	/* sock_def_readable's nr_exclusive = 1 */
	*wa = sleep_a ? sa.wakeups : -1;
	*wb = sb.wakeups;
	if (sleep_a)
		wake_up_sleeper(a, &sa);
	wake_up_sleeper(b, &sb);
	fd_close(a);
	fd_close(b);
	fd_close(t);
}

static void test_exclusive_wakes_one_set(void **state)
{
	int wa, wb;

	(void)state;
	two_sets_one_source(0, &wa, &wb, 1);
	assert_int_equal(wa + wb, 2);		/* the herd */
	two_sets_one_source(EPOLLEXCLUSIVE, &wa, &wb, 1);
	assert_int_equal(wa + wb, 1);
	/* A set nobody sleeps on does not use up the wakeup: it goes on to the next. */
	two_sets_one_source(EPOLLEXCLUSIVE, &wa, &wb, 0);
	assert_int_equal(wb, 1);
}

/* ---- closing ---- */

static void test_close_removes_from_every_set(void **state)
{
	struct fake *fk;
	int a = epoll_new(), b = epoll_new(), t = fake_open(&fk);

	(void)state;
	assert_int_equal(ctl(a, EPOLL_CTL_ADD, t, EPOLLIN, 1), 0);
	assert_int_equal(ctl(b, EPOLL_CTL_ADD, t, EPOLLIN | EPOLLET, 2), 0);
	fake_signal(fk, EPOLLIN, EPOLLIN);	/* on both ready lists */
	assert_int_equal(fd_close(t), 0);
	assert_true(fk->released);
	assert_true(fk->wq_empty_at_release);
	assert_null(ep_of(a)->rbr.rb_node);
	assert_null(ep_of(b)->rbr.rb_node);
	assert_int_equal(wait0(a, 4), 0);
	assert_int_equal(wait0(b, 4), 0);
	/* The fd number is free again; a new file there is a new item. */
	t = fake_open(&fk);
	assert_int_equal(ctl(a, EPOLL_CTL_ADD, t, EPOLLIN, 3), 0);
	fd_close(a);
	fd_close(b);
	fd_close(t);
}

static void test_close_waits_for_the_last_reference(void **state)
{
	struct fake *fk;
	int ep = epoll_new(), t = fake_open(&fk);
	struct file *held;

	(void)state;
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN, 1), 0);
	held = fget(t);
	assert_int_equal(fd_close(t), 0);
	assert_false(fk->released);
	fake_signal(fk, EPOLLIN, EPOLLIN);
	assert_int_equal(wait0(ep, 4), 1);	/* as Linux: the open file is what is watched */
	fput(held);
	assert_true(fk->released && fk->wq_empty_at_release);
	assert_int_equal(wait0(ep, 4), 0);
	fd_close(ep);
}

static void test_closing_the_epoll_fd_unhooks_items(void **state)
{
	struct fake *fk;
	int ep = epoll_new(), t = fake_open(&fk);
	struct file *f;

	(void)state;
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN, 1), 0);
	fake_signal(fk, EPOLLIN, EPOLLIN);
	assert_false(list_empty(&fk->wq.head));
	assert_int_equal(fd_close(ep), 0);
	assert_true(list_empty(&fk->wq.head));
	f = fget(t);
	assert_true(list_empty(&f->f_ep));
	fput(f);
	fake_signal(fk, EPOLLIN, EPOLLIN);	/* nobody hooked: ASan would see a freed epitem */
	assert_int_equal(sys_epoll_wait(ep, (long)evs, 1, 0), -EBADF);
	fd_close(t);
}

static void test_del_unhooks_and_readd_works(void **state)
{
	struct fake *fk;
	struct sleeper s;
	int ep = epoll_new(), t = fake_open(&fk);

	(void)state;
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN, 1), 0);
	fake_signal(fk, EPOLLIN, EPOLLIN);
	assert_int_equal(ctl(ep, EPOLL_CTL_DEL, t, 0, 0), 0);
	assert_true(list_empty(&fk->wq.head));
	assert_int_equal(wait0(ep, 4), 0);	/* off the ready list too */
	sleep_on(ep, &s);
	fake_signal(fk, EPOLLIN, EPOLLIN);
	assert_int_equal(s.wakeups, 0);
	wake_up_sleeper(ep, &s);
	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN, 9), 0);
	assert_int_equal(wait0(ep, 4), 1);
	assert_true(evs[0].data == 9);
	fd_close(ep);
	fd_close(t);
}

/* ---- a real sock: a datagram's sk_data_ready reaches ep_poll_callback ---- */

static unsigned int udp_file_poll(struct file *f, poll_table *pt)
{
	struct sock *sk = f->private_data;

	poll_wait(f, &sk->sk_wq, pt);
	return udp_prot.poll(sk);
}

static const struct file_operations udp_file_fops = { .poll = udp_file_poll };

static void test_udp_datagram_wakes_epoll(void **state)
{
	struct sock *sk = sk_alloc(AF_INET, &udp_prot);
	struct sleeper s;
	struct file *f;
	uint8_t buf[16];
	int ep = epoll_new(), fd, err;

	(void)state;
	net_shim_init();
	net_shim_reset();
	assert_non_null(sk);
	sock_init_data(NULL, sk);
	sk->sk_type = SOCK_DGRAM;
	sk->sk_protocol = IPPROTO_UDP;
	assert_int_equal(udp_prot.init(sk), 0);
	lock_sock(sk);
	err = udp_prot.get_port(sk, 5000);
	release_sock(sk);
	assert_int_equal(err, 0);
	f = alloc_file(&udp_file_fops, sk, 02);
	fd = fd_install_new(f);

	assert_int_equal(ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLET, 42), 0);
	assert_int_equal(wait0(ep, 4), 0);	/* writable, but only IN was asked for */
	sleep_on(ep, &s);
	build_udp(buf, PEER_IP, SHIM_IP, 4444, 5000, "hi", 2, 1);
	{
		struct ip_templ t = { .protocol = IPPROTO_UDP, .saddr = PEER_IP, .daddr = SHIM_IP };

		net_rx(forge_ipv4(&t, buf, 10));
	}
	assert_int_equal(s.wakeups, 1);
	wake_up_sleeper(ep, &s);
	assert_int_equal(wait0(ep, 4), 1);
	assert_int_equal(evs[0].events, EPOLLIN);
	assert_true(evs[0].data == 42);

	assert_int_equal(fd_close(fd), 0);	/* unhooked from sk_wq before the sock goes */
	assert_true(list_empty(&sk->sk_wq.head));
	udp_prot.close(sk, 0);
	sock_orphan(sk);
	sock_put(sk);
	net_shim_reset();
	fd_close(ep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_create_flags_and_size, setup),
		cmocka_unit_test_setup(test_ctl_errors, setup),
		cmocka_unit_test_setup(test_exclusive_misuse, setup),
		cmocka_unit_test_setup(test_wait_errors, setup),
		cmocka_unit_test_setup(test_timeout_zero_with_nothing_ready, setup),
		cmocka_unit_test_setup(test_level_triggered_requeues_while_ready, setup),
		cmocka_unit_test_setup(test_ready_at_add_and_mod, setup),
		cmocka_unit_test_setup(test_edge_triggered_not_requeued, setup),
		cmocka_unit_test_setup(test_oneshot_disarms_until_mod, setup),
		cmocka_unit_test_setup(test_wakeup_key_filters, setup),
		cmocka_unit_test_setup(test_maxevents_leaves_the_rest_queued, setup),
		cmocka_unit_test_setup(test_callback_during_send_events, setup),
		cmocka_unit_test_setup(test_exclusive_wakes_one_set, setup),
		cmocka_unit_test_setup(test_close_removes_from_every_set, setup),
		cmocka_unit_test_setup(test_close_waits_for_the_last_reference, setup),
		cmocka_unit_test_setup(test_closing_the_epoll_fd_unhooks_items, setup),
		cmocka_unit_test_setup(test_del_unhooks_and_readd_works, setup),
		cmocka_unit_test_setup(test_udp_datagram_wakes_epoll, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
