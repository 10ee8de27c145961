/*
 * The result of one run and its two renderings: one JSON object on one
 * line for scripts (schema in docs/storm.md), or a short human summary.
 * main.c fills struct result from the merged worker counters.
 */
#ifndef STORM_REPORT_H
#define STORM_REPORT_H

#include "storm.h"

#include <stdio.h>

struct result {
	const struct storm_opts *o;
	unsigned int nthreads;
	bool ran;			/* false: stopped before the storm (error set) */
	uint64_t elapsed_ns;
	const char *stopped_by;		/* duration, count, complete, signal, error */
	const char *error;		/* why the run failed or was aborted; NULL if ok */
	const char *first_error;	/* the first failed operation, in words */
	struct counters c;
	const struct hist *lat, *connect_lat;
	long open_peak;
	uint64_t full_at_ns, first_fail_ns;	/* since the start; 0: never */
	long open_at_first_fail;
	const struct sec_slot *series;
	unsigned int nseries;
};

void report_json(FILE *f, const struct result *res);
void report_text(FILE *f, const struct result *res);

/* live.c: the progress line on a terminal */
struct live_state {
	uint64_t last_t, last_ops;
	double rate;
};

void live_line(FILE *f, const struct run *r, struct live_state *ls, uint64_t now);
void live_clear(FILE *f);

/* help.c */
void help_full(FILE *f);
void help_short(FILE *f);

/* probe.c: checks before the storm, each with a message that says what to do */
int probe_target(const struct storm_opts *o, char *msg, size_t len);
int probe_sources(const struct storm_opts *o, char *msg, size_t len);
int probe_raw(const struct storm_opts *o, char *msg, size_t len);
int raise_fd_limit(uint64_t need, char *msg, size_t len);

#endif
