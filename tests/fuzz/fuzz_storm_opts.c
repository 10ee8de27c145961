/*
 * libFuzzer: storm's opts_parse() on arbitrary argument vectors. The input
 * is split at NUL bytes into argv words (at most 32); the first byte picks
 * the size of the error buffer (2..256), so truncation is exercised too.
 *
 * Beyond "no crash under ASan/UBSan": a failure leaves a non-empty,
 * terminated message inside the buffer; a success (other than --help and
 * --version) leaves every value inside its documented bounds, and a mode
 * that runs.
 */
#include "tools/storm/opts.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 32

static struct storm_opts o;

static void check_ok(void)
{
	if (o.help || o.version)
		return;
	if (o.mode < MODE_CRR || o.mode > MODE_SYNFLOOD)
		abort();
	if (!o.duration_ns || o.duration_ns > STORM_MAX_DURATION_S * 1000000000ull)
		abort();
	if (o.rate < 0 || o.rate > STORM_MAX_RATE || o.rate != o.rate)
		abort();
	if (o.connections > STORM_MAX_CONNS || (o.mode != MODE_SYNFLOOD && !o.connections))
		abort();
	if (o.count > STORM_MAX_COUNT || o.threads > STORM_MAX_THREADS)
		abort();
	if (!o.request_size || o.request_size > STORM_MAX_SIZE || o.response_size > STORM_MAX_SIZE)
		abort();
	if (!o.timeout_ms || o.timeout_ms > STORM_MAX_TIMEOUT_MS)
		abort();
	if (!o.target_port || o.nsources > STORM_MAX_SOURCES)
		abort();
	if (o.mode == MODE_SYNFLOOD && !o.nsources)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2], *buf, err[256];
	size_t errlen, i;
	int argc = 0, rc;

	if (!size)
		return 0;
	errlen = 2 + data[0] % (sizeof(err) - 2);	/* room for one character */
	buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	argv[argc++] = "storm";
	argv[argc++] = buf;
	for (i = 0; i + 1 < size - 1 && argc < MAX_ARGS + 1; i++)
		if (!buf[i])
			argv[argc++] = &buf[i + 1];
	argv[argc] = NULL;
	memset(err, 0x55, sizeof(err));
	rc = opts_parse(&o, argc, argv, err, errlen);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && (!err[0] || strnlen(err, errlen) >= errlen))
		abort();
	if (rc == 0)
		check_ok();
	free(buf);
	return 0;
}
