/*
 * stormd's command line: the listener mode, protocol, port and sizes, with
 * the usage line and --help text. A malformed option prints what is wrong
 * and the usage line, and the caller exits 2. The same code runs when
 * stormd is built for Linux (argv) and for Squall (the kernel's app= words).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stormd.h"

#define PROG "stormd"
#define VERSION "1"

static const char *const mode_names[] = {
	[MODE_REUSEPORT] = "reuseport", [MODE_SHARED] = "shared",
	[MODE_SHARED_EXCL] = "shared-exclusive", [MODE_ACCEPT] = "accept",
};
static const char *const proto_names[] = {
	[PROTO_CRR] = "crr", [PROTO_RR] = "rr", [PROTO_HTTP] = "http",
};

const char *stormd_mode_name(enum stormd_mode m) { return mode_names[m]; }
const char *stormd_proto_name(enum stormd_proto p) { return proto_names[p]; }

/* ---- options --------------------------------------------------------- */

static const char usage_line[] =
	"usage: stormd [-m|--mode reuseport|shared|shared-exclusive|accept] "
	"[-p|--proto crr|rr|http] [-P|--port N] [-w|--workers N] "
	"[--request-size B] [--response-size B] [--backlog N] [--addr A.B.C.D] "
	"[--stats-port N] [--lifetime S] [--close-after MS] [--no-pin] [-q|--quiet] [-h|--help] [-V|--version]\n";

static const char help_text[] =
	"stormd: the storm target server (one worker pinned per CPU).\n\n"
	"  -m, --mode M         listener mode: reuseport (default: a listener per worker),\n"
	"                       shared (one listener in every worker's epoll: the herd),\n"
	"                       shared-exclusive (the same with EPOLLEXCLUSIVE),\n"
	"                       accept (an acceptor thread per worker blocked in accept)\n"
	"  -p, --proto P        crr (default: read a request, write the response, close),\n"
	"                       rr (echo on persistent connections), http (HTTP/1.1)\n"
	"  -P, --port N         TCP port, default 8080\n"
	"  -w, --workers N      workers, default one per CPU we may run on (1..256)\n"
	"      --request-size B crr: answer once B bytes came (1..4096); default: after\n"
	"                       the first read that brings data\n"
	"      --response-size B crr and http: response (body) bytes, default 128 (0..1048576)\n"
	"      --backlog N      listen() backlog, default 4096\n"
	"      --addr A.B.C.D   bind address, default any\n"
	"      --stats-port N   Linux build: the stats endpoint (GET /stats JSON, GET /\n"
	"                       text), default 7070; 0 turns it off\n"
	"      --lifetime S     exit after S seconds, printing the counters (default: never)\n"
	"      --close-after MS reuseport: every worker but the first closes its listener\n"
	"                       MS ms after READY and serves its open connections to the end\n"
	"                       (a listener leaving its group under load; default: never)\n"
	"      --no-pin         do not pin workers to CPUs\n"
	"  -q, --quiet          only the READY line and errors\n\n"
	"Prints a line starting READY once listening. Exit status: 2 for bad options,\n"
	"1 if it cannot listen, 0 at the end of --lifetime.\n";

static int usage_error(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n%s", usage_line);
	return 2;
}

/* A decimal number in lo..hi, digits only; -1 if it is not one. */
static long long parse_num(const char *s, long long lo, long long hi)
{
	long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > hi)
			return -1;
	}
	return v < lo ? -1 : v;
}

static int parse_addr(const char *s, uint32_t *out)
{
	unsigned int part[4];
	int n = 0;

	for (;;) {
		long long v;
		char num[4];
		int len = 0;

		while (s[len] >= '0' && s[len] <= '9' && len < 3)
			len++;
		if (!len || (s[len] && s[len] != '.'))
			return -1;
		memcpy(num, s, (size_t)len);
		num[len] = 0;
		v = parse_num(num, 0, 255);
		if (v < 0 || n == 4)
			return -1;
		part[n++] = (unsigned int)v;
		s += len;
		if (!*s)
			break;
		s++;
	}
	if (n != 4)
		return -1;
	*out = htonl(part[0] << 24 | part[1] << 16 | part[2] << 8 | part[3]);
	return 0;
}

static int lookup(const char *const *names, int n, const char *word)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], word))
			return i;
	return -1;
}

/*
 * Parse argv into *c. Returns -1 to go on, or an exit status (0 after
 * --help/--version, 2 for bad usage, with the message printed).
 */
