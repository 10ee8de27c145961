/*
 * stats_format_json/text(): fixed counter values in, exact bytes out (the
 * schema scripts/experiment reads, and the aligned text of GET / and of
 * the power-off summary); and seq_buf's overflow, which the endpoint
 * turns into a 500 rather than a truncated answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <net/core/stats_format.h>

/* Column widths follow the widest cell: a 12-digit PassiveOpens, a UINT64_MAX busy count. */
static void fill(struct stats_snapshot *st)
{
	memset(st, 0, sizeof(*st));
	st->ncpus = 2;
	st->tsc_hz = 2000000000;
	st->uptime_ms = 12345;
	st->snmp[STATS_IP] = (struct stats_mib_group){ "Ip", 2, { "InReceives", "InDelivers" }, { 5, 4 } };
	st->snmp[STATS_ICMP] = (struct stats_mib_group){ "Icmp", 1, { "InMsgs" }, { 0 } };
	st->snmp[STATS_TCP] = (struct stats_mib_group){ "Tcp", 2, { "ActiveOpens", "PassiveOpens" },
							{ 1, 123456789012ULL } };
	st->snmp[STATS_UDP] = (struct stats_mib_group){ .name = "Udp" };
	st->netstat[STATS_TCPEXT] = (struct stats_mib_group){ "TcpExt", 1, { "ListenDrops" }, { 3 } };
	st->netstat[STATS_IPEXT] = (struct stats_mib_group){ .name = "IpExt" };
	st->cpus[0] = (struct stats_cpu){ 100, 900, 10, 2, 0, 7, 0 };
	st->cpus[1] = (struct stats_cpu){ UINT64_MAX, 1, 0, 0, 5, 0, 1 };
	st->netdev = "eth0";
	st->nqueues = 1;
	st->queues[0] = (struct stats_queue){ 1, 11, 2222, 0, 3, 12, 3333, 0 };
	st->nlocks = 2;
	st->locks[0] = (struct stats_lock){ "rq", 5, 1, 300 };
	st->locks[1] = (struct stats_lock){ "console_lock", 70000, 0, 0 };
	st->nworkers = 1;
	st->workers[0] = (struct stats_worker){ 7, 1, 3, 2, 1, 0 };
	st->endpoint = (struct stats_endpoint){ 7070, 4, 1, 1, 0 };
}

static const char expect_json[] =
	"{\"source\":\"squall\",\"schema\":1,\"ncpus\":2,\"tsc_hz\":2000000000,\"uptime_s\":12.345,\"snmp\""
	":{\"Ip\":{\"InReceives\":5,\"InDelivers\":4},\"Icmp\":{\"InMsgs\":0},\"Tcp\":{\"ActiveOpens\":1,\"P"
	"assiveOpens\":123456789012},\"Udp\":{}},\"netstat\":{\"TcpExt\":{\"ListenDrops\":3},\"IpExt\":{"
	"}},\"cpus\":[{\"cpu\":0,\"busy_cycles\":100,\"idle_cycles\":900,\"softirq_cycles\":10,\"conns\":"
	"2,\"spurious_wakeups\":0,\"softnet_processed\":7,\"time_squeeze\":0},{\"cpu\":1,\"busy_cycles"
	"\":18446744073709551615,\"idle_cycles\":1,\"softirq_cycles\":0,\"conns\":0,\"spurious_wakeup"
	"s\":5,\"softnet_processed\":0,\"time_squeeze\":1}],\"netdev\":{\"eth0\":{\"queues\":[{\"queue\":0"
	",\"cpu\":1,\"rx_packets\":11,\"rx_bytes\":2222,\"rx_dropped\":0,\"rx_interrupts\":3,\"tx_packet"
	"s\":12,\"tx_bytes\":3333,\"tx_busy\":0}]}},\"locks\":[{\"name\":\"rq\",\"acquired\":5,\"contended\""
	":1,\"spin_cycles\":300},{\"name\":\"console_lock\",\"acquired\":70000,\"contended\":0,\"spin_cy"
	"cles\":0}],\"workers\":[{\"worker\":0,\"tid\":7,\"cpu\":1,\"accepts\":3,\"handled\":2,\"spurious_w"
	"akeups\":1,\"errors\":0}],\"endpoint\":{\"port\":7070,\"requests\":4,\"bad_requests\":1,\"timeou"
	"ts\":1,\"aborted\":0}}\n";

