/*
 * The live progress line on stderr (a terminal): elapsed time, operations
 * and their rate over the last half second, errors and open connections.
 * It reads what the workers publish (relaxed atomics), never their state.
 */
#include "report.h"

#include <inttypes.h>

#define LIVE_PERIOD_NS	(500 * NSEC_PER_MSEC)

void live_line(FILE *f, const struct run *r, struct live_state *ls, uint64_t now)
{
	uint64_t ops = 0, errors = 0, open = 0;
	unsigned int i;

	if (ls->last_t && now - ls->last_t < LIVE_PERIOD_NS)
		return;
	for (i = 0; i < r->nthreads; i++) {
		const struct live_pub *p = &r->workers[i].live;

		ops += atomic_load_explicit(&p->ops, memory_order_relaxed);
		errors += atomic_load_explicit(&p->errors, memory_order_relaxed);
		open += atomic_load_explicit(&p->open, memory_order_relaxed);
	}
	if (ls->last_t)
		ls->rate = (double)(ops - ls->last_ops) * 1e9 / (double)(now - ls->last_t);
	ls->last_t = now;
	ls->last_ops = ops;
	fprintf(f, "\r\033[K%s %5.1f/%.0fs  ops %" PRIu64 "  %.0f/s  errors %" PRIu64
		"  open %" PRIu64, mode_name(r->o->mode), (double)(now - r->start) / 1e9,
		(double)r->o->duration_ns / 1e9, ops, ls->rate, errors, open);
	fflush(f);
}

void live_clear(FILE *f)
{
	fputs("\r\033[K", f);
	fflush(f);
}
