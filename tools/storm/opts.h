/*
 * storm's options: what the command line asks for, after validation.
 *
 * opts_parse() is pure (no I/O, no exit), so unit tests and the fuzzer
 * drive it directly; main.c prints its message and exits 2. The hard
 * limits below are what stops a typo from running for hours or opening a
 * million sockets by accident; docs/storm.md lists them.
 */
#ifndef STORM_OPTS_H
#define STORM_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORM_DEFAULT_PORT	8080
#define STORM_MAX_DURATION_S	600		/* 10 minutes */
#define STORM_MAX_RATE		10000000.0	/* arrivals or SYNs per second */
#define STORM_MAX_CONNS		1000000
#define STORM_MAX_THREADS	256
#define STORM_MAX_SIZE		(1u << 20)	/* request / response bytes */
#define STORM_MAX_COUNT		1000000000ull
#define STORM_MAX_SOURCES	4096
#define STORM_MAX_TIMEOUT_MS	60000

enum storm_mode {
	MODE_NONE,
	MODE_CRR,	/* connect, request, response, close; repeated */
	MODE_RR,	/* request/response on persistent connections */
	MODE_HOLD,	/* open N connections and keep them */
	MODE_SYNFLOOD,	/* raw SYNs from spoofed sources */
};

enum storm_format {
	FORMAT_AUTO,	/* JSON unless stdout is a terminal */
	FORMAT_JSON,
	FORMAT_TEXT,
};

/* One bit per option, set in storm_opts.set when given on the command line. */
enum storm_opt_id {
	OPT_TARGET, OPT_DURATION, OPT_CONNECTIONS, OPT_RATE, OPT_COUNT,
	OPT_THREADS, OPT_REQUEST_SIZE, OPT_RESPONSE_SIZE, OPT_SOURCES,
	OPT_TIMEOUT, OPT_JSON, OPT_TEXT, OPT_LIVE, OPT_NO_LIVE, OPT_NO_CHECK,
	OPT_NO_SERIES, OPT_HELP, OPT_VERSION,
	NR_OPTS
};

#define OPT_BIT(id) (1u << (id))

struct storm_opts {
	enum storm_mode mode;
	uint32_t target_addr;		/* network byte order */
	uint16_t target_port;		/* host byte order */
	uint64_t duration_ns;
	uint32_t connections;		/* per mode: see opts_parse() defaults */
	double rate;			/* 0: closed loop */
	uint64_t count;			/* 0: no limit */
	uint32_t threads;		/* 0: one per available CPU */
	uint32_t request_size;
	uint32_t response_size;
	uint32_t timeout_ms;
	enum storm_format format;
	int live;			/* -1 auto (stderr is a tty), 0, 1 */
	bool check;			/* probe the target before the storm */
	bool series;			/* per-second series in the output */
	bool help, version;
	unsigned int set;		/* OPT_BIT()s given explicitly */
	uint32_t nsources;
	uint32_t sources[STORM_MAX_SOURCES];	/* network byte order */
};

/*
 * Parse argv[1..argc-1] into @o (fully overwritten, defaults filled in).
 * Returns 0, or -1 with a one-line reason in @err (no trailing newline).
 * With --help or --version it returns 0 early and other rules are skipped.
 */
int opts_parse(struct storm_opts *o, int argc, char *const argv[], char *err, size_t errlen);

const char *mode_name(enum storm_mode m);

/* "a.b.c.d:port" for @addr (network order) and @port into @buf. */
void format_addr(char *buf, size_t len, uint32_t addr, uint16_t port);

#endif
