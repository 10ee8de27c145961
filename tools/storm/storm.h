/*
 * The storm engine: one run, shared by one worker thread per core.
 *
 * main.c parses options, builds a struct run and starts the workers
 * (worker.c). Each worker owns an epoll set and its connections outright
 * and drives them through a mode (mode_crr.c, mode_rr.c, mode_hold.c,
 * mode_synflood.c) via struct mode_ops; conn.c holds the socket steps the
 * modes share. Workers never touch each other's data. What they share is
 * in struct run, tagged:
 *	I	immutable once the workers start
 *	a	atomic
 *	L	run->lock
 *	o	owned by one worker; main reads it only after pthread_join
 */
#ifndef STORM_H
#define STORM_H

#include "hist.h"
#include "list.h"
#include "opts.h"
#include "pace.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define NSEC_PER_SEC	1000000000ull
#define NSEC_PER_MSEC	1000000ull

/* How a failed operation failed; the JSON "errors" object uses these names. */
enum err_kind {
	ERR_REFUSED,		/* RST to our SYN: nothing listening, or backlog policy */
	ERR_RESET,		/* RST on an established connection */
	ERR_TIMEOUT,		/* no progress within --timeout */
	ERR_SHORT_READ,		/* EOF before the whole response */
	ERR_CLOSED,		/* rr: the server closed an idle persistent connection */
	ERR_PROTOCOL,		/* more bytes than the response, or a wrong echo */
	ERR_UNREACHABLE,	/* no route, host or network unreachable */
	ERR_NO_PORTS,		/* EADDRNOTAVAIL: ephemeral ports exhausted */
	ERR_FD_LIMIT,		/* EMFILE/ENFILE/ENOBUFS opening a socket */
	ERR_OTHER,
	NR_ERR
};

extern const char *const err_names[NR_ERR];

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Totals of one worker, summed by main after the join. */
struct counters {
	uint64_t attempts;	/* connect() calls */
	uint64_t established;	/* connects that completed */
	uint64_t started;	/* operations begun (crr: connections, rr: requests) */
	uint64_t scheduled;	/* open loop: arrivals due before the stop */
	uint64_t requests;	/* requests written in full */
	uint64_t responses;	/* responses read in full */
	uint64_t ops;		/* operations completed without error */
	uint64_t failed;	/* operations that ended in an error */
	uint64_t cancelled;	/* operations still in flight at the stop */
	uint64_t errors[NR_ERR];
	uint64_t bytes_tx, bytes_rx;
	uint64_t dropped;	/* hold: held connections the target closed */
	uint64_t open_at_end;	/* hold/rr: connections still open at the stop */
};

/* One second of the time series (summed over workers). */
struct sec_slot {
	uint64_t ops, errors, established;
	uint64_t open;		/* connections open at the end of the second */
	struct hist lat;
};

/* What workers publish for the live line (relaxed atomics, one writer). */
struct live_pub {
	atomic_uint_fast64_t ops, errors, established, open;
};

enum conn_state {
	CS_FREE,		/* no socket */
	CS_CONNECTING,
	CS_SENDING,
	CS_RECEIVING,
	CS_IDLE,		/* rr: connected, no request outstanding */
	CS_HELD,		/* hold: established and kept */
	CS_DEAD,		/* hold: failed or dropped, never reused */
};

struct conn {
	struct list_head link;	/* worker's timeouts or idle list */
	int fd;
	uint8_t state;
	uint32_t done;		/* bytes sent or received in this phase */
	uint64_t origin;	/* the latency of the operation counts from here */
	uint64_t conn_start;	/* connect() time, for the connect latency */
	uint64_t deadline;	/* while on the timeout list */
};

struct worker;

/* A mode: how one worker starts, advances and ends its operations. */
struct mode_ops {
	int (*setup)(struct worker *w);
	/* start what may start at @now (bounded per call) */
	void (*tick)(struct worker *w, uint64_t now);
	void (*event)(struct worker *w, struct conn *c, uint32_t events);
	void (*expire)(struct worker *w, struct conn *c);
	/* all of this worker's work is done before the deadline */
	bool (*finished)(const struct worker *w);
	/* the next time tick() has something to start; UINT64_MAX if none */
	uint64_t (*next_wake)(const struct worker *w, uint64_t now);
	/* cancel what is in flight and close everything */
	void (*stop)(struct worker *w, uint64_t now);
};

