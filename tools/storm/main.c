/*
 * storm: the host-side connection-storm load tool. main() is the table of
 * contents: parse, check, start one worker per core, watch (signals, live
 * line, the nothing-connects watchdog), join, merge, report.
 *
 * Signals: main blocks SIGINT/SIGTERM/SIGHUP before starting the workers
 * (they inherit the mask) and takes them with sigtimedwait(), so a
 * Ctrl-C only sets run->stop; the workers cancel what is in flight and the
 * partial result is printed. A second Ctrl-C exits at once.
 */
#include "report.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STORM_VERSION		"1.0"
#define WATCH_PERIOD_NS		(50 * NSEC_PER_MSEC)
#define WATCHDOG_NS		NSEC_PER_SEC

static struct storm_opts opts;		/* big (the source list): not on the stack */

static unsigned int cpus_available(void)
{
	cpu_set_t set;
	long n;

	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return (unsigned int)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned int)n : 1;
}

/* One per core, but no thread without a connection or an operation to do. */
static unsigned int pick_threads(const struct storm_opts *o)
{
	uint64_t n = o->threads ? o->threads : cpus_available();

	if (o->mode != MODE_SYNFLOOD && n > o->connections)
		n = o->connections;
	if (o->count && n > o->count)
		n = o->count;
	if (n > STORM_MAX_THREADS)
		n = STORM_MAX_THREADS;
	return n ? (unsigned int)n : 1;
}

static const struct mode_ops *mode_ops_for(enum storm_mode m)
{
	switch (m) {
	case MODE_CRR:
		return &crr_ops;
	case MODE_RR:
		return &rr_ops;
	case MODE_HOLD:
		return &hold_ops;
	default:
		return &synflood_ops;
	}
}

/* The checks that can fail the run before it starts. */
static int preflight(const struct storm_opts *o, unsigned int nthreads, char *msg, size_t len)
{
	uint64_t fds = (uint64_t)nthreads * 4 + 64;

	if (o->mode != MODE_SYNFLOOD)
		fds += o->connections;
	if (raise_fd_limit(fds, msg, len))
		return -1;
	if (o->mode == MODE_SYNFLOOD)
		return probe_raw(o, msg, len);
	if (probe_sources(o, msg, len))
		return -1;
	return o->check ? probe_target(o, msg, len) : 0;
}

static int run_init(struct run *r, const struct storm_opts *o, unsigned int nthreads)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->o = o;
	r->ops = mode_ops_for(o->mode);
	r->nthreads = nthreads;
	pthread_mutex_init(&r->lock, NULL);
	/* every whole second, the partial last one, and one for a late stop */
	r->nsec = (unsigned int)(o->duration_ns / NSEC_PER_SEC) + 2;
	r->series = calloc(r->nsec, sizeof(*r->series));
	r->workers = calloc(nthreads, sizeof(*r->workers));
	if (!r->series || !r->workers)
		return -1;
	for (i = 0; i < r->nsec; i++)
		hist_init(&r->series[i].lat);
	for (i = 0; i < nthreads; i++)
		if (worker_init(&r->workers[i], r, i))
			return -1;
	return 0;
}

static void run_free(struct run *r)
{
	unsigned int i;

	for (i = 0; r->workers && i < r->nthreads; i++)
		worker_free(&r->workers[i]);
	free(r->workers);
	free(r->series);
}

/*
 * A storm where nothing ever connects (for synflood: no SYN ever leaves)
 * is a broken setup, not a result: stop it once a second has passed with
 * failures and no success.
 */
static bool nothing_works(const struct run *r, uint64_t now)
{
	uint64_t ok = 0, err = 0;
	unsigned int i;

	if (now - r->start < WATCHDOG_NS)
		return false;
	for (i = 0; i < r->nthreads; i++) {
		const struct live_pub *p = &r->workers[i].live;

		ok += atomic_load_explicit(r->o->mode == MODE_SYNFLOOD ? &p->ops : &p->established,
					   memory_order_relaxed);
		err += atomic_load_explicit(&p->errors, memory_order_relaxed);
	}
	return !ok && err;
}

/* Wait for the workers: signals, the live line, the watchdog. */
static int watch(struct run *r, sigset_t *sigs, bool live, bool *aborted)
{
	struct live_state ls = { 0 };
	struct timespec ts = { 0, WATCH_PERIOD_NS };
	int sig, got = 0;

	while (atomic_load(&r->nr_done) < r->nthreads) {
		sig = sigtimedwait(sigs, NULL, &ts);
		if (sig > 0 && got) {
			if (live)
				live_clear(stderr);
			fprintf(stderr, "storm: second signal, exiting without a result\n");
			_exit(128 + sig);
		}
		if (sig > 0) {
			got = sig;
			atomic_store(&r->stop, 1);
		}
		if (!*aborted && nothing_works(r, now_ns())) {
			*aborted = true;
			atomic_store(&r->stop, 1);
		}
		if (live)
			live_line(stderr, r, &ls, now_ns());
	}
	if (live)
		live_clear(stderr);
	return got;
}

