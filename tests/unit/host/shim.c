/*
 * The hosted kernel: what portable kernel code needs when it is built on
 * the host for unit tests and fuzzers (one CPU, panic aborts).
 */
#include <kernel/panic.h>
#include <kernel/percpu.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct percpu percpu_area[NR_CPUS];

_Noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "PANIC (hosted): ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}
