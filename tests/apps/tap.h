/*
 * Tiny TAP-style reporting for the runtime tests in tests/apps: one line
 * per check, "ok N - what" or "not ok N - what", then "N passed, M failed";
 * tap_done() is main's exit status (non-zero on any failure). Call only from
 * the main thread: threads record results for main to check.
 *
 * Header-only so each test stays one file that links like an app.
 */
#ifndef SQUALL_TESTS_APPS_TAP_H
#define SQUALL_TESTS_APPS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_passed, tap_failed, tap_skipped;

#define TAP_UNUSED __attribute__((unused))

static void TAP_UNUSED __attribute__((format(printf, 2, 3))) ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", tap_passed + tap_failed + tap_skipped + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (cond)
		tap_passed++;
	else
		tap_failed++;
}

/* A check that cannot run here (one CPU): reported as skipped, with why. */
static void TAP_UNUSED __attribute__((format(printf, 1, 2))) skip(const char *fmt, ...)
{
	va_list ap;

	printf("ok %d - # SKIP ", tap_passed + tap_failed + tap_skipped + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	tap_skipped++;
}

static int TAP_UNUSED tap_done(void)
{
	if (tap_skipped)
		printf("%d passed, %d failed, %d skipped\n", tap_passed, tap_failed, tap_skipped);
	else
		printf("%d passed, %d failed\n", tap_passed, tap_failed);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif /* SQUALL_TESTS_APPS_TAP_H */
