/* tools/storm/opts.c: storm's command line, good and bad. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tools/storm/opts.h"

static struct storm_opts o;
static char err[256];

/* Parse a space-separated command line (no quoting needed here). */
static int parse(const char *line)
{
	char buf[512], *argv[64], *tok, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	argv[argc++] = "storm";
	for (tok = strtok_r(buf, " ", &save); tok && argc < 63; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return opts_parse(&o, argc, argv, err, sizeof(err));
}

/* Parse expecting a usage error whose message contains @needle. */
static void bad(const char *line, const char *needle)
{
	if (parse(line) == 0)
		fail_msg("accepted: %s", line);
	if (!strstr(err, needle))
		fail_msg("'%s': message '%s' lacks '%s'", line, err, needle);
}

static const char *src(uint32_t i)
{
	static char b[INET_ADDRSTRLEN];
	struct in_addr a = { .s_addr = o.sources[i] };

	return inet_ntop(AF_INET, &a, b, sizeof(b));
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("crr"), 0);
	assert_int_equal(o.mode, MODE_CRR);
	assert_int_equal(o.target_addr, htonl(0x7f000001));
	assert_int_equal(o.target_port, 8080);
	assert_int_equal(o.duration_ns, 10000000000ull);
	assert_int_equal(o.connections, 64);
	assert_true(o.rate == 0);
	assert_int_equal(o.count, 0);
	assert_int_equal(o.threads, 0);
	assert_int_equal(o.request_size, 64);
	assert_int_equal(o.response_size, 128);
	assert_int_equal(o.timeout_ms, 2000);
	assert_int_equal(o.format, FORMAT_AUTO);
	assert_int_equal(o.live, -1);
	assert_true(o.check && o.series);
	assert_int_equal(o.nsources, 0);
	/* the connection default follows the mode and the loop */
	assert_int_equal(parse("crr --rate 100"), 0);
	assert_int_equal(o.connections, 1024);
	assert_int_equal(parse("rr"), 0);
	assert_int_equal(o.connections, 64);
	assert_int_equal(parse("hold"), 0);
	assert_int_equal(o.connections, 1000);
	assert_int_equal(parse("synflood -s 10.0.0.9"), 0);
	assert_int_equal(o.connections, 0);
}

static void test_option_forms(void **state)
{
	(void)state;
	assert_int_equal(parse("--connections 5 crr"), 0);	/* mode anywhere */
	assert_int_equal(o.connections, 5);
	assert_int_equal(parse("crr --connections=6"), 0);
	assert_int_equal(o.connections, 6);
	assert_int_equal(parse("crr -c 7"), 0);
	assert_int_equal(o.connections, 7);
	assert_int_equal(parse("crr -c8"), 0);
	assert_int_equal(o.connections, 8);
	assert_int_equal(parse("crr -c 1 -c 9"), 0);		/* the last one wins */
	assert_int_equal(o.connections, 9);
	assert_int_equal(parse("crr --json --no-live --no-check --no-series"), 0);
	assert_int_equal(o.format, FORMAT_JSON);
	assert_int_equal(o.live, 0);
	assert_false(o.check || o.series);
	assert_true(o.set & OPT_BIT(OPT_NO_CHECK));
	assert_int_equal(parse("crr --text --live"), 0);
	assert_int_equal(o.format, FORMAT_TEXT);
	assert_int_equal(o.live, 1);
	assert_int_equal(parse("-- crr"), 0);			/* words after -- */
	assert_int_equal(o.mode, MODE_CRR);
}

