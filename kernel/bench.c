/* The benchmark runner; see selftest.h. */
#include <kernel/selftest.h>
#include <kernel/params.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <string.h>

extern const struct benchmark __benches_start[], __benches_end[];

static char request[256];	/* [I] after the command line */

static const char *set_bench(const char *val)
{
	if (!val || !*val)
		return "needs a benchmark name, a comma-separated list or 'all'";
	if (strlen(val) >= sizeof(request))
		return "list too long";
	strcpy(request, val);
	return NULL;
}
KERNEL_PARAM("bench", set_bench, "bench=all|NAME[,NAME...]");

const char *bench_request(void)
{
	return request[0] ? request : NULL;
}

static int wanted(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(list, "all"))
		return 1;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, name, n))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

int bench_run(const char *list)
{
	int ran = 0, failed = 0;

	for (const struct benchmark *b = __benches_start; b < __benches_end; b++) {
		if (!wanted(list, b->name))
			continue;
		ran++;
		if (b->fn()) {
			printk("bench %s: could not run\n", b->name);
			failed++;
		}
	}
	if (!ran) {
		printk("bench: nothing matches '%s'; known:", list);
		for (const struct benchmark *b = __benches_start; b < __benches_end; b++)
			printk(" %s", b->name);
		printk("\n");
		return 2;
	}
	return failed ? EXIT_FAIL : EXIT_OK;
}
