/*
 * Rendering a result: report_json() writes the one-line JSON object that
 * scripts read (every field is documented in docs/storm.md; fields that do
 * not apply to the mode are left out, not zeroed), report_text() the
 * summary a person reads on a terminal.
 */
#include "report.h"
#include "json.h"

#include <inttypes.h>

#define STORM_SCHEMA	1

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static uint64_t errors_total(const struct counters *c)
{
	uint64_t n = 0;
	int k;

	for (k = 0; k < NR_ERR; k++)
		n += c->errors[k];
	return n;
}

static void json_latency(struct json *j, const char *key, const struct hist *h)
{
	json_obj(j, key);
	json_u64(j, "count", h->count);
	if (h->count) {
		json_num(j, "min", us(h->min), 1);
		json_num(j, "mean", hist_mean(h) / 1000.0, 1);
		json_num(j, "p50", us(hist_percentile(h, 50)), 1);
		json_num(j, "p90", us(hist_percentile(h, 90)), 1);
		json_num(j, "p99", us(hist_percentile(h, 99)), 1);
		json_num(j, "p999", us(hist_percentile(h, 99.9)), 1);
		json_num(j, "max", us(h->max), 1);
	}
	json_close_obj(j);
}

static void json_config(struct json *j, const struct result *res)
{
	const struct storm_opts *o = res->o;

	json_obj(j, "config");
	json_u64(j, "threads", res->nthreads);
	if (o->mode != MODE_SYNFLOOD)
		json_u64(j, "connections", o->connections);
	if (o->rate > 0)
		json_num(j, "rate", o->rate, 3);
	else
		json_null(j, "rate");
	json_num(j, "duration_s", (double)o->duration_ns / 1e9, 3);
	if (o->count)
		json_u64(j, "count", o->count);
	else
		json_null(j, "count");
	if (o->mode == MODE_CRR || o->mode == MODE_RR)
		json_u64(j, "request_size", o->request_size);
	if (o->mode == MODE_CRR)
		json_u64(j, "response_size", o->response_size);
	if (o->mode != MODE_SYNFLOOD)
		json_u64(j, "timeout_ms", o->timeout_ms);
	json_u64(j, "source_addrs", o->nsources);
	json_close_obj(j);
}

static void json_errors(struct json *j, const struct counters *c)
{
	int k;

	json_obj(j, "errors");
	json_u64(j, "total", errors_total(c));
	for (k = 0; k < NR_ERR; k++)
		json_u64(j, err_names[k], c->errors[k]);
	json_close_obj(j);
}

static void json_hold(struct json *j, const struct result *res)
{
	json_obj(j, "hold");
	json_u64(j, "target", res->o->connections);
	json_u64(j, "established", res->c.established);
	json_i64(j, "peak_open", res->open_peak);
	json_u64(j, "open_at_end", res->c.open_at_end);
	json_u64(j, "dropped", res->c.dropped);
	if (res->full_at_ns)
		json_num(j, "full_at_s", (double)res->full_at_ns / 1e9, 3);
	else
		json_null(j, "full_at_s");
	if (res->first_fail_ns) {
		json_num(j, "first_failure_s", (double)res->first_fail_ns / 1e9, 3);
		json_i64(j, "open_at_first_failure", res->open_at_first_fail);
	} else {
		json_null(j, "first_failure_s");
		json_null(j, "open_at_first_failure");
	}
	json_close_obj(j);
}

static void json_series(struct json *j, const struct result *res)
{
	unsigned int i;

	json_arr(j, "series");
	for (i = 0; i < res->nseries; i++) {
		const struct sec_slot *s = &res->series[i];

		json_obj(j, NULL);
		json_u64(j, "t", i);
		json_u64(j, "ops", s->ops);
		json_u64(j, "errors", s->errors);
		if (res->o->mode != MODE_SYNFLOOD) {
			json_u64(j, "connects", s->established);
			json_u64(j, "open", s->open);
		}
		if (s->lat.count) {
			json_num(j, "p50_us", us(hist_percentile(&s->lat, 50)), 1);
			json_num(j, "p99_us", us(hist_percentile(&s->lat, 99)), 1);
			json_num(j, "max_us", us(s->lat.max), 1);
		}
		json_close_obj(j);
	}
	json_close_arr(j);
}

static void json_counts(struct json *j, const struct result *res)
{
	const struct counters *c = &res->c;
	enum storm_mode m = res->o->mode;
	double secs = (double)res->elapsed_ns / 1e9;

	json_num(j, "elapsed_s", secs, 3);
	json_u64(j, "ops", c->ops);
	json_num(j, "ops_per_s", secs > 0 ? (double)c->ops / secs : 0, 1);
	json_u64(j, "started", c->started);
	json_u64(j, "failed", c->failed);
	json_u64(j, "cancelled", c->cancelled);
	if (m != MODE_SYNFLOOD) {
		json_obj(j, "connects");
		json_u64(j, "attempted", c->attempts);
		json_u64(j, "established", c->established);
		json_close_obj(j);
	}
	if (m == MODE_CRR || m == MODE_RR) {
		json_u64(j, "requests", c->requests);
		json_u64(j, "responses", c->responses);
	}
	if (m == MODE_RR)
		json_u64(j, "open_at_end", c->open_at_end);
	json_obj(j, "bytes");
	json_u64(j, "sent", c->bytes_tx);
	json_u64(j, "received", c->bytes_rx);
	json_close_obj(j);
	json_errors(j, c);
	json_str(j, "first_error", res->first_error);
}

