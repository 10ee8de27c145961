/*
 * The hosted kernel: what portable kernel code needs when it is built on
 * the host for unit tests and fuzzers (one CPU, panic aborts).
 */
#include <kernel/panic.h>
#include <kernel/params.h>
#include <kernel/percpu.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Weak: a test that links no KERNEL_PARAM has no such section. */
extern const struct kernel_param __start_kparams[] __attribute__((weak));
extern const struct kernel_param __stop_kparams[] __attribute__((weak));

const char *kparam_set(const char *key, const char *val)
{
	for (const struct kernel_param *p = __start_kparams; p && p < __stop_kparams; p++) {
		if (!strcmp(p->name, key))
			return p->set(val);
	}
	return "unknown";
}
