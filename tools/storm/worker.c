/*
 * One worker thread: an epoll loop over its own connections, driven by the
 * mode's ops. Each turn of the loop reads the clock once, rolls the
 * per-second series, expires timeouts, lets the mode start new work, and
 * sleeps in epoll until the next event, arrival or deadline (at most
 * 50 ms, so a stop request is seen quickly).
 *
 * The run ends for a worker at run->end, when main sets run->stop (signal
 * or abort), or when the mode says its share of the work is done.
 */
#include "storm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#define MAX_EVENTS	256
#define MAX_SLEEP_NS	(50 * NSEC_PER_MSEC)

int worker_init(struct worker *w, struct run *r, unsigned int id)
{
	const struct storm_opts *o = r->o;
	size_t i, txlen = o->request_size ? o->request_size : 1;

	w->run = r;
	w->id = id;
	w->ep = -1;
	w->raw = -1;
	list_init(&w->timeouts);
	list_init(&w->idle);
	hist_init(&w->lat);
	hist_init(&w->connect_lat);
	hist_init(&w->iv.lat);
	w->src = id;		/* spread the threads over the source addresses */
	w->open_loop = o->rate > 0;
	w->limit = o->count ? share_of(o->count, id, r->nthreads) : 0;
	w->txbuf = malloc(txlen);
	w->rxlen = 65536;
	w->rxbuf = malloc(w->rxlen);
	if (!w->txbuf || !w->rxbuf)
		return -1;
	/* A pattern, not zeros, so that a mangled echo is noticed. */
	for (i = 0; i < txlen; i++)
		w->txbuf[i] = (char)('a' + i % 26);
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (w->ep < 0)
		return -1;
	return r->ops->setup(w);
}

void worker_free(struct worker *w)
{
	if (w->ep >= 0)
		close(w->ep);
	free(w->conns);
	free(w->free);
	free(w->txbuf);
	free(w->rxbuf);
}

/* Add the current second into run->series and start the next one. */
static void series_flush(struct worker *w)
{
	struct run *r = w->run;
	struct sec_slot *s = &r->series[w->sec < r->nsec ? w->sec : r->nsec - 1];

	pthread_mutex_lock(&r->lock);
	s->ops += w->iv.ops;
	s->errors += w->iv.errors;
	s->established += w->iv.established;
	s->open += w->open;
	hist_merge(&s->lat, &w->iv.lat);
	pthread_mutex_unlock(&r->lock);
	w->iv.ops = 0;
	w->iv.errors = 0;
	w->iv.established = 0;
	if (w->iv.lat.count)
		hist_init(&w->iv.lat);
}

static void series_roll(struct worker *w, uint64_t now)
{
	uint64_t sec = (now - w->run->start) / NSEC_PER_SEC;

	while (w->sec < sec && w->sec < w->run->nsec) {
		series_flush(w);
		w->sec++;
	}
}

static void live_publish(struct worker *w)
{
	uint64_t errors = 0;
	int k;

	for (k = 0; k < NR_ERR; k++)
		errors += w->c.errors[k];
	atomic_store_explicit(&w->live.ops, w->c.ops, memory_order_relaxed);
	atomic_store_explicit(&w->live.errors, errors, memory_order_relaxed);
	atomic_store_explicit(&w->live.established, w->c.established, memory_order_relaxed);
	atomic_store_explicit(&w->live.open, w->open, memory_order_relaxed);
}

static void expire_timeouts(struct worker *w, uint64_t now)
{
	while (!list_empty(&w->timeouts)) {
		struct conn *c = list_first_entry(&w->timeouts, struct conn, link);

		if (c->deadline > now)
			break;
		timeout_disarm(c);
		w->run->ops->expire(w, c);
	}
}

static int wait_events(struct worker *w, uint64_t now, struct epoll_event *ev)
{
	uint64_t wake = now + MAX_SLEEP_NS, t, ns;
	struct timespec ts;
	int n;

	if (w->run->end < wake)
		wake = w->run->end;
	if (!list_empty(&w->timeouts)) {
		t = list_first_entry(&w->timeouts, struct conn, link)->deadline;
		if (t < wake)
			wake = t;
	}
	t = w->run->ops->next_wake(w, now);
	if (t < wake)
		wake = t;
	ns = wake > now ? wake - now : 0;
	ts.tv_sec = (time_t)(ns / NSEC_PER_SEC);
	ts.tv_nsec = (long)(ns % NSEC_PER_SEC);
	n = epoll_pwait2(w->ep, ev, MAX_EVENTS, &ts, NULL);
	if (n < 0 && errno == ENOSYS)	/* kernels before 5.11: ms resolution */
		n = epoll_wait(w->ep, ev, MAX_EVENTS,
			       (int)((ns + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC));
	return n < 0 ? 0 : n;
}

void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	const struct mode_ops *ops = r->ops;
	struct epoll_event ev[MAX_EVENTS];
	uint64_t now;
	int i, n;

	/* Open-loop arrivals are microseconds apart; default 50 us slack blurs them. */
	if (w->open_loop)
		prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	if (w->open_loop)
		pacer_init(&w->pace, r->o->rate, w->id, r->nthreads, r->start);
	for (;;) {
		now = now_ns();
		series_roll(w, now);
		if (now >= r->end || atomic_load_explicit(&r->stop, memory_order_relaxed))
			break;
		expire_timeouts(w, now);
		ops->tick(w, now);
		live_publish(w);
		if (ops->finished(w)) {
			w->finished = true;
			break;
		}
		n = wait_events(w, now, ev);
		for (i = 0; i < n; i++)
			ops->event(w, ev[i].data.ptr, ev[i].events);
	}
	now = now_ns();
	w->stopped_at = now;
	series_roll(w, now);
	series_flush(w);	/* the last, partial second; open still counted */
	ops->stop(w, now < r->end ? now : r->end);
	live_publish(w);
	atomic_fetch_add(&r->nr_done, 1);
	return NULL;
}
