/*
 * stormd's stats endpoint for the Linux build (-DSTORMD_STATS): port 7070
 * (--stats-port), so that a Linux guest is read the same way as Squall,
 * whose kernel serves its own counters on that port.
 *
 *   GET /stats   JSON: the kernel's counters from /proc parsed into objects,
 *                plus stormd's per-worker counters (docs/experiments.md has
 *                the schema)
 *   GET /        the same as text: stormd's table, then the raw /proc files
 *
 * One thread, one connection at a time, Connection: close; a client gets 2 s
 * to send its request. The endpoint's own connections count in the TCP MIBs
 * (one PassiveOpens per request), which the experiment runner subtracts.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "stormd.h"

struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void sb_reserve(struct sbuf *b, size_t more)
{
	char *p;
	size_t cap;

	if (b->oom || b->len + more + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 8192;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return;
	}
	b->p = p;
	b->cap = cap;
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_reserve(b, (size_t)n);
	if (b->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

/* A JSON string, with escapes. */
static void sb_str(struct sbuf *b, const char *s, size_t n)
{
	sb_put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c < 0x20)
			sb_printf(b, "\\u%04x", c);
		else
			sb_put(b, (const char *)&c, 1);
	}
	sb_put(b, "\"", 1);
}

/* A token as a JSON number if it is an integer, else as a string. */
static void sb_value(struct sbuf *b, const char *s, size_t n)
{
	size_t i = (n && s[0] == '-') ? 1 : 0;
	int num = i < n;

	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			num = 0;
	if (num && n < 21)
		sb_put(b, s, n);
	else
		sb_str(b, s, n);
}

/* The whole of a small /proc file (NUL-terminated), or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *p = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *q = realloc(p, cap + 16384);

			if (!q) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = q;
			cap += 16384;
		}
		n = fread(p + len, 1, cap - len - 1, f);
		if (!n)
			break;
		len += n;
	}
	fclose(f);
	p[len] = 0;
	return p;
}

/* Split s into whitespace-separated tokens (in place); their count. */
static int tokens(char *s, char **tok, int max)
{
	int n = 0;

	while (*s && n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = 0;
	}
	return n;
}

static char *next_line(char **s)
{
	char *line = *s, *nl;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = 0;
		*s = nl + 1;
	} else {
		*s = line + strlen(line);
	}
	return line;
}

#define MAX_TOK 512

/* /proc/net/snmp and /proc/net/netstat: "Tcp: names" / "Tcp: values" pairs. */
static void json_mib_file(struct sbuf *b, const char *path)
{
	char *text = slurp(path), *s = text, *names, *values;
	static char *nt[MAX_TOK], *vt[MAX_TOK];
	int first = 1;

	if (!text) {
		sb_printf(b, "null");
		return;
	}
	sb_put(b, "{", 1);
	while ((names = next_line(&s)) && (values = next_line(&s))) {
		int nn = tokens(names, nt, MAX_TOK), nv = tokens(values, vt, MAX_TOK);

		if (nn < 1 || nv != nn || strcmp(nt[0], vt[0]))
			continue;
		sb_printf(b, "%s", first ? "" : ",");
		first = 0;
		sb_str(b, nt[0], strlen(nt[0]) - (nt[0][strlen(nt[0]) - 1] == ':'));
		sb_put(b, ":{", 2);
		for (int i = 1; i < nn; i++) {
			sb_printf(b, "%s", i > 1 ? "," : "");
			sb_str(b, nt[i], strlen(nt[i]));
			sb_put(b, ":", 1);
			sb_value(b, vt[i], strlen(vt[i]));
		}
		sb_put(b, "}", 1);
	}
	sb_put(b, "}", 1);
	free(text);
}

static const char *const cpu_fields[] = {
	"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
	"guest", "guest_nice",
};
static const char *const softirq_names[] = {
	"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED",
	"HRTIMER", "RCU",
};

static void json_cpu_line(struct sbuf *b, char **t, int n)
{
	sb_put(b, "{", 1);
	for (int i = 1; i < n && i <= 10; i++) {
		sb_printf(b, "%s\"%s\":", i > 1 ? "," : "", cpu_fields[i - 1]);
		sb_value(b, t[i], strlen(t[i]));
	}
	sb_put(b, "}", 1);
}