static void merge(const struct run *r, struct result *res, struct hist *lat, struct hist *clat,
		  uint64_t *last_stop, bool *all_finished)
{
	unsigned int i;
	int k;

	hist_init(lat);
	hist_init(clat);
	*all_finished = true;
	for (i = 0; i < r->nthreads; i++) {
		const struct worker *w = &r->workers[i];
		const struct counters *c = &w->c;
		struct counters *t = &res->c;

		t->attempts += c->attempts;
		t->established += c->established;
		t->started += c->started;
		t->scheduled += c->scheduled;
		t->requests += c->requests;
		t->responses += c->responses;
		t->ops += c->ops;
		t->failed += c->failed;
		t->cancelled += c->cancelled;
		for (k = 0; k < NR_ERR; k++)
			t->errors[k] += c->errors[k];
		t->bytes_tx += c->bytes_tx;
		t->bytes_rx += c->bytes_rx;
		t->dropped += c->dropped;
		t->open_at_end += c->open_at_end;
		hist_merge(lat, &w->lat);
		hist_merge(clat, &w->connect_lat);
		if (w->stopped_at > *last_stop)
			*last_stop = w->stopped_at;
		*all_finished &= w->finished;
	}
}

static const char *stop_reason(const struct storm_opts *o, int sig, bool aborted, bool all_finished)
{
	if (aborted)
		return "error";
	if (sig)
		return "signal";
	if (all_finished)
		return o->count ? "count" : "complete";
	return "duration";
}

static void print_result(const struct result *res, bool json)
{
	if (json)
		report_json(stdout, res);
	else
		report_text(stdout, res);
	fflush(stdout);
}

/* The storm could not start: say why (stderr, and stdout for scripts). */
static int fail_early(const struct storm_opts *o, unsigned int nthreads, const char *msg,
		      bool json)
{
	struct result res = { .o = o, .nthreads = nthreads, .stopped_by = "error", .error = msg };

	fprintf(stderr, "storm: %s\n", msg);
	if (json)
		print_result(&res, true);
	return 1;
}

static char abort_msg[320];

static const char *abort_reason(const struct run *r, const struct counters *c)
{
	char tgt[32];
	uint64_t n = 0;
	int k;

	for (k = 0; k < NR_ERR; k++)
		n += c->errors[k];
	format_addr(tgt, sizeof(tgt), r->o->target_addr, r->o->target_port);
	snprintf(abort_msg, sizeof(abort_msg), "%s to %s succeeded: %llu attempts failed "
		 "(first: %s)", r->o->mode == MODE_SYNFLOOD ? "no SYN" : "no connection", tgt,
		 (unsigned long long)n, r->first_error[0] ? r->first_error : "?");
	return abort_msg;
}

int main(int argc, char **argv)
{
	struct run r;
	struct result res = { 0 };
	struct hist *lat, *clat;
	sigset_t sigs;
	char msg[320];
	bool json, live, aborted = false, all_finished;
	unsigned int nthreads, i;
	uint64_t last_stop = 0;
	int sig;

	if (opts_parse(&opts, argc, argv, msg, sizeof(msg))) {
		fprintf(stderr, "storm: %s\n", msg);
		help_short(stderr);
		return 2;
	}
	if (opts.help) {
		help_full(stdout);
		return 0;
	}
	if (opts.version) {
		printf("storm %s\n", STORM_VERSION);
		return 0;
	}
	json = opts.format == FORMAT_JSON || (opts.format == FORMAT_AUTO && !isatty(1));
	live = opts.live < 0 ? isatty(2) : opts.live;
	nthreads = pick_threads(&opts);
	if (preflight(&opts, nthreads, msg, sizeof(msg)))
		return fail_early(&opts, nthreads, msg, json);

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	lat = malloc(sizeof(*lat));
	clat = malloc(sizeof(*clat));
	if (!lat || !clat || run_init(&r, &opts, nthreads)) {
		snprintf(msg, sizeof(msg), "setting up %u workers failed: %s", nthreads,
			 strerror(errno));
		return fail_early(&opts, nthreads, msg, json);
	}
	r.start = now_ns();
	r.end = r.start + opts.duration_ns;
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&r.workers[i].thread, NULL, worker_main, &r.workers[i])) {
			fprintf(stderr, "storm: cannot start worker %u; stopping\n", i);
			atomic_store(&r.stop, 1);
			atomic_fetch_add(&r.nr_done, nthreads - i);
			nthreads = i;
			break;
		}
	}
	sig = watch(&r, &sigs, live, &aborted);
	for (i = 0; i < nthreads; i++)
		pthread_join(r.workers[i].thread, NULL);
	r.nthreads = nthreads;

	res.o = &opts;
	res.nthreads = nthreads;
	res.ran = true;
	merge(&r, &res, lat, clat, &last_stop, &all_finished);
	if (last_stop > r.end)
		last_stop = r.end;
	res.elapsed_ns = last_stop > r.start ? last_stop - r.start : 0;
	res.stopped_by = stop_reason(&opts, sig, aborted, all_finished);
	res.error = aborted ? abort_reason(&r, &res.c) : NULL;
	res.first_error = r.first_error[0] ? r.first_error : NULL;
	res.lat = lat;
	res.connect_lat = clat;
	res.open_peak = atomic_load(&r.open_peak);
	res.full_at_ns = atomic_load(&r.full_at);
	res.first_fail_ns = atomic_load(&r.first_fail);
	res.open_at_first_fail = atomic_load(&r.open_at_first_fail);
	res.series = r.series;
	res.nseries = (unsigned int)((res.elapsed_ns + NSEC_PER_SEC - 1) / NSEC_PER_SEC);
	if (res.nseries > r.nsec)
		res.nseries = r.nsec;
	if (aborted)
		fprintf(stderr, "storm: %s\n", res.error);
	print_result(&res, json);
	run_free(&r);
	free(lat);
	free(clat);
	if (aborted)
		return 1;
	return sig ? 128 + sig : 0;
}
