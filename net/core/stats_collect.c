/*
 * stats_collect(): one snapshot of the kernel's counters for the stats
 * endpoint and the power-off summary (stats_format.h has the layout).
 *
 * Every counter is read racily, as /proc reads Linux's: per-CPU rows
 * summed without a lock (snmp.h, lockstat_read), per-queue counters owned
 * by their CPU, the per-thread worker counters under app_threads_lock
 * only so that no thread leaves the list while it is read. Process
 * context; nothing here sleeps while a lock is held.
 */
#include <net/core/stats.h>
#include <net/core/netdevice.h>
#include <net/ipv4/ip.h>
#include <net/ipv4/icmp.h>
#include <net/ipv4/udp.h>
#include <net/ipv4/tcp.h>
#include <drivers/virtio_net.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <string.h>

/* Linux's /proc/net/snmp names for the enums of ip.h, icmp.h and udp.h, in their order. */
static const char *const ip_names[IPSTATS_MIB_MAX] = {
	"InReceives", "InHdrErrors", "InAddrErrors", "InUnknownProtos", "InDiscards",
	"InDelivers", "OutRequests", "OutDiscards", "OutNoRoutes", "ReasmReqds", "ReasmOKs",
	"ReasmFails", "ReasmTimeout",
};
static const char *const icmp_names[ICMP_MIB_MAX] = {
	"InMsgs", "InErrors", "InCsumErrors", "InDestUnreachs", "InTimeExcds", "InParmProbs",
	"InEchos", "InEchoReps", "OutMsgs", "OutErrors", "OutRateLimitGlobal",
	"OutDestUnreachs", "OutTimeExcds", "OutEchoReps",
};
static const char *const udp_names[UDP_MIB_MAX] = {
	"InDatagrams", "NoPorts", "InErrors", "OutDatagrams", "RcvbufErrors", "SndbufErrors",
	"InCsumErrors", "IgnoredMulti",
};

static void group_add(struct stats_mib_group *g, const char *name, uint64_t v)
{
	if (g->n < STATS_MAX_FIELDS && name) {
		g->names[g->n] = name;
		g->values[g->n++] = v;
	}
}

static void collect_mibs(struct stats_snapshot *st)
{
	struct stats_mib_group *tcp = &st->snmp[STATS_TCP];
	struct stats_mib_group *ext = &st->netstat[STATS_TCPEXT];

	st->snmp[STATS_IP].name = "Ip";
	st->snmp[STATS_ICMP].name = "Icmp";
	tcp->name = "Tcp";
	st->snmp[STATS_UDP].name = "Udp";
	ext->name = "TcpExt";
	st->netstat[STATS_IPEXT].name = "IpExt";	/* none of Linux's IpExt counters exist here */
	for (int f = 0; f < IPSTATS_MIB_MAX; f++)
		group_add(&st->snmp[STATS_IP], ip_names[f], ip_mib_read((enum ip_mib)f));
	for (int f = 0; f < ICMP_MIB_MAX; f++)
		group_add(&st->snmp[STATS_ICMP], icmp_names[f], icmp_mib_read((enum icmp_mib)f));
	for (int f = 0; f < TCP_MIB_MAX; f++)
		group_add(f < LINUX_MIB_LISTENOVERFLOWS ? tcp : ext, tcp_mib_name((enum tcp_mib)f),
			  tcp_mib_read((enum tcp_mib)f));
	for (int f = 0; f < UDP_MIB_MAX; f++)
		group_add(&st->snmp[STATS_UDP], udp_names[f], udp_mib_read((enum udp_mib)f));
}

static void collect_cpus(struct stats_snapshot *st)
{
	for (unsigned int c = 0; c < NR_CPUS && st->ncpus < STATS_MAX_CPUS; c++) {
		struct stats_cpu *p = &st->cpus[st->ncpus];
		struct softnet_stats sn;
		struct cpu_times ct;

		if (!cpu_online(c))
			continue;
		sched_cpu_times(c, &ct);
		softnet_stats_read(c, &sn);
		p->busy_cycles = ct.busy;
		p->idle_cycles = ct.idle;
		p->softirq_cycles = ct.softirq;
		p->conns = tcp_mib_read_cpu(TCP_MIB_PASSIVEOPENS, c);
		p->spurious_wakeups = __atomic_load_n(&percpu_area[c].wakeups_spurious,
						      __ATOMIC_RELAXED);
		p->softnet_processed = sn.processed;
		p->time_squeeze = sn.time_squeeze;
		st->ncpus++;
	}
}