/* /proc/stat: cpu (jiffies), cpus[], intr (total), ctxt, softirq{}, ... */
static void json_proc_stat(struct sbuf *b)
{
	char *text = slurp("/proc/stat"), *s = text, *line;
	static char *t[MAX_TOK];
	int ncpu = 0;

	if (!text) {
		sb_printf(b, "null");
		return;
	}
	sb_put(b, "{", 1);
	/* the total line first, then the per-CPU ones as a list */
	while ((line = next_line(&s))) {
		int n = tokens(line, t, MAX_TOK);

		if (n < 2)
			continue;
		if (!strcmp(t[0], "cpu")) {
			sb_put(b, "\"cpu\":", 6);
			json_cpu_line(b, t, n);
			sb_put(b, ",\"cpus\":[", 9);
		} else if (!strncmp(t[0], "cpu", 3)) {
			sb_printf(b, "%s", ncpu++ ? "," : "");
			json_cpu_line(b, t, n);
		} else {
			if (ncpu >= 0) {
				sb_put(b, "]", 1);
				ncpu = -1;
			}
			if (!strcmp(t[0], "intr")) {
				sb_put(b, ",\"intr\":", 8);
				sb_value(b, t[1], strlen(t[1]));
			} else if (!strcmp(t[0], "softirq")) {
				sb_put(b, ",\"softirq\":{\"total\":", 20);
				sb_value(b, t[1], strlen(t[1]));
				for (int i = 2; i < n && i - 2 < 10; i++) {
					sb_printf(b, ",\"%s\":", softirq_names[i - 2]);
					sb_value(b, t[i], strlen(t[i]));
				}
				sb_put(b, "}", 1);
			} else {
				sb_put(b, ",", 1);
				sb_str(b, t[0], strlen(t[0]));
				sb_put(b, ":", 1);
				sb_value(b, t[1], strlen(t[1]));
			}
		}
	}
	if (ncpu >= 0)
		sb_put(b, "]", 1);
	sb_put(b, "}", 1);
	free(text);
}

/*
 * Per-CPU tables with a "CPU0 CPU1 ..." header: /proc/softirqs (every row)
 * and /proc/interrupts (rows whose name has "virtio": the NIC's queues).
 * Each row becomes "NAME": [per-CPU counts].
 */
static void json_percpu_table(struct sbuf *b, const char *path, int virtio_only)
{
	char *text = slurp(path), *s = text, *line;
	static char *t[MAX_TOK];
	int ncpu, first = 1;

	if (!text) {
		sb_printf(b, "null");
		return;
	}
	line = next_line(&s);
	ncpu = line ? tokens(line, t, MAX_TOK) : 0;
	sb_put(b, "{", 1);
	while ((line = next_line(&s))) {
		int n = tokens(line, t, MAX_TOK);
		const char *name = t[0];
		size_t len;

		if (n < ncpu + 1)
			continue;
		if (virtio_only) {
			if (!strstr(t[n - 1], "virtio"))
				continue;
			name = t[n - 1];
		}
		len = strlen(name);
		if (!virtio_only && len && name[len - 1] == ':')
			len--;
		sb_printf(b, "%s", first ? "" : ",");
		first = 0;
		sb_str(b, name, len);
		sb_put(b, ":[", 2);
		for (int i = 1; i <= ncpu; i++) {
			sb_printf(b, "%s", i > 1 ? "," : "");
			sb_value(b, t[i], strlen(t[i]));
		}
		sb_put(b, "]", 1);
	}
	sb_put(b, "}", 1);
	free(text);
}

