/*
 * TCP MIB counters (Linux's TCP_MIB_* of /proc/net/snmp "Tcp:" and the
 * LINUX_MIB_* TCP entries of /proc/net/netstat "TcpExt:", with Linux's
 * names). One row per CPU: a CPU adds to its own row with a relaxed
 * atomic (a preempted task may have moved, so the add must not tear);
 * readers sum the rows racily, as /proc does. CurrEstab is a gauge kept
 * as increments and decrements across rows: the sum is exact.
 */
#include <net/ipv4/tcp.h>
#include <kernel/percpu.h>
#include <net/core/snmp.h>

DEFINE_SNMP_STAT(tcp_mibs, TCP_MIB_MAX);

static const char *const tcp_mib_names[TCP_MIB_MAX] = {
	[TCP_MIB_ACTIVEOPENS] = "ActiveOpens",
	[TCP_MIB_PASSIVEOPENS] = "PassiveOpens",
	[TCP_MIB_ATTEMPTFAILS] = "AttemptFails",
	[TCP_MIB_ESTABRESETS] = "EstabResets",
	[TCP_MIB_CURRESTAB] = "CurrEstab",
	[TCP_MIB_INSEGS] = "InSegs",
	[TCP_MIB_OUTSEGS] = "OutSegs",
	[TCP_MIB_RETRANSSEGS] = "RetransSegs",
	[TCP_MIB_INERRS] = "InErrs",
	[TCP_MIB_OUTRSTS] = "OutRsts",
	[TCP_MIB_CSUMERRORS] = "InCsumErrors",
	[LINUX_MIB_LISTENOVERFLOWS] = "ListenOverflows",
	[LINUX_MIB_LISTENDROPS] = "ListenDrops",
	[LINUX_MIB_SYNCOOKIESSENT] = "SyncookiesSent",
	[LINUX_MIB_SYNCOOKIESRECV] = "SyncookiesRecv",
	[LINUX_MIB_SYNCOOKIESFAILED] = "SyncookiesFailed",
	[LINUX_MIB_TCPCHALLENGEACK] = "TCPChallengeACK",
	[LINUX_MIB_TCPSYNCHALLENGE] = "TCPSYNChallenge",
	[LINUX_MIB_PAWSESTABREJECTED] = "PAWSEstab",
	[LINUX_MIB_TCPTIMEOUTS] = "TCPTimeouts",
	[LINUX_MIB_TCPFASTRETRANS] = "TCPFastRetrans",
	[LINUX_MIB_DELAYEDACKS] = "DelayedACKs",
	[LINUX_MIB_TCPABORTONDATA] = "TCPAbortOnData",
	[LINUX_MIB_TCPABORTONCLOSE] = "TCPAbortOnClose",
	[LINUX_MIB_TCPABORTONTIMEOUT] = "TCPAbortOnTimeout",
	[LINUX_MIB_TW] = "TW",
	[LINUX_MIB_TCPBACKLOGDROP] = "TCPBacklogDrop",
	[LINUX_MIB_TCPOFOQUEUE] = "TCPOFOQueue",
	[LINUX_MIB_TCPRCVQDROP] = "TCPRcvQDrop",
	[LINUX_MIB_TCPZEROWINDOWDROP] = "TCPZeroWindowDrop",
	[LINUX_MIB_TCPREQQFULLDROP] = "TCPReqQFullDrop",
	[LINUX_MIB_TCPKEEPALIVE] = "TCPKeepAlive",
	[LINUX_MIB_TCPACKSKIPPEDSEQ] = "TCPACKSkippedSeq",
	[LINUX_MIB_TCPACKSKIPPEDPAWS] = "TCPACKSkippedPAWS",
};

/* Any context. */
void tcp_mib_add(enum tcp_mib field, long n)
{
	if ((unsigned int)field >= TCP_MIB_MAX)
		return;
	SNMP_ADD_STATS(tcp_mibs, field, n);
}

void tcp_mib_inc(enum tcp_mib field)
{
	tcp_mib_add(field, 1);
}

uint64_t tcp_mib_read(enum tcp_mib field)
{
	return (unsigned int)field < TCP_MIB_MAX ? snmp_fold_field(tcp_mibs, field) : 0;
}

/* What CPU @cpu counted (the stats endpoint's per-CPU "conns" is its PassiveOpens). */
uint64_t tcp_mib_read_cpu(enum tcp_mib field, unsigned int cpu)
{
	if ((unsigned int)field >= TCP_MIB_MAX || cpu >= NR_CPUS)
		return 0;
	return snmp_get_cpu_field(tcp_mibs, cpu, field);
}

/* "Tcp:" names for TCP_MIB_*, "TcpExt:" names for LINUX_MIB_*; NULL past the end. */
const char *tcp_mib_name(enum tcp_mib field)
{
	return (unsigned int)field < TCP_MIB_MAX ? tcp_mib_names[field] : NULL;
}