void report_json(FILE *f, const struct result *res)
{
	const struct storm_opts *o = res->o;
	struct json j;
	char target[32];

	format_addr(target, sizeof(target), o->target_addr, o->target_port);
	json_begin(&j, f);
	json_str(&j, "tool", "storm");
	json_u64(&j, "schema", STORM_SCHEMA);
	json_str(&j, "mode", mode_name(o->mode));
	json_str(&j, "loop", o->rate > 0 ? "open" : "closed");
	json_str(&j, "target", target);
	json_bool(&j, "ok", !res->error);
	json_str(&j, "error", res->error);
	json_str(&j, "stopped_by", res->stopped_by);
	json_config(&j, res);
	if (res->ran) {
		json_counts(&j, res);
		if (o->mode != MODE_SYNFLOOD) {
			json_latency(&j, "latency_us", res->lat);
			json_latency(&j, "connect_us", res->connect_lat);
		}
		if (o->rate > 0) {
			json_obj(&j, "open_loop");
			json_num(&j, "rate", o->rate, 3);
			json_u64(&j, "scheduled", res->c.scheduled);
			json_u64(&j, "started", res->c.started);
			json_u64(&j, "backlog", res->c.scheduled - res->c.started);
			json_close_obj(&j);
		}
		if (o->mode == MODE_HOLD)
			json_hold(&j, res);
		if (o->mode == MODE_SYNFLOOD) {
			json_obj(&j, "synflood");
			json_u64(&j, "sent", res->c.ops);
			json_u64(&j, "sources", o->nsources);
			json_close_obj(&j);
		}
		if (o->series)
			json_series(&j, res);
	}
	json_end(&j);
}

/* A latency in the unit that suits it. */
static const char *fmt_lat(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
	return buf;
}

static void text_latency(FILE *f, const char *label, const struct hist *h)
{
	char a[16], b[16], c[16], d[16], e[16], m[16];

	if (!h->count)
		return;
	fprintf(f, "  %-11s p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (mean %s)\n", label,
		fmt_lat(a, sizeof(a), hist_percentile(h, 50)),
		fmt_lat(b, sizeof(b), hist_percentile(h, 90)),
		fmt_lat(c, sizeof(c), hist_percentile(h, 99)),
		fmt_lat(d, sizeof(d), hist_percentile(h, 99.9)),
		fmt_lat(e, sizeof(e), h->max), fmt_lat(m, sizeof(m), (uint64_t)hist_mean(h)));
}

static void text_errors(FILE *f, const struct result *res)
{
	const struct counters *c = &res->c;
	const char *sep = " (";
	int k;

	if (!errors_total(c)) {
		fprintf(f, "  %-11s none\n", "errors");
		return;
	}
	fprintf(f, "  %-11s %" PRIu64, "errors", errors_total(c));
	for (k = 0; k < NR_ERR; k++) {
		if (!c->errors[k])
			continue;
		fprintf(f, "%s%s %" PRIu64, sep, err_names[k], c->errors[k]);
		sep = ", ";
	}
	fprintf(f, ")\n");
	if (res->first_error)
		fprintf(f, "  %-11s %s\n", "first", res->first_error);
}

void report_text(FILE *f, const struct result *res)
{
	const struct storm_opts *o = res->o;
	const struct counters *c = &res->c;
	double secs = (double)res->elapsed_ns / 1e9;
	char target[32];

	format_addr(target, sizeof(target), o->target_addr, o->target_port);
	fprintf(f, "storm %s -> %s: %s loop", mode_name(o->mode), target,
		o->rate > 0 ? "open" : "closed");
	if (o->rate > 0)
		fprintf(f, " at %.0f/s", o->rate);
	if (o->mode != MODE_SYNFLOOD)
		fprintf(f, ", %u connections", o->connections);
	fprintf(f, ", %u threads\n", res->nthreads);
	if (res->error)
		fprintf(f, "  ERROR      %s\n", res->error);
	if (!res->ran)
		return;
	fprintf(f, "  %-11s %.2f s (stopped by %s)\n", "ran", secs, res->stopped_by);
	fprintf(f, "  %-11s %" PRIu64 " done, %.1f/s (started %" PRIu64 ", failed %" PRIu64
		", cancelled at the stop %" PRIu64 ")\n", "operations", c->ops,
		secs > 0 ? (double)c->ops / secs : 0, c->started, c->failed, c->cancelled);
	if (o->mode != MODE_SYNFLOOD)
		fprintf(f, "  %-11s %" PRIu64 " attempted, %" PRIu64 " established\n", "connects",
			c->attempts, c->established);
	text_errors(f, res);
	if (o->mode != MODE_SYNFLOOD) {
		text_latency(f, o->mode == MODE_HOLD ? "connect" : "latency", res->lat);
		if (o->mode != MODE_HOLD)
			text_latency(f, "connect", res->connect_lat);
	}
	if (o->rate > 0)
		fprintf(f, "  %-11s %" PRIu64 " scheduled, %" PRIu64 " started, backlog %"
			PRIu64 "\n", "open loop", c->scheduled, c->started,
			c->scheduled - c->started);
	if (o->mode == MODE_HOLD) {
		fprintf(f, "  %-11s %" PRIu64 " open at the end of %u, peak %ld, dropped %"
			PRIu64 "\n", "hold", c->open_at_end, o->connections, res->open_peak,
			c->dropped);
		if (res->full_at_ns)
			fprintf(f, "  %-11s all %u open after %.3f s\n", "", o->connections,
				(double)res->full_at_ns / 1e9);
		if (res->first_fail_ns)
			fprintf(f, "  %-11s first failure after %.3f s, with %ld open\n", "",
				(double)res->first_fail_ns / 1e9, res->open_at_first_fail);
	}
}
