/*
 * The stats endpoint's output (net/core/stats_format.c): a snapshot of the
 * kernel's counters, taken by stats_collect.c, written as JSON (GET /stats)
 * or as aligned text (GET /, and the console at power-off). Portable: the
 * host unit test formats fixed values and compares the exact bytes.
 *
 * The JSON schema is what scripts/experiment reads (docs/experiments.md):
 * "snmp"/"netstat" groups under Linux's names, "cpus" with busy, idle and
 * softirq TSC cycles and "tsc_hz", and "workers".
 */
#ifndef SQUALL_STATS_FORMAT_H
#define SQUALL_STATS_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define STATS_SCHEMA 1
#define STATS_MAX_CPUS 64
#define STATS_MAX_FIELDS 40		/* per MIB group */
#define STATS_MAX_QUEUES 64
#define STATS_MAX_LOCKS 64
#define STATS_MAX_WORKERS 256

/* Linux's seq_buf: a bounded output buffer that remembers it overflowed. */
struct seq_buf {
	char *buffer;
	size_t size;
	size_t len;		/* bytes written; > size - 1 once it overflowed */
};

void seq_buf_init(struct seq_buf *s, char *buf, size_t size);
void seq_buf_printf(struct seq_buf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int seq_buf_has_overflowed(const struct seq_buf *s);

/* One /proc/net/snmp-style group: "Tcp" with its names and values. */
struct stats_mib_group {
	const char *name;
	unsigned int n;
	const char *names[STATS_MAX_FIELDS];
	uint64_t values[STATS_MAX_FIELDS];
};

enum { STATS_IP, STATS_ICMP, STATS_TCP, STATS_UDP, STATS_NR_SNMP };
enum { STATS_TCPEXT, STATS_IPEXT, STATS_NR_NETSTAT };

struct stats_cpu {
	uint64_t busy_cycles, idle_cycles, softirq_cycles;
	uint64_t conns;			/* passive opens completed here (Tcp PassiveOpens, this CPU's row) */
	uint64_t spurious_wakeups;	/* waiters woken here with nothing to do */
	uint64_t softnet_processed, time_squeeze;
};

struct stats_queue {
	unsigned int cpu;		/* where its interrupts and NAPI poll run */
	uint64_t rx_packets, rx_bytes, rx_dropped, rx_interrupts;
	uint64_t tx_packets, tx_bytes, tx_busy;
};

struct stats_lock {
	const char *name;
	uint64_t acquired, contended, spin_cycles;
};

struct stats_worker {
	int tid;
	unsigned int cpu;		/* its one allowed CPU if pinned, else where it last ran */
	uint64_t accepts, handled, spurious_wakeups, errors;
};

/* The endpoint's own requests: answered (any status), refused as malformed (400/404/405/414/431/505),
 * timed out (408), and reset or stalled mid-answer. */
struct stats_endpoint {
	unsigned int port;
	uint64_t requests, bad_requests, timeouts, aborted;
};

/* Everything one answer shows; filled by stats_collect() (kernel) or a test. */
struct stats_snapshot {
	unsigned int ncpus;
	uint64_t tsc_hz;
	uint64_t uptime_ms;
	struct stats_mib_group snmp[STATS_NR_SNMP];
	struct stats_mib_group netstat[STATS_NR_NETSTAT];
	struct stats_cpu cpus[STATS_MAX_CPUS];
	const char *netdev;		/* NULL: no device */
	unsigned int nqueues;
	struct stats_queue queues[STATS_MAX_QUEUES];
	unsigned int nlocks;
	struct stats_lock locks[STATS_MAX_LOCKS];
	unsigned int nworkers;
	struct stats_worker workers[STATS_MAX_WORKERS];
	struct stats_endpoint endpoint;
};

void stats_format_json(struct seq_buf *s, const struct stats_snapshot *st);

/* STATS_TEXT_SHORT: Tcp, TcpExt, CPUs and workers only (the power-off summary). */
enum stats_text_mode { STATS_TEXT_FULL, STATS_TEXT_SHORT };
void stats_format_text(struct seq_buf *s, const struct stats_snapshot *st, enum stats_text_mode mode);

#endif
