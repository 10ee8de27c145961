/*
 * Writing a stats snapshot as JSON or as aligned text (stats_format.h).
 * Pure formatting: no locks, no kernel state, the same bytes on the host
 * and in the guest (numbers go through %lu, 64 bits on x86-64 both ways).
 *
 * The text is /proc/net/snmp's layout made readable: per group a line of
 * names and a line of values, both prefixed "Tcp:", and every column as
 * wide as its widest cell, so `split()` still parses it. The tables (CPUs,
 * queues, locks, workers) are a header line and one line per row.
 */
#include <net/core/stats_format.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void seq_buf_init(struct seq_buf *s, char *buf, size_t size)
{
	s->buffer = buf;
	s->size = size;
	s->len = 0;
	if (size)
		buf[0] = '\0';
}

void seq_buf_printf(struct seq_buf *s, const char *fmt, ...)
{
	va_list ap;
	size_t room = s->len < s->size ? s->size - s->len : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? s->buffer + s->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n;
}

int seq_buf_has_overflowed(const struct seq_buf *s)
{
	return s->len >= s->size;
}

/* ---- JSON ---- */

static void json_group(struct seq_buf *s, const struct stats_mib_group *g, int first)
{
	seq_buf_printf(s, "%s\"%s\":{", first ? "" : ",", g->name);
	for (unsigned int i = 0; i < g->n; i++)
		seq_buf_printf(s, "%s\"%s\":%lu", i ? "," : "", g->names[i],
			       (unsigned long)g->values[i]);
	seq_buf_printf(s, "}");
}

static void json_cpus(struct seq_buf *s, const struct stats_snapshot *st)
{
	seq_buf_printf(s, ",\"cpus\":[");
	for (unsigned int c = 0; c < st->ncpus; c++) {
		const struct stats_cpu *p = &st->cpus[c];

		seq_buf_printf(s, "%s{\"cpu\":%u,\"busy_cycles\":%lu,\"idle_cycles\":%lu,"
			       "\"softirq_cycles\":%lu,\"conns\":%lu,\"spurious_wakeups\":%lu,"
			       "\"softnet_processed\":%lu,\"time_squeeze\":%lu}", c ? "," : "", c,
			       (unsigned long)p->busy_cycles, (unsigned long)p->idle_cycles,
			       (unsigned long)p->softirq_cycles, (unsigned long)p->conns,
			       (unsigned long)p->spurious_wakeups, (unsigned long)p->softnet_processed,
			       (unsigned long)p->time_squeeze);
	}
	seq_buf_printf(s, "]");
}

static void json_netdev(struct seq_buf *s, const struct stats_snapshot *st)
{
	seq_buf_printf(s, ",\"netdev\":{");
	if (st->netdev) {
		seq_buf_printf(s, "\"%s\":{\"queues\":[", st->netdev);
		for (unsigned int q = 0; q < st->nqueues; q++) {
			const struct stats_queue *p = &st->queues[q];

			seq_buf_printf(s, "%s{\"queue\":%u,\"cpu\":%u,\"rx_packets\":%lu,"
				       "\"rx_bytes\":%lu,\"rx_dropped\":%lu,\"rx_interrupts\":%lu,"
				       "\"tx_packets\":%lu,\"tx_bytes\":%lu,\"tx_busy\":%lu}",
				       q ? "," : "", q, p->cpu, (unsigned long)p->rx_packets,
				       (unsigned long)p->rx_bytes, (unsigned long)p->rx_dropped,
				       (unsigned long)p->rx_interrupts, (unsigned long)p->tx_packets,
				       (unsigned long)p->tx_bytes, (unsigned long)p->tx_busy);
		}
		seq_buf_printf(s, "]}");
	}
	seq_buf_printf(s, "}");
}

static void json_locks(struct seq_buf *s, const struct stats_snapshot *st)
{
	seq_buf_printf(s, ",\"locks\":[");
	for (unsigned int i = 0; i < st->nlocks; i++) {
		const struct stats_lock *l = &st->locks[i];

		seq_buf_printf(s, "%s{\"name\":\"%s\",\"acquired\":%lu,\"contended\":%lu,"
			       "\"spin_cycles\":%lu}", i ? "," : "", l->name,
			       (unsigned long)l->acquired, (unsigned long)l->contended,
			       (unsigned long)l->spin_cycles);
	}
	seq_buf_printf(s, "]");
}

static void json_workers(struct seq_buf *s, const struct stats_snapshot *st)
{
	seq_buf_printf(s, ",\"workers\":[");
	for (unsigned int i = 0; i < st->nworkers; i++) {
		const struct stats_worker *w = &st->workers[i];

		seq_buf_printf(s, "%s{\"worker\":%u,\"tid\":%d,\"cpu\":%u,\"accepts\":%lu,"
			       "\"handled\":%lu,\"spurious_wakeups\":%lu,\"errors\":%lu}",
			       i ? "," : "", i, w->tid, w->cpu, (unsigned long)w->accepts,
			       (unsigned long)w->handled, (unsigned long)w->spurious_wakeups,
			       (unsigned long)w->errors);
	}
	seq_buf_printf(s, "]");
}