int stormd_parse_options(int argc, char **argv, struct stormd_config *c)
{
	int request_size_given = 0, response_size_given = 0;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		char name[32];
		long long v;

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage_line, stdout);
			fputs("\n", stdout);
			fputs(help_text, stdout);
			return 0;
		}
		if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
			printf(PROG " " VERSION "\n");
			return 0;
		}
		if (!strcmp(arg, "--no-pin")) {
			c->pin = 0;
			continue;
		}
		if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
			c->quiet = 1;
			continue;
		}
		if (arg[0] != '-' || !arg[1])
			return usage_error("unexpected argument '%s'%s", arg, "");
		/* --name=value, --name value, -x value, -xvalue */
		if (arg[1] == '-' && (eq = strchr(arg, '='))) {
			size_t len = (size_t)(eq - arg);

			if (len >= sizeof(name))
				return usage_error("unknown option '%s'%s", arg, "");
			memcpy(name, arg, len);
			name[len] = 0;
			val = eq + 1;
		} else if (arg[1] != '-' && arg[2]) {
			name[0] = '-';
			name[1] = arg[1];
			name[2] = 0;
			val = arg + 2;
		} else {
			if (strlen(arg) >= sizeof(name))
				return usage_error("unknown option '%s'%s", arg, "");
			strcpy(name, arg);
		}
#define IS(s, l) (!strcmp(name, s) || !strcmp(name, l))
		if (!(IS("-m", "--mode") || IS("-p", "--proto") || IS("-P", "--port") ||
		      IS("-w", "--workers") || IS("", "--request-size") ||
		      IS("", "--response-size") || IS("", "--backlog") ||
		      IS("", "--addr") || IS("", "--stats-port") || IS("", "--lifetime") ||
		      IS("", "--close-after")))
			return usage_error("unknown option '%s'%s", arg, "");
		if (!val) {
			if (i + 1 >= argc)
				return usage_error("option '%s' needs a value%s", name, "");
			val = argv[++i];
		}
		if (IS("-m", "--mode")) {
			int m = lookup(mode_names, 4, val);

			if (m < 0)
				return usage_error("--mode '%s': expected reuseport, shared, "
						   "shared-exclusive or accept%s", val, "");
			c->mode = (enum stormd_mode)m;
		} else if (IS("-p", "--proto")) {
			int p = lookup(proto_names, 3, val);

			if (p < 0)
				return usage_error("--proto '%s': expected crr, rr or http%s", val, "");
			c->proto = (enum stormd_proto)p;
		} else if (IS("-P", "--port")) {
			if ((v = parse_num(val, 1, 65535)) < 0)
				return usage_error("--port '%s': expected 1..65535%s", val, "");
			c->port = (int)v;
		} else if (IS("-w", "--workers")) {
			if ((v = parse_num(val, 1, STORMD_MAX_WORKERS)) < 0)
				return usage_error("--workers '%s': expected 1..256%s", val, "");
			c->workers = (unsigned int)v;
		} else if (IS("", "--request-size")) {
			if ((v = parse_num(val, 1, STORMD_MAX_REQUEST)) < 0)
				return usage_error("--request-size '%s': expected 1..4096%s", val, "");
			c->request_size = (unsigned int)v;
			request_size_given = 1;
		} else if (IS("", "--response-size")) {
			if ((v = parse_num(val, 0, STORMD_MAX_RESPONSE)) < 0)
				return usage_error("--response-size '%s': expected 0..1048576%s",
						   val, "");
			c->response_size = (unsigned int)v;
			response_size_given = 1;
		} else if (IS("", "--backlog")) {
			if ((v = parse_num(val, 1, 65535)) < 0)
				return usage_error("--backlog '%s': expected 1..65535%s", val, "");
			c->backlog = (int)v;
		} else if (IS("", "--addr")) {
			if (parse_addr(val, &c->addr) < 0)
				return usage_error("--addr '%s': expected an IPv4 address A.B.C.D%s",
						   val, "");
		} else if (IS("", "--stats-port")) {
			if ((v = parse_num(val, 0, 65535)) < 0)
				return usage_error("--stats-port '%s': expected 0..65535%s", val, "");
#ifndef STORMD_STATS
			if (v)
				return usage_error("--stats-port %s: this build has no stats "
						   "endpoint (in Squall the kernel serves port 7070)%s",
						   val, "");
#endif
			c->stats_port = (int)v;
		} else if (IS("", "--lifetime")) {
			if ((v = parse_num(val, 0, 86400)) < 0)
				return usage_error("--lifetime '%s': expected 0..86400 seconds%s",
						   val, "");
			c->lifetime = (unsigned int)v;
		} else if (IS("", "--close-after")) {
			if ((v = parse_num(val, 1, 86400000)) < 0)
				return usage_error("--close-after '%s': expected 1..86400000 ms%s",
						   val, "");
			c->close_after_ms = (unsigned int)v;
		}
#undef IS
	}
	if (request_size_given && c->proto != PROTO_CRR)
		return usage_error("--request-size applies to --proto crr only, not %s%s",
				   proto_names[c->proto], "");
	if (response_size_given && c->proto == PROTO_RR)
		return usage_error("--response-size does not apply to --proto rr (it echoes)%s%s",
				   "", "");
	if (c->close_after_ms && c->mode != MODE_REUSEPORT)
		return usage_error("--close-after applies to --mode reuseport only, not %s%s",
				   mode_names[c->mode], "");
	if (c->stats_port && c->stats_port == c->port)
		return usage_error("--stats-port and --port are both %s%s", "the same port", "");
	return -1;
}