static void test_numbers_and_suffixes(void **state)
{
	(void)state;
	assert_int_equal(parse("crr -r 2.5k -n 1M -c 1.5k -T 3"), 0);
	assert_true(o.rate == 2500);
	assert_int_equal(o.count, 1000000);
	assert_int_equal(o.connections, 1500);
	assert_int_equal(o.threads, 3);
	assert_int_equal(parse("crr -r 0.5 -n 1G"), 0);
	assert_true(o.rate == 0.5);
	assert_int_equal(o.count, 1000000000);
	assert_int_equal(parse("crr -r 10M"), 0);		/* the cap itself */
	assert_int_equal(parse("crr --request-size 1 --response-size 0"), 0);
	assert_int_equal(o.request_size, 1);
	assert_int_equal(o.response_size, 0);
	bad("crr -c 1.5", "whole number");
	bad("crr -c 5x", "whole number");
	bad("crr -c -3", "whole number");
	bad("crr -c 1000001", "out of range");
	bad("crr -n 0", "out of range");
	bad("crr -n 2G", "out of range");
	bad("crr -T 0", "out of range");
	bad("crr -T 257", "out of range");
	bad("crr --request-size 1k", "whole number");		/* sizes take no suffix */
	bad("crr --request-size 0", "out of range");
	bad("crr --response-size 1048577", "out of range");
	bad("crr -r 0", "out of range");
	bad("crr -r 10000001", "out of range");
	bad("crr -r 1e6", "not a rate");
	bad("crr -r nan", "not a rate");
	bad("crr -r 1.2345", "not a rate");
	bad("crr -r 99999999999999999999", "not a rate");
}

static void test_times(void **state)
{
	(void)state;
	assert_int_equal(parse("crr -d 2.5"), 0);
	assert_int_equal(o.duration_ns, 2500000000ull);
	assert_int_equal(parse("crr -d 500ms"), 0);
	assert_int_equal(o.duration_ns, 500000000ull);
	assert_int_equal(parse("crr -d 5m"), 0);
	assert_int_equal(o.duration_ns, 300000000000ull);
	assert_int_equal(parse("crr -d 600s"), 0);		/* the cap itself */
	assert_int_equal(parse("crr --timeout 250"), 0);	/* bare: milliseconds */
	assert_int_equal(o.timeout_ms, 250);
	assert_int_equal(parse("crr --timeout 1.5s"), 0);
	assert_int_equal(o.timeout_ms, 1500);
	bad("crr -d 0", "--duration");
	bad("crr -d 601", "at most 600s");
	bad("crr -d 11m", "--duration");
	bad("crr -d 2h", "--duration");
	bad("crr -d 10sec", "--duration");
	bad("crr -d .", "--duration");
	bad("crr --timeout 0", "--timeout");
	bad("crr --timeout 500us", "--timeout");
	bad("crr --timeout 61s", "--timeout");
}

static void test_targets(void **state)
{
	(void)state;
	assert_int_equal(parse("crr -t 10.0.0.2:9000"), 0);
	assert_int_equal(o.target_addr, inet_addr("10.0.0.2"));
	assert_int_equal(o.target_port, 9000);
	assert_int_equal(parse("crr -t 10.0.0.3"), 0);
	assert_int_equal(o.target_addr, inet_addr("10.0.0.3"));
	assert_int_equal(o.target_port, 8080);
	assert_int_equal(parse("crr -t :7070"), 0);
	assert_int_equal(o.target_addr, inet_addr("127.0.0.1"));
	assert_int_equal(o.target_port, 7070);
	assert_int_equal(parse("crr -t localhost:81"), 0);
	assert_int_equal(o.target_addr, inet_addr("127.0.0.1"));
	bad("crr -t example.com:80", "not an IPv4 address");
	bad("crr -t 10.0.0.256", "not an IPv4 address");
	bad("crr -t 10.0.0.1:", "port");
	bad("crr -t 10.0.0.1:0", "out of range");
	bad("crr -t 10.0.0.1:65536", "out of range");
	bad("crr -t [::1]:80", "not an IPv4 address");
	bad("crr -t 0.0.0.0:80", "not a unicast");
	bad("crr -t 239.1.1.1:80", "not a unicast");
}

