/*
 * hold: open --connections connections and keep them until the end, to
 * find how many the target sustains. Closed loop opens them all as fast
 * as connect() returns; open loop ramps at --rate connects per second.
 * Nothing is sent. A failed connect is not retried and a held connection
 * the target closes is counted as dropped, so at the end
 *
 *	attempts = established + failed + cancelled (still connecting)
 *	established = open_at_end + dropped
 *
 * The operation latency is the connect time (from the intended arrival in
 * open loop). Across workers the run tracks the open count, its peak, when
 * it first reached the target and the first failed connect.
 */
#include "storm.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define TICK_BUDGET	1024

static int hold_setup(struct worker *w)
{
	w->target = share_of(w->run->o->connections, w->id, w->run->nthreads);
	return conn_alloc(w, (uint32_t)w->target);
}

static void hold_failed(struct worker *w, struct conn *c)
{
	struct run *r = w->run;
	uint_fast64_t zero = 0;
	uint64_t t = now_ns() - r->start + 1;	/* +1: 0 means "never" */

	w->connecting--;
	w->c.failed++;
	c->state = CS_DEAD;
	if (atomic_compare_exchange_strong(&r->first_fail, &zero, t))
		atomic_store(&r->open_at_first_fail, atomic_load(&r->open_now));
}

static void hold_opened(struct worker *w)
{
	struct run *r = w->run;
	long n = atomic_fetch_add(&r->open_now, 1) + 1;
	long peak = atomic_load(&r->open_peak);
	uint_fast64_t zero = 0;

	w->open++;
	while (n > peak && !atomic_compare_exchange_weak(&r->open_peak, &peak, n))
		;
	if (n == (long)r->o->connections)
		atomic_compare_exchange_strong(&r->full_at, &zero, now_ns() - r->start);
}

static void hold_begin(struct worker *w, uint64_t origin, uint64_t now)
{
	struct conn *c = &w->conns[w->c.started++];

	c->origin = origin;
	c->state = CS_CONNECTING;
	w->connecting++;
	if (conn_start(w, c, now))
		hold_failed(w, c);
}

static uint64_t hold_due(const struct worker *w, uint64_t now)
{
	uint64_t due = pacer_due(&w->pace, now);

	return due > w->target ? w->target : due;
}

static void hold_tick(struct worker *w, uint64_t now)
{
	unsigned int budget = TICK_BUDGET;
	uint64_t due = w->open_loop ? hold_due(w, now) : w->target;

	while (budget-- && w->c.started < due) {
		if (w->open_loop) {
			hold_begin(w, pacer_due_at(&w->pace, w->c.started), now);
		} else {
			uint64_t t = now_ns();

			hold_begin(w, t, t);
		}
	}
}

/* A held connection had an event: the target closed or reset it. */
static void hold_check(struct worker *w, struct conn *c)
{
	char b[256];
	ssize_t n;

	for (;;) {
		n = recv(c->fd, b, sizeof(b), 0);
		if (n > 0) {
			w->c.bytes_rx += (uint64_t)n;	/* unasked-for; ignored */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		break;
	}
	conn_close(w, c);
	c->state = CS_DEAD;
	w->c.dropped++;
	w->open--;
	atomic_fetch_sub(&w->run->open_now, 1);
}

static void hold_event(struct worker *w, struct conn *c, uint32_t ev)
{
	int r;

	if (c->state == CS_HELD) {
		hold_check(w, c);
		return;
	}
	if (c->state != CS_CONNECTING)
		return;
	r = conn_connected(w, c, ev);
	if (r < 0)
		hold_failed(w, c);
	if (r)
		return;
	timeout_disarm(c);
	w->connecting--;
	c->state = CS_HELD;
	record_op(w, c);
	hold_opened(w);
	/* The target may have closed it already, in the same event. */
	if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
		hold_check(w, c);
}

static void hold_expire(struct worker *w, struct conn *c)
{
	conn_fail(w, c, ERR_TIMEOUT, 0, "no connection within --timeout");
	hold_failed(w, c);
}

/* Nothing left to hold or to try: every connection failed or was dropped. */
static bool hold_finished(const struct worker *w)
{
	return w->c.started >= w->target && !w->connecting && !w->open;
}

static uint64_t hold_next_wake(const struct worker *w, uint64_t now)
{
	(void)now;
	if (!w->open_loop || w->c.started >= w->target)
		return UINT64_MAX;
	return pacer_due_at(&w->pace, w->c.started);
}

static void hold_stop(struct worker *w, uint64_t now)
{
	uint32_t i;

	w->c.open_at_end = w->open;
	for (i = 0; i < w->c.started; i++) {
		struct conn *c = &w->conns[i];

		if (c->state == CS_CONNECTING)
			w->c.cancelled++;
		if (c->fd >= 0)
			conn_abort(w, c);	/* RST: no TIME_WAIT for the client */
		c->state = CS_DEAD;
	}
	w->connecting = 0;
	w->open = 0;
	w->c.scheduled = w->open_loop ? hold_due(w, now) : w->target;
}

const struct mode_ops hold_ops = {
	.setup = hold_setup,
	.tick = hold_tick,
	.event = hold_event,
	.expire = hold_expire,
	.finished = hold_finished,
	.next_wake = hold_next_wake,
	.stop = hold_stop,
};
