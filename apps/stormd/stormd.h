/*
 * stormd: the storm target server (apps/stormd/stormd.c), shared between its
 * portable core and the Linux-only stats endpoint (apps/stormd/stats_linux.c).
 *
 * The core is POSIX + Linux's socket APIs (epoll, accept4, SO_REUSEPORT,
 * sched_setaffinity) and builds for Squall (apps/lib) and for Linux (glibc,
 * static). The stats endpoint reads /proc and so exists only in the Linux
 * build (-DSTORMD_STATS); in Squall the kernel serves port 7070 itself.
 */
#ifndef STORMD_H
#define STORMD_H

#include <stdint.h>

enum stormd_mode { MODE_REUSEPORT, MODE_SHARED, MODE_SHARED_EXCL, MODE_ACCEPT };
enum stormd_proto { PROTO_CRR, PROTO_RR, PROTO_HTTP };

#define STORMD_MAX_WORKERS 256
#define STORMD_MAX_REQUEST 4096		/* crr and http requests, bytes */
#define STORMD_MAX_RESPONSE (1u << 20)	/* as storm's --response-size */

struct stormd_config {
	enum stormd_mode mode;
	enum stormd_proto proto;
	int port;			/* 8080 */
	int stats_port;			/* 7070 in the Linux build; 0 = none */
	unsigned int workers;		/* 0 = one per CPU we may run on */
	unsigned int request_size;	/* crr: 0 = whatever the first read brings */
	unsigned int response_size;	/* crr and http bodies: 128 */
	int backlog;			/* listen() backlog: 4096 */
	unsigned int lifetime;		/* seconds, 0 = forever */
	unsigned int close_after_ms;	/* reuseport: workers > 0 close their listeners then; 0 = never */
	uint32_t addr;			/* bind address, network order; 0 = any */
	int pin;			/* pin worker i to CPU i (default 1) */
	int quiet;
};

/*
 * One worker's counters. The worker (and, in accept mode, its acceptor
 * thread) updates them with relaxed atomic adds; readers load them relaxed.
 * Each struct has its own cache lines.
 */
struct worker_stats {
	uint64_t accepts;		/* connections accepted */
	uint64_t handled;		/* connections served to the end and closed */
	uint64_t requests;		/* crr and http requests answered; rr: reads echoed */
	uint64_t spurious_wakeups;	/* listener wakeups whose accept found nothing (EAGAIN) */
	uint64_t wakeups;		/* epoll_wait returns with at least one event */
	uint64_t conn_spurious;		/* connection events whose read found nothing */
	uint64_t errors;		/* connections ended by an error (reset, early EOF, bad request) */
	uint64_t accept_errors;		/* accept failures other than EAGAIN */
	uint64_t bytes_in, bytes_out;
	int64_t open;			/* connections open now */
} __attribute__((aligned(64)));

struct stormd_worker_info {
	int cpu;			/* the CPU it is pinned to, -1 if not pinned */
	struct worker_stats *stats;
};

/* The running server, for the stats endpoint. */
extern const struct stormd_config *stormd_cfg;
extern unsigned int stormd_nworkers;
extern struct stormd_worker_info stormd_workers[STORMD_MAX_WORKERS];

/* opts.c: fill @c from argv. -1: go on; else exit with it (0 after --help/--version, 2 after a usage error). */
int stormd_parse_options(int argc, char **argv, struct stormd_config *c);
const char *stormd_mode_name(enum stormd_mode m);
const char *stormd_proto_name(enum stormd_proto p);

static inline uint64_t stat_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

#ifdef STORMD_STATS
/* stats_linux.c: listen on cfg->stats_port; 0 on success, else -1 and a message. */
int stats_start(const struct stormd_config *cfg);
#endif

#endif /* STORMD_H */