/* /proc/net/dev: per interface, the main counters. */
static void json_netdev(struct sbuf *b)
{
	static const char *const names[] = {
		"rx_bytes", "rx_packets", "rx_errs", "rx_drop", "rx_fifo", "rx_frame",
		"rx_compressed", "rx_multicast", "tx_bytes", "tx_packets", "tx_errs",
		"tx_drop", "tx_fifo", "tx_colls", "tx_carrier", "tx_compressed",
	};
	char *text = slurp("/proc/net/dev"), *s = text, *line;
	static char *t[MAX_TOK];
	int first = 1;

	if (!text) {
		sb_printf(b, "null");
		return;
	}
	sb_put(b, "{", 1);
	while ((line = next_line(&s))) {
		char *colon = strchr(line, ':');
		int n;

		if (!colon || strchr(line, '|'))
			continue;
		*colon = ' ';
		n = tokens(line, t, MAX_TOK);
		if (n != 17)
			continue;
		sb_printf(b, "%s", first ? "" : ",");
		first = 0;
		sb_str(b, t[0], strlen(t[0]));
		sb_put(b, ":{", 2);
		for (int i = 1; i < n; i++) {
			sb_printf(b, "%s\"%s\":", i > 1 ? "," : "", names[i - 1]);
			sb_value(b, t[i], strlen(t[i]));
		}
		sb_put(b, "}", 1);
	}
	sb_put(b, "}", 1);
	free(text);
}

#define STAT_KEYS(X) X(accepts) X(handled) X(requests) X(spurious_wakeups) X(wakeups) \
	X(conn_spurious) X(errors) X(accept_errors) X(bytes_in) X(bytes_out)

static void json_stormd(struct sbuf *b, const struct stormd_config *cfg)
{
	struct worker_stats t;
	int64_t open = 0;

	memset(&t, 0, sizeof(t));
	sb_printf(b, "{\"mode\":\"%s\",\"proto\":\"%s\",\"port\":%d,\"response_size\":%u,"
		  "\"workers\":[", stormd_mode_name(cfg->mode), stormd_proto_name(cfg->proto),
		  cfg->port, cfg->response_size);
	for (unsigned int i = 0; i < stormd_nworkers; i++) {
		const struct worker_stats *s = stormd_workers[i].stats;
		int64_t o = __atomic_load_n(&s->open, __ATOMIC_RELAXED);

		sb_printf(b, "%s{\"worker\":%u,\"cpu\":%d", i ? "," : "", i, stormd_workers[i].cpu);
#define X(f) { uint64_t v = stat_load(&s->f); t.f += v; \
		sb_printf(b, ",\"" #f "\":%llu", (unsigned long long)v); }
		STAT_KEYS(X)
#undef X
		sb_printf(b, ",\"open\":%lld}", (long long)o);
		open += o;
	}
	sb_put(b, "],\"total\":{", 11);
#define X(f) sb_printf(b, "\"" #f "\":%llu,", (unsigned long long)t.f);
	STAT_KEYS(X)
#undef X
	sb_printf(b, "\"open\":%lld}}", (long long)open);
}

static double uptime_s(void)
{
	char *text = slurp("/proc/uptime");
	double v = 0;

	if (text) {
		v = strtod(text, NULL);
		free(text);
	}
	return v;
}

static void stats_json(struct sbuf *b, const struct stormd_config *cfg)
{
	sb_printf(b, "{\"source\":\"stormd-linux\",\"schema\":1,\"clk_tck\":%ld,\"ncpus\":%ld,"
		  "\"uptime_s\":%.2f,\"snmp\":", sysconf(_SC_CLK_TCK),
		  sysconf(_SC_NPROCESSORS_ONLN), uptime_s());
	json_mib_file(b, "/proc/net/snmp");
	sb_put(b, ",\"netstat\":", 11);
	json_mib_file(b, "/proc/net/netstat");
	sb_put(b, ",\"stat\":", 8);
	json_proc_stat(b);
	sb_put(b, ",\"softirqs\":", 12);
	json_percpu_table(b, "/proc/softirqs", 0);
	sb_put(b, ",\"interrupts\":", 14);
	json_percpu_table(b, "/proc/interrupts", 1);
	sb_put(b, ",\"netdev\":", 10);
	json_netdev(b);
	sb_put(b, ",\"stormd\":", 10);
	json_stormd(b, cfg);
	sb_put(b, "}\n", 2);
}

static void append_file(struct sbuf *b, const char *path)
{
	char *text = slurp(path);

	sb_printf(b, "\n--- %s ---\n", path);
	if (text) {
		sb_put(b, text, strlen(text));
		free(text);
	} else {
		sb_printf(b, "(cannot read: %s)\n", strerror(errno));
	}
}

static void stats_text(struct sbuf *b, const struct stormd_config *cfg)
{
	sb_printf(b, "stormd: mode %s, proto %s, port %d, %u workers\n\n",
		  stormd_mode_name(cfg->mode), stormd_proto_name(cfg->proto), cfg->port,
		  stormd_nworkers);
	sb_printf(b, "%6s %4s %12s %12s %12s %12s %12s %8s\n", "worker", "cpu", "accepts",
		  "handled", "requests", "spurious", "wakeups", "errors");
	for (unsigned int i = 0; i < stormd_nworkers; i++) {
		const struct worker_stats *s = stormd_workers[i].stats;

		sb_printf(b, "%6u %4d %12llu %12llu %12llu %12llu %12llu %8llu\n", i,
			  stormd_workers[i].cpu, (unsigned long long)stat_load(&s->accepts),
			  (unsigned long long)stat_load(&s->handled),
			  (unsigned long long)stat_load(&s->requests),
			  (unsigned long long)stat_load(&s->spurious_wakeups),
			  (unsigned long long)stat_load(&s->wakeups),
			  (unsigned long long)stat_load(&s->errors));
	}
	append_file(b, "/proc/net/snmp");
	append_file(b, "/proc/net/netstat");
	append_file(b, "/proc/stat");
	append_file(b, "/proc/softirqs");
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += k;
		n -= (size_t)k;
	}
}