static void collect_netdev(struct stats_snapshot *st)
{
	struct net_device *dev = netdev_get();
	unsigned int pairs = virtnet_queue_pairs();

	if (!dev)
		return;
	st->netdev = dev->name;
	for (unsigned int q = 0; q < pairs && q < STATS_MAX_QUEUES && q < MAX_QUEUES; q++) {
		const struct netdev_queue_stats *s = &dev->stats[q];
		struct stats_queue *p = &st->queues[st->nqueues++];
		struct virtnet_queue_info qi;

		p->cpu = virtnet_get_queue_info(q, &qi) ? 0 : qi.cpu;
		p->rx_packets = s->rx_packets;
		p->rx_bytes = s->rx_bytes;
		p->rx_dropped = s->rx_dropped;
		p->rx_interrupts = s->rx_interrupts;
		p->tx_packets = s->tx_packets;
		p->tx_bytes = s->tx_bytes;
		p->tx_busy = s->tx_busy;
	}
}

static void collect_locks(struct stats_snapshot *st)
{
	struct lock_class *cls[STATS_MAX_LOCKS];
	unsigned int n = lock_classes_used(cls, STATS_MAX_LOCKS);

	for (unsigned int i = 0; i < n; i++) {
		struct lock_stat sum;

		lockstat_read(cls[i], &sum);
		st->locks[i] = (struct stats_lock){ .name = cls[i]->name, .acquired = sum.acquired,
						    .contended = sum.contended,
						    .spin_cycles = sum.spin_cycles };
	}
	st->nlocks = n;
}

/* Its one allowed online CPU if pinned, else the CPU whose queue it is on. */
static unsigned int worker_cpu(const struct task *t)
{
	uint64_t allowed = __atomic_load_n(&t->cpus_allowed, __ATOMIC_RELAXED) & cpu_online_mask;

	if (__builtin_popcountll(allowed) == 1)
		return (unsigned int)__builtin_ctzll(allowed);
	return __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);
}

/*
 * for_each_app_thread's callback: app_threads_lock held, irqs off. A
 * worker is a thread that has called accept, even if it is still blocked
 * in its first one, or has added a listener to an epoll set: the list must
 * not grow during a storm, because the experiment runner compares two
 * reads worker by worker.
 */
static void collect_worker(struct task *t, void *arg)
{
	struct stats_snapshot *st = arg;

	if ((!__atomic_load_n(&t->sock_accept_calls, __ATOMIC_RELAXED) &&
	     !__atomic_load_n(&t->sock_listen_watch, __ATOMIC_RELAXED)) ||
	    st->nworkers >= STATS_MAX_WORKERS)
		return;
	st->workers[st->nworkers++] = (struct stats_worker){
		.tid = t->tid, .cpu = worker_cpu(t),
		.accepts = __atomic_load_n(&t->sock_accepts, __ATOMIC_RELAXED),
		.handled = __atomic_load_n(&t->sock_handled, __ATOMIC_RELAXED),
		/* the herd, both ways it shows: an accept that lost the race, a sleep woken for nothing */
		.spurious_wakeups = __atomic_load_n(&t->sock_accept_spurious, __ATOMIC_RELAXED) +
				    __atomic_load_n(&t->wait_spurious, __ATOMIC_RELAXED),
		.errors = __atomic_load_n(&t->sock_errors, __ATOMIC_RELAXED),
	};
}

/* Process context. @st is overwritten whole. */
void stats_collect(struct stats_snapshot *st)
{
	memset(st, 0, sizeof(*st));
	st->tsc_hz = tsc_khz() * 1000;
	st->uptime_ms = ktime_ns() / 1000000;
	collect_mibs(st);
	collect_cpus(st);
	collect_netdev(st);
	collect_locks(st);
	for_each_app_thread(collect_worker, st);
}