static void json_endpoint(struct seq_buf *s, const struct stats_endpoint *e)
{
	seq_buf_printf(s, ",\"endpoint\":{\"port\":%u,\"requests\":%lu,\"bad_requests\":%lu,"
		       "\"timeouts\":%lu,\"aborted\":%lu}", e->port, (unsigned long)e->requests,
		       (unsigned long)e->bad_requests, (unsigned long)e->timeouts,
		       (unsigned long)e->aborted);
}

/* Names (MIB names, lock class names, the device name) are C identifiers: no escapes needed. */
void stats_format_json(struct seq_buf *s, const struct stats_snapshot *st)
{
	seq_buf_printf(s, "{\"source\":\"squall\",\"schema\":%d,\"ncpus\":%u,\"tsc_hz\":%lu,"
		       "\"uptime_s\":%lu.%03lu,\"snmp\":{", STATS_SCHEMA, st->ncpus,
		       (unsigned long)st->tsc_hz, (unsigned long)(st->uptime_ms / 1000),
		       (unsigned long)(st->uptime_ms % 1000));
	for (int g = 0; g < STATS_NR_SNMP; g++)
		json_group(s, &st->snmp[g], g == 0);
	seq_buf_printf(s, "},\"netstat\":{");
	for (int g = 0; g < STATS_NR_NETSTAT; g++)
		json_group(s, &st->netstat[g], g == 0);
	seq_buf_printf(s, "}");
	json_cpus(s, st);
	json_netdev(s, st);
	json_locks(s, st);
	json_workers(s, st);
	json_endpoint(s, &st->endpoint);
	seq_buf_printf(s, "}\n");
}

/* ---- text ---- */

/* A table: @ncols numeric columns, an optional left-aligned label column. */
struct text_table {
	const char *label_head;		/* NULL: no label column */
	const char *(*label)(const void *ctx, unsigned int row);
	unsigned int ncols, nrows;
	const char *const *names;
	uint64_t (*cell)(const void *ctx, unsigned int row, unsigned int col);
	const void *ctx;
};

static int udigits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static void text_table(struct seq_buf *s, const struct text_table *t)
{
	int lw = t->label_head ? (int)strlen(t->label_head) : 0;
	int w[STATS_MAX_FIELDS];

	if (t->ncols > STATS_MAX_FIELDS)
		return;
	for (unsigned int r = 0; t->label_head && r < t->nrows; r++)
		if ((int)strlen(t->label(t->ctx, r)) > lw)
			lw = (int)strlen(t->label(t->ctx, r));
	for (unsigned int c = 0; c < t->ncols; c++) {
		w[c] = (int)strlen(t->names[c]);
		for (unsigned int r = 0; r < t->nrows; r++)
			if (udigits(t->cell(t->ctx, r, c)) > w[c])
				w[c] = udigits(t->cell(t->ctx, r, c));
	}
	if (t->label_head)
		seq_buf_printf(s, "%-*s", lw, t->label_head);
	for (unsigned int c = 0; c < t->ncols; c++)
		seq_buf_printf(s, "%s%*s", c || t->label_head ? " " : "", w[c], t->names[c]);
	seq_buf_printf(s, "\n");
	for (unsigned int r = 0; r < t->nrows; r++) {
		if (t->label_head)
			seq_buf_printf(s, "%-*s", lw, t->label(t->ctx, r));
		for (unsigned int c = 0; c < t->ncols; c++)
			seq_buf_printf(s, "%s%*lu", c || t->label_head ? " " : "", w[c],
				       (unsigned long)t->cell(t->ctx, r, c));
		seq_buf_printf(s, "\n");
	}
}

struct group_ctx {
	const struct stats_mib_group *g;
	char label[24];
};

static const char *group_label(const void *ctx, unsigned int row)
{
	(void)row;
	return ((const struct group_ctx *)ctx)->label;
}

static uint64_t group_cell(const void *ctx, unsigned int row, unsigned int col)
{
	(void)row;
	return ((const struct group_ctx *)ctx)->g->values[col];
}

/* "Tcp: names" / "Tcp: values"; an empty group prints nothing. */
static void text_group(struct seq_buf *s, const struct stats_mib_group *g)
{
	struct group_ctx ctx = { .g = g };
	struct text_table t = {
		.label_head = ctx.label, .label = group_label, .ncols = g->n, .nrows = 1,
		.names = g->names, .cell = group_cell, .ctx = &ctx,
	};

	if (!g->n)
		return;
	snprintf(ctx.label, sizeof(ctx.label), "%s:", g->name);
	text_table(s, &t);
}