static const char expect_text_full[] =
	"squall stats: 2 cpus, tsc 2000000000 Hz, uptime 12.345 s\n"
	"Ip: InReceives InDelivers\n"
	"Ip:          5          4\n"
	"Icmp: InMsgs\n"
	"Icmp:      0\n"
	"Tcp: ActiveOpens PassiveOpens\n"
	"Tcp:           1 123456789012\n"
	"TcpExt: ListenDrops\n"
	"TcpExt:           3\n"
	"cpu          busy_cycles idle_cycles softirq_cycles conns spurious_wakeups softnet_processed time_squeeze\n"
	"  0                  100         900             10     2                0                 7            0\n"
	"  1 18446744073709551615           1              0     0                5                 0            1\n"
	"netdev eth0\n"
	"queue cpu rx_packets rx_bytes rx_dropped rx_interrupts tx_packets tx_bytes tx_busy\n"
	"    0   1         11     2222          0             3         12     3333       0\n"
	"lock         acquired contended spin_cycles\n"
	"rq                  5         1         300\n"
	"console_lock    70000         0           0\n"
	"worker tid cpu accepts handled spurious_wakeups errors\n"
	"     0   7   1       3       2                1      0\n"
	"stats_port requests bad_requests timeouts aborted\n"
	"      7070        4            1        1       0\n";

static const char expect_text_short[] =
	"squall stats: 2 cpus, tsc 2000000000 Hz, uptime 12.345 s\n"
	"Tcp: ActiveOpens PassiveOpens\n"
	"Tcp:           1 123456789012\n"
	"TcpExt: ListenDrops\n"
	"TcpExt:           3\n"
	"cpu          busy_cycles idle_cycles softirq_cycles conns spurious_wakeups softnet_processed time_squeeze\n"
	"  0                  100         900             10     2                0                 7            0\n"
	"  1 18446744073709551615           1              0     0                5                 0            1\n"
	"worker tid cpu accepts handled spurious_wakeups errors\n"
	"     0   7   1       3       2                1      0\n";

static struct stats_snapshot snap;
static char out[65536];

static const char *format(int json, enum stats_text_mode mode, size_t size, struct seq_buf *s)
{
	fill(&snap);
	memset(out, 'Z', sizeof(out));
	seq_buf_init(s, out, size);
	if (json)
		stats_format_json(s, &snap);
	else
		stats_format_text(s, &snap, mode);
	return out;
}

static void test_json_exact(void **state)
{
	struct seq_buf s;

	(void)state;
	assert_string_equal(format(1, 0, sizeof(out), &s), expect_json);
	assert_int_equal(s.len, strlen(expect_json));
	assert_false(seq_buf_has_overflowed(&s));
}

static void test_text_full_exact(void **state)
{
	struct seq_buf s;

	(void)state;
	assert_string_equal(format(0, STATS_TEXT_FULL, sizeof(out), &s), expect_text_full);
}

static void test_text_short_exact(void **state)
{
	struct seq_buf s;

	(void)state;
	assert_string_equal(format(0, STATS_TEXT_SHORT, sizeof(out), &s), expect_text_short);
}

/* No device, no workers: the keys stay (empty), the text drops those tables. */
static void test_empty_parts(void **state)
{
	struct seq_buf s;

	(void)state;
	fill(&snap);
	snap.netdev = NULL;
	snap.nworkers = 0;
	seq_buf_init(&s, out, sizeof(out));
	stats_format_json(&s, &snap);
	assert_non_null(strstr(out, ",\"netdev\":{},\"locks\":["));
	assert_non_null(strstr(out, ",\"workers\":[],\"endpoint\":"));
	seq_buf_init(&s, out, sizeof(out));
	stats_format_text(&s, &snap, STATS_TEXT_FULL);
	assert_null(strstr(out, "netdev"));
	assert_null(strstr(out, "worker"));
}

/* Too small a buffer: overflow is reported, nothing is written past it, and it is NUL-terminated. */
static void test_overflow(void **state)
{
	struct seq_buf s;

	(void)state;
	format(1, 0, 100, &s);
	assert_true(seq_buf_has_overflowed(&s));
	assert_int_equal(out[99], '\0');
	assert_int_equal(out[100], 'Z');
	assert_memory_equal(out, expect_json, 99);
	format(0, STATS_TEXT_FULL, strlen(expect_text_full), &s);
	assert_true(seq_buf_has_overflowed(&s));
	format(0, STATS_TEXT_FULL, strlen(expect_text_full) + 1, &s);
	assert_false(seq_buf_has_overflowed(&s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_exact),
		cmocka_unit_test(test_text_full_exact),
		cmocka_unit_test(test_text_short_exact),
		cmocka_unit_test(test_empty_parts),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests_name("stats_format", tests, NULL, NULL);
}