static void test_sources(void **state)
{
	(void)state;
	assert_int_equal(parse("crr -s 10.0.0.0/30"), 0);	/* network, broadcast left out */
	assert_int_equal(o.nsources, 2);
	assert_string_equal(src(0), "10.0.0.1");
	assert_string_equal(src(1), "10.0.0.2");
	assert_int_equal(parse("crr -s 10.0.0.7/32"), 0);
	assert_int_equal(o.nsources, 1);
	assert_string_equal(src(0), "10.0.0.7");
	assert_int_equal(parse("crr -s 10.0.0.4/31"), 0);
	assert_int_equal(o.nsources, 2);
	assert_int_equal(parse("crr -s 10.0.0.9/24"), 0);	/* host bits ignored */
	assert_int_equal(o.nsources, 254);
	assert_string_equal(src(0), "10.0.0.1");
	assert_int_equal(parse("crr -s 10.0.0.250-10.0.1.2"), 0);
	assert_int_equal(o.nsources, 9);
	assert_string_equal(src(8), "10.0.1.2");
	assert_int_equal(parse("crr -s 10.0.0.2-5,10.9.9.9"), 0);
	assert_int_equal(o.nsources, 5);
	assert_string_equal(src(3), "10.0.0.5");
	assert_string_equal(src(4), "10.9.9.9");
	assert_int_equal(parse("crr -s 10.0.0.0/20"), 0);	/* 4094: fits */
	assert_int_equal(o.nsources, 4094);
	bad("crr -s 10.0.0.0/19", "more than 4096");
	bad("crr -s 10.0.0.0/8", "more than 4096");
	bad("crr -s 10.0.0.5-2", "backwards");
	bad("crr -s 10.0.0.5-300", "range end");
	bad("crr -s 10.0.0.1,,10.0.0.2", "empty item");
	bad("crr -s 10.0.0.1,", "empty item");
	bad("crr -s 10.0.0.0/33", "out of range");
	bad("crr -s 10.0.0.0/", "prefix");
	bad("crr -s 10.0.0.x", "not an address");
	bad("crr -s 224.0.0.1", "unicast");
}

static void test_mode_rules(void **state)
{
	(void)state;
	bad("", "no mode");
	bad("-c 5", "no mode");
	bad("crr rr", "more than one mode");
	bad("tcp", "unknown mode");
	bad("crr --bogus", "unknown option '--bogus'");
	bad("crr -x", "unknown option '-x'");
	bad("crr -c", "needs a value");
	bad("crr --json=1", "takes no value");
	bad("crr -hv", "takes no value");
	bad("crr --json --text", "exclude");
	bad("hold -n 5", "--count does not apply to hold");
	bad("hold --request-size 10", "do not apply to hold");
	bad("rr --response-size 10", "does not apply to rr");
	bad("synflood", "needs --source-addrs");
	bad("synflood -s 10.0.0.1 -c 5", "do not apply to synflood");
	bad("synflood -s 10.0.0.1 --timeout 5", "do not apply to synflood");
	bad("synflood -s 10.0.0.1 --request-size 5", "do not apply to synflood");
	assert_int_equal(parse("synflood -s 10.0.0.128/25 -r 100k -n 1M"), 0);
	assert_int_equal(o.nsources, 126);
	assert_int_equal(parse("hold -c 50k -r 5k"), 0);
	assert_int_equal(o.connections, 50000);
}

static void test_help_and_version_skip_the_rules(void **state)
{
	(void)state;
	assert_int_equal(parse("--help"), 0);
	assert_true(o.help);
	assert_int_equal(parse("-h"), 0);
	assert_true(o.help);
	assert_int_equal(parse("synflood --help"), 0);		/* no --source-addrs needed */
	assert_int_equal(parse("-V"), 0);
	assert_true(o.version);
	bad("--help --bogus", "unknown option");		/* but options still parse */
}

/* A tiny error buffer truncates the message; it never overflows. */
static void test_small_error_buffer(void **state)
{
	char small[8];
	char *argv[] = { "storm", "--this-option-does-not-exist", NULL };

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_int_equal(opts_parse(&o, 2, argv, small, sizeof(small)), -1);
	assert_int_equal(small[7], '\0');
	assert_int_equal(strlen(small), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_option_forms),
		cmocka_unit_test(test_numbers_and_suffixes),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_mode_rules),
		cmocka_unit_test(test_help_and_version_skip_the_rules),
		cmocka_unit_test(test_small_error_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
