/*
 * crr: connect, send one request, read the response until the server
 * closes, close; repeat. One operation is one whole connection, and its
 * latency runs from the connect() (closed loop) or from the arrival's
 * intended time (open loop) to the server's FIN after the full response.
 *
 *   closed loop: a fixed number of connections in flight; each finished
 *                one starts the next at once.
 *   open loop:   arrivals at --rate; --connections caps how many are in
 *                flight, and arrivals wait (their latency growing) when
 *                the cap is reached.
 */
#include "storm.h"

#include <stdlib.h>
#include <sys/epoll.h>

#define TICK_BUDGET	1024	/* connects per loop turn, so events keep flowing */

static int crr_setup(struct worker *w)
{
	uint32_t n = (uint32_t)share_of(w->run->o->connections, w->id, w->run->nthreads);
	uint32_t i;

	if (conn_alloc(w, n))
		return -1;
	w->free = malloc((n ? n : 1) * sizeof(*w->free));
	if (!w->free)
		return -1;
	for (i = 0; i < n; i++)
		w->free[i] = n - 1 - i;
	w->nfree = n;
	return 0;
}

/* The operation on @c is over (its socket already closed). */
static void crr_end(struct worker *w, struct conn *c, bool ok)
{
	if (c->state != CS_CONNECTING)
		w->open--;
	if (!ok)
		w->c.failed++;
	c->state = CS_FREE;
	w->inflight--;
	w->free[w->nfree++] = (uint32_t)(c - w->conns);
}

static void crr_begin(struct worker *w, uint64_t origin, uint64_t now)
{
	struct conn *c = &w->conns[w->free[--w->nfree]];

	c->origin = origin;
	c->state = CS_CONNECTING;
	w->c.started++;
	w->inflight++;
	if (conn_start(w, c, now))
		crr_end(w, c, false);
}

static bool crr_may_start(const struct worker *w)
{
	return w->nfree && (!w->limit || w->c.started < w->limit);
}

static uint64_t crr_due(const struct worker *w, uint64_t now)
{
	uint64_t due = pacer_due(&w->pace, now);

	return w->limit && due > w->limit ? w->limit : due;
}

static void crr_tick(struct worker *w, uint64_t now)
{
	unsigned int budget = TICK_BUDGET;
	uint64_t due, t;

	if (!w->open_loop) {
		while (budget-- && crr_may_start(w)) {
			t = now_ns();	/* a batch of connects takes a while */
			crr_begin(w, t, t);
		}
		return;
	}
	due = crr_due(w, now);
	while (budget-- && w->c.started < due && w->nfree)
		crr_begin(w, pacer_due_at(&w->pace, w->c.started), now);
}

static void crr_event(struct worker *w, struct conn *c, uint32_t ev)
{
	const struct storm_opts *o = w->run->o;
	enum recv_result rr;
	int r;

	switch (c->state) {
	case CS_CONNECTING:
		r = conn_connected(w, c, ev);
		if (r < 0)
			crr_end(w, c, false);
		if (r)
			return;
		w->open++;
		c->state = CS_SENDING;
		c->done = 0;
		/* fall through */
	case CS_SENDING:
		r = conn_send(w, c, o->request_size);
		if (r < 0)
			crr_end(w, c, false);
		if (r <= 0)
			return;
		w->c.requests++;
		c->state = CS_RECEIVING;
		c->done = 0;
		return;		/* the response is a later edge */
	case CS_RECEIVING:
		rr = conn_recv(w, c, o->response_size, true, false);
		if (rr == RECV_MORE)
			return;
		if (rr == RECV_FAILED) {
			crr_end(w, c, false);
			return;
		}
		w->c.responses++;
		record_op(w, c);
		conn_close(w, c);	/* the server closed first: no TIME_WAIT here */
		crr_end(w, c, true);
		return;
	default:
		return;
	}
}

static void crr_expire(struct worker *w, struct conn *c)
{
	conn_fail(w, c, ERR_TIMEOUT, 0, c->state == CS_CONNECTING ?
		  "no connection within --timeout" : "no full response within --timeout");
	crr_end(w, c, false);
}

static bool crr_finished(const struct worker *w)
{
	return w->limit && w->c.started >= w->limit && !w->inflight;
}

static uint64_t crr_next_wake(const struct worker *w, uint64_t now)
{
	(void)now;
	if (!w->open_loop || !crr_may_start(w))
		return UINT64_MAX;
	return pacer_due_at(&w->pace, w->c.started);
}

static void crr_stop(struct worker *w, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < w->nconns; i++) {
		struct conn *c = &w->conns[i];

		if (c->state == CS_FREE)
			continue;
		conn_abort(w, c);
		w->c.cancelled++;
		if (c->state != CS_CONNECTING)
			w->open--;
		c->state = CS_FREE;
		w->inflight--;
	}
	w->c.scheduled = w->open_loop ? crr_due(w, now) : w->c.started;
}

const struct mode_ops crr_ops = {
	.setup = crr_setup,
	.tick = crr_tick,
	.event = crr_event,
	.expire = crr_expire,
	.finished = crr_finished,
	.next_wake = crr_next_wake,
	.stop = crr_stop,
};