static void reply(int fd, const char *status, const char *type, const struct sbuf *body)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %s\r\nServer: stormd\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 status, type, body ? body->len : 0);

	send_all(fd, head, (size_t)n);
	if (body && body->len)
		send_all(fd, body->p, body->len);
}

static void serve(int fd, const struct stormd_config *cfg)
{
	char req[4096];
	size_t got = 0;
	struct sbuf b = { 0 };
	char *sp, *path, *end;

	while (got < sizeof(req) - 1) {
		ssize_t n = recv(fd, req + got, sizeof(req) - 1 - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		got += (size_t)n;
		req[got] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = 0;
	sp = strchr(req, ' ');
	if (!sp) {
		sb_printf(&b, "bad request\n");
		reply(fd, "400 Bad Request", "text/plain", &b);
		goto out;
	}
	*sp = 0;
	path = sp + 1;
	end = path + strcspn(path, " ?\r\n");
	*end = 0;
	if (strcmp(req, "GET") != 0) {
		sb_printf(&b, "only GET\n");
		reply(fd, "405 Method Not Allowed", "text/plain", &b);
	} else if (!strcmp(path, "/stats")) {
		stats_json(&b, cfg);
		if (b.oom)
			reply(fd, "500 Internal Server Error", "text/plain", NULL);
		else
			reply(fd, "200 OK", "application/json", &b);
	} else if (!strcmp(path, "/")) {
		stats_text(&b, cfg);
		if (b.oom)
			reply(fd, "500 Internal Server Error", "text/plain", NULL);
		else
			reply(fd, "200 OK", "text/plain; charset=utf-8", &b);
	} else {
		sb_printf(&b, "not found: GET /stats (JSON) or GET / (text)\n");
		reply(fd, "404 Not Found", "text/plain", &b);
	}
out:
	free(b.p);
}

static int stats_fd = -1;

static void *stats_main(void *arg)
{
	const struct stormd_config *cfg = arg;

	for (;;) {
		struct timeval tv = { .tv_sec = 2 };
		int fd = accept(stats_fd, NULL, NULL);

		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				usleep(10000);
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		serve(fd, cfg);
		close(fd);
	}
	return NULL;
}

int stats_start(const struct stormd_config *cfg)
{
	struct sockaddr_in sa;
	pthread_t t;
	int one = 1, err;

	stats_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (stats_fd < 0) {
		fprintf(stderr, "stormd: stats socket: %s\n", strerror(errno));
		return -1;
	}
	setsockopt(stats_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg->stats_port);
	sa.sin_addr.s_addr = cfg->addr;
	if (bind(stats_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(stats_fd, 16) < 0) {
		fprintf(stderr, "stormd: stats endpoint on port %d: %s\n", cfg->stats_port,
			strerror(errno));
		return -1;
	}
	err = pthread_create(&t, NULL, stats_main, (void *)cfg);
	if (err) {
		fprintf(stderr, "stormd: pthread_create: %s\n", strerror(err));
		return -1;
	}
	pthread_detach(t);
	return 0;
}
