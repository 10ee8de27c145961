/*
 * rr: request/response on persistent connections. Each connection has at
 * most one request outstanding; the server echoes it (--request-size
 * bytes), which is checked byte for byte. A connection that fails is
 * counted and reopened, so the pool stays at --connections.
 *
 *   closed loop: every connection sends its next request as soon as the
 *                echo of the last one is in.
 *   open loop:   requests arrive at --rate and go to any idle connection;
 *                with none idle they wait, and the wait is in their
 *                latency. The schedule starts once this thread's pool is
 *                up (or after --timeout), so connection setup is not
 *                billed to the first requests.
 */
#include "storm.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define TICK_BUDGET	1024

static int rr_setup(struct worker *w)
{
	uint32_t n = (uint32_t)share_of(w->run->o->connections, w->id, w->run->nthreads);
	uint32_t i;

	if (conn_alloc(w, n))
		return -1;
	w->free = malloc((n ? n : 1) * sizeof(*w->free));
	if (!w->free)
		return -1;
	for (i = 0; i < n; i++)		/* all closed: tick() connects them */
		w->free[i] = n - 1 - i;
	w->nfree = n;
	w->paced = !w->open_loop;
	return 0;
}

static bool rr_may_start(const struct worker *w)
{
	return !w->limit || w->c.started < w->limit;
}

/* @c's socket is gone (already closed): count, and queue it for a reconnect. */
static void rr_lost(struct worker *w, struct conn *c)
{
	if (c->state == CS_SENDING || c->state == CS_RECEIVING) {
		w->inflight--;
		w->c.failed++;
	}
	if (c->state != CS_CONNECTING)
		w->open--;
	timeout_disarm(c);	/* also takes it off the idle list */
	c->state = CS_FREE;
	w->free[w->nfree++] = (uint32_t)(c - w->conns);
}

static void rr_send(struct worker *w, struct conn *c)
{
	int r = conn_send(w, c, w->run->o->request_size);

	if (r < 0)
		rr_lost(w, c);
	if (r <= 0)
		return;
	w->c.requests++;
	c->state = CS_RECEIVING;
	c->done = 0;
}

static void rr_request(struct worker *w, struct conn *c, uint64_t origin, uint64_t now)
{
	w->c.started++;
	w->inflight++;
	c->origin = origin;
	c->state = CS_SENDING;
	c->done = 0;
	timeout_arm(w, c, now);
	rr_send(w, c);
}

/* @c is connected with nothing outstanding. */
static void rr_idle(struct worker *w, struct conn *c)
{
	uint64_t now;

	c->state = CS_IDLE;
	if (w->open_loop) {
		list_add_tail(&c->link, &w->idle);
		return;
	}
	if (rr_may_start(w)) {
		now = now_ns();
		rr_request(w, c, now, now);
	}
}

static uint64_t rr_due(const struct worker *w, uint64_t now)
{
	uint64_t due = pacer_due(&w->pace, now);

	return w->limit && due > w->limit ? w->limit : due;
}

static void rr_tick(struct worker *w, uint64_t now)
{
	const struct run *r = w->run;
	unsigned int budget = TICK_BUDGET;
	struct conn *c;
	uint64_t due;

	/* (Re)connect closed pool members, unless no more work will come. */
	while (budget && w->nfree && rr_may_start(w)) {
		c = &w->conns[w->free[--w->nfree]];
		c->state = CS_CONNECTING;
		if (conn_start(w, c, now))
			rr_lost(w, c);
		budget--;
	}
	if (!w->open_loop)
		return;
	if (!w->paced && (w->open == w->nconns ||
			  now - r->start >= (uint64_t)r->o->timeout_ms * NSEC_PER_MSEC)) {
		pacer_init(&w->pace, r->o->rate, w->id, r->nthreads, now);
		w->paced = true;
	}
	if (!w->paced)
		return;
	due = rr_due(w, now);
	while (budget-- && w->c.started < due && !list_empty(&w->idle)) {
		c = list_first_entry(&w->idle, struct conn, link);
		list_del(&c->link);
		rr_request(w, c, pacer_due_at(&w->pace, w->c.started), now);
	}
}

/* Something arrived on a connection with no request outstanding. */
static void rr_unexpected(struct worker *w, struct conn *c)
{
	char b[64];
	ssize_t n = recv(c->fd, b, sizeof(b), 0);

	if (n < 0 && errno == EAGAIN)
		return;
	if (n > 0)
		conn_fail(w, c, ERR_PROTOCOL, 0, "the server sent data nobody asked for");
	else if (n == 0)
		conn_fail(w, c, ERR_CLOSED, 0, "the server closed a persistent connection");
	else
		conn_fail(w, c, err_classify(errno), errno, "read");
	rr_lost(w, c);
}

static void rr_event(struct worker *w, struct conn *c, uint32_t ev)
{
	enum recv_result res;
	int r;

	switch (c->state) {
	case CS_CONNECTING:
		r = conn_connected(w, c, ev);
		if (r < 0)
			rr_lost(w, c);
		if (r)
			return;
		w->open++;
		timeout_disarm(c);
		rr_idle(w, c);
		return;
	case CS_IDLE:
		if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			rr_unexpected(w, c);
		return;
	case CS_SENDING:
		rr_send(w, c);
		return;
	case CS_RECEIVING:
		res = conn_recv(w, c, w->run->o->request_size, false, true);
		if (res == RECV_FAILED)
			rr_lost(w, c);
		if (res != RECV_DONE)
			return;
		w->c.responses++;
		record_op(w, c);
		w->inflight--;
		timeout_disarm(c);
		rr_idle(w, c);
		return;
	default:
		return;
	}
}

static void rr_expire(struct worker *w, struct conn *c)
{
	conn_fail(w, c, ERR_TIMEOUT, 0, c->state == CS_CONNECTING ?
		  "no connection within --timeout" : "no echo within --timeout");
	rr_lost(w, c);
}

static bool rr_finished(const struct worker *w)
{
	return w->limit && w->c.started >= w->limit && !w->inflight;
}

static uint64_t rr_next_wake(const struct worker *w, uint64_t now)
{
	(void)now;
	if (!w->open_loop || !w->paced || list_empty(&w->idle) || !rr_may_start(w))
		return UINT64_MAX;
	return pacer_due_at(&w->pace, w->c.started);
}

static void rr_stop(struct worker *w, uint64_t now)
{
	uint32_t i;

	w->c.open_at_end = w->open;
	for (i = 0; i < w->nconns; i++) {
		struct conn *c = &w->conns[i];

		if (c->state == CS_SENDING || c->state == CS_RECEIVING) {
			w->c.cancelled++;
			w->inflight--;
		}
		if (c->state != CS_FREE && c->state != CS_CONNECTING)
			w->open--;
		if (c->fd >= 0)
			conn_abort(w, c);	/* RST: the client may not hold TIME_WAIT */
		timeout_disarm(c);
		c->state = CS_FREE;
	}
	w->c.scheduled = !w->open_loop ? w->c.started : w->paced ? rr_due(w, now) : 0;
}

const struct mode_ops rr_ops = {
	.setup = rr_setup,
	.tick = rr_tick,
	.event = rr_event,
	.expire = rr_expire,
	.finished = rr_finished,
	.next_wake = rr_next_wake,
	.stop = rr_stop,
};
