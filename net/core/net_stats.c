/*
 * The network counters on the console: per device queue (the driver's
 * line), per CPU (softnet), IP and drop reasons. `netstat=SECONDS` prints
 * them periodically from a kernel thread, for debugging. The stats
 * endpoint (stats_server.c, TCP port 7070) serves most of them on demand.
 */
#include <net/core/netdevice.h>
#include <net/ipv4/ip.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/timer.h>
#include <drivers/virtio_net.h>
#include <stdlib.h>

static unsigned int netstat_secs;	/* [I] 0: off */

static const char *set_netstat(const char *val)
{
	char *end;
	unsigned long s = val ? strtoul(val, &end, 10) : 0;

	if (!val || *end || s < 1 || s > 3600)
		return "must be a number of seconds from 1 to 3600";
	netstat_secs = (unsigned int)s;
	return NULL;
}
KERNEL_PARAM("netstat", set_netstat, "netstat=SECONDS: print network counters that often");

void net_stats_print(void)
{
	printk("netstat: begin\n");
	virtnet_print_stats();
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		struct softnet_stats st;

		if (!cpu_online(c))
			continue;
		struct cpu_times ct;

		softnet_stats_read(c, &st);
		sched_cpu_times(c, &ct);
		printk("netstat cpu%u: processed %lu time_squeeze %lu busy %lu idle %lu softirq %lu "
		       "cycles\n", c, (unsigned long)st.processed, (unsigned long)st.time_squeeze,
		       (unsigned long)ct.busy, (unsigned long)ct.idle, (unsigned long)ct.softirq);
	}
	printk("netstat ip: InReceives %lu InHdrErrors %lu InAddrErrors %lu InDelivers %lu "
	       "OutRequests %lu ReasmReqds %lu ReasmOKs %lu ReasmFails %lu\n",
	       (unsigned long)ip_mib_read(IPSTATS_MIB_INRECEIVES),
	       (unsigned long)ip_mib_read(IPSTATS_MIB_INHDRERRORS),
	       (unsigned long)ip_mib_read(IPSTATS_MIB_INADDRERRORS),
	       (unsigned long)ip_mib_read(IPSTATS_MIB_INDELIVERS),
	       (unsigned long)ip_mib_read(IPSTATS_MIB_OUTREQUESTS),
	       (unsigned long)ip_mib_read(IPSTATS_MIB_REASMREQDS),
	       (unsigned long)ip_mib_read(IPSTATS_MIB_REASMOKS),
	       (unsigned long)ip_mib_read(IPSTATS_MIB_REASMFAILS));
	for (int r = 1; r < SKB_DROP_REASON_MAX; r++) {
		uint64_t n = skb_drop_count((enum skb_drop_reason)r);

		if (n)
			printk("netstat drop %s: %lu\n", skb_drop_reason_name((enum skb_drop_reason)r),
			       (unsigned long)n);
	}
	printk("netstat: end\n");
}

static int netstat_thread(void *arg)
{
	(void)arg;
	net_stats_print();	/* a baseline before the app serves anything */
	for (;;) {
		schedule_timeout_interruptible((int64_t)netstat_secs * HZ);
		net_stats_print();
	}
	return 0;
}

/* kernel_init: start the printer if asked for. */
void net_stats_init(void)
{
	if (netstat_secs && !kthread_create(netstat_thread, NULL, "netstat", -1))
		printk("netstat: cannot start the printer thread\n");
}