static const char *const cpu_names[] = {
	"cpu", "busy_cycles", "idle_cycles", "softirq_cycles", "conns", "spurious_wakeups",
	"softnet_processed", "time_squeeze",
};

static uint64_t cpu_cell(const void *ctx, unsigned int row, unsigned int col)
{
	const struct stats_cpu *p = &((const struct stats_snapshot *)ctx)->cpus[row];
	const uint64_t v[] = { row, p->busy_cycles, p->idle_cycles, p->softirq_cycles, p->conns,
			       p->spurious_wakeups, p->softnet_processed, p->time_squeeze };

	return v[col];
}

static const char *const queue_names[] = {
	"queue", "cpu", "rx_packets", "rx_bytes", "rx_dropped", "rx_interrupts", "tx_packets",
	"tx_bytes", "tx_busy",
};

static uint64_t queue_cell(const void *ctx, unsigned int row, unsigned int col)
{
	const struct stats_queue *p = &((const struct stats_snapshot *)ctx)->queues[row];
	const uint64_t v[] = { row, p->cpu, p->rx_packets, p->rx_bytes, p->rx_dropped,
			       p->rx_interrupts, p->tx_packets, p->tx_bytes, p->tx_busy };

	return v[col];
}

static const char *const lock_names[] = { "acquired", "contended", "spin_cycles" };

static const char *lock_label(const void *ctx, unsigned int row)
{
	return ((const struct stats_snapshot *)ctx)->locks[row].name;
}

static uint64_t lock_cell(const void *ctx, unsigned int row, unsigned int col)
{
	const struct stats_lock *l = &((const struct stats_snapshot *)ctx)->locks[row];
	const uint64_t v[] = { l->acquired, l->contended, l->spin_cycles };

	return v[col];
}

static const char *const worker_names[] = {
	"worker", "tid", "cpu", "accepts", "handled", "spurious_wakeups", "errors",
};

static uint64_t worker_cell(const void *ctx, unsigned int row, unsigned int col)
{
	const struct stats_worker *w = &((const struct stats_snapshot *)ctx)->workers[row];
	const uint64_t v[] = { row, (uint64_t)w->tid, w->cpu, w->accepts, w->handled,
			       w->spurious_wakeups, w->errors };

	return v[col];
}

static const char *const endpoint_names[] = {
	"stats_port", "requests", "bad_requests", "timeouts", "aborted",
};

static uint64_t endpoint_cell(const void *ctx, unsigned int row, unsigned int col)
{
	const struct stats_endpoint *e = ctx;
	const uint64_t v[] = { e->port, e->requests, e->bad_requests, e->timeouts, e->aborted };

	(void)row;
	return v[col];
}

#define NCOLS(a) (unsigned int)(sizeof(a) / sizeof((a)[0]))

void stats_format_text(struct seq_buf *s, const struct stats_snapshot *st, enum stats_text_mode mode)
{
	struct text_table cpus = { .ncols = NCOLS(cpu_names), .nrows = st->ncpus,
				   .names = cpu_names, .cell = cpu_cell, .ctx = st };
	struct text_table queues = { .ncols = NCOLS(queue_names), .nrows = st->nqueues,
				     .names = queue_names, .cell = queue_cell, .ctx = st };
	struct text_table locks = { .label_head = "lock", .label = lock_label,
				    .ncols = NCOLS(lock_names), .nrows = st->nlocks,
				    .names = lock_names, .cell = lock_cell, .ctx = st };
	struct text_table workers = { .ncols = NCOLS(worker_names), .nrows = st->nworkers,
				      .names = worker_names, .cell = worker_cell, .ctx = st };
	struct text_table endpoint = { .ncols = NCOLS(endpoint_names), .nrows = 1,
				       .names = endpoint_names, .cell = endpoint_cell,
				       .ctx = &st->endpoint };
	int full = mode == STATS_TEXT_FULL;

	seq_buf_printf(s, "squall stats: %u cpus, tsc %lu Hz, uptime %lu.%03lu s\n", st->ncpus,
		       (unsigned long)st->tsc_hz, (unsigned long)(st->uptime_ms / 1000),
		       (unsigned long)(st->uptime_ms % 1000));
	for (int g = 0; g < STATS_NR_SNMP; g++)
		if (full || g == STATS_TCP)
			text_group(s, &st->snmp[g]);
	for (int g = 0; g < STATS_NR_NETSTAT; g++)
		if (full || g == STATS_TCPEXT)
			text_group(s, &st->netstat[g]);
	text_table(s, &cpus);
	if (full && st->netdev) {
		seq_buf_printf(s, "netdev %s\n", st->netdev);
		text_table(s, &queues);
	}
	if (full)
		text_table(s, &locks);
	if (st->nworkers)
		text_table(s, &workers);
	if (full)
		text_table(s, &endpoint);
}
