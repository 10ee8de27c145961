/* What the boot path handed over: command line, clock. */
#include <kernel/selftest.h>
#include <kernel/params.h>
#include <kernel/time.h>
#include <stdint.h>
#include <string.h>

extern const char image_cmdline[];

SELFTEST(cmdline, 0)
{
	const char *cl = params_cmdline();

	/* The image's defaults come first, so boot arguments override them. */
	ST_CHECK(!strncmp(cl, image_cmdline, strlen(image_cmdline)));
	ST_CHECK(strstr(cl, "selftest=") != NULL);
	return 0;
}

SELFTEST(clock, 0)
{
	uint64_t last = ktime_ns(), t0 = last;

	ST_CHECK(tsc_khz() >= 100000 && tsc_khz() <= 20000000);	/* 0.1-20 GHz */
	for (int i = 0; i < 10000; i++) {
		uint64_t now = ktime_ns();

		ST_CHECK(now >= last);
		last = now;
	}
	ST_CHECK(last > t0);
	ST_CHECK(t0 > 0);	/* we ran after tsc_init */
	return 0;
}