extern const struct mode_ops crr_ops, rr_ops, hold_ops, synflood_ops;

struct run {
	const struct storm_opts *o;	/* [I] */
	const struct mode_ops *ops;	/* [I] */
	unsigned int nthreads;		/* [I] */
	uint64_t start, end;		/* [I] monotonic ns */
	struct worker *workers;		/* [I] */

	atomic_int stop;		/* [a] set by main: signal or abort */
	atomic_uint nr_done;		/* [a] workers that have stopped */

	/* hold: the global picture across workers */
	atomic_long open_now;		/* [a] */
	atomic_long open_peak;		/* [a] */
	atomic_uint_fast64_t full_at;	/* [a] when open_now reached the target; 0 never */
	atomic_uint_fast64_t first_fail;	/* [a] first failed connect; 0 never */
	atomic_long open_at_first_fail;	/* [a] */

	pthread_mutex_t lock;
	struct sec_slot *series;	/* [L] nsec slots */
	unsigned int nsec;		/* [I] */
	char first_error[192];		/* [L] the first error of the run, in words */
};

struct worker {
	struct run *run;		/* [I] */
	unsigned int id;		/* [I] */
	pthread_t thread;
	/* everything below is [o] */
	int ep;
	struct conn *conns;
	uint32_t nconns;
	uint32_t *free;			/* stack of free conn indices (crr) */
	uint32_t nfree;
	struct list_head timeouts;	/* armed conns, by deadline (all equal spans) */
	struct list_head idle;		/* rr: connected, waiting for an arrival */
	uint32_t inflight;		/* operations in progress */
	uint32_t open;			/* sockets open (crr/rr) or held (hold) */
	uint32_t connecting;		/* hold: connects in progress */
	uint64_t limit;			/* this worker's share of --count; 0 none */
	uint64_t target;		/* hold: this worker's share of --connections */
	uint32_t src;			/* next --source-addrs index */
	bool open_loop;
	bool paced;			/* rr: schedule started (after the pool is up) */
	struct pacer pace;
	struct counters c;
	struct hist lat;		/* operation latency */
	struct hist connect_lat;	/* SYN to established */
	unsigned int sec;		/* second of @iv */
	struct sec_slot iv;		/* the current second, flushed into run->series */
	struct live_pub live;		/* [a] */
	char *txbuf, *rxbuf;
	size_t rxlen;
	int raw;			/* synflood: raw socket */
	uint64_t rng;			/* synflood: xorshift state */
	uint64_t backoff_until;		/* synflood: after ENOBUFS */
	bool told;			/* offered run->first_error already */
	bool finished;			/* stopped because its share was done */
	uint64_t stopped_at;		/* when its loop ended */
};

/*
 * conn.c: socket steps shared by the modes. None of them changes
 * c->state: the mode decides what a closed or failed connection becomes.
 * conn_fail() records the error and closes the socket with an RST.
 */
enum recv_result { RECV_MORE, RECV_DONE, RECV_FAILED };

enum err_kind err_classify(int err);
void record_error(struct worker *w, enum err_kind k, int err, const char *what);
int conn_start(struct worker *w, struct conn *c, uint64_t now);
int conn_connected(struct worker *w, struct conn *c, uint32_t events);
int conn_send(struct worker *w, struct conn *c, uint32_t size);
enum recv_result conn_recv(struct worker *w, struct conn *c, uint32_t want, bool until_eof,
			   bool verify);
void conn_close(struct worker *w, struct conn *c);
void conn_abort(struct worker *w, struct conn *c);
void conn_fail(struct worker *w, struct conn *c, enum err_kind k, int err, const char *what);
void timeout_arm(struct worker *w, struct conn *c, uint64_t now);
void timeout_disarm(struct conn *c);
void record_op(struct worker *w, struct conn *c);
int conn_alloc(struct worker *w, uint32_t n);

/* worker.c */
int worker_init(struct worker *w, struct run *r, unsigned int id);
void worker_free(struct worker *w);
void *worker_main(void *arg);

#endif
