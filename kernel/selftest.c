/* The selftest runner; see selftest.h. */
#include <kernel/slab.h>
#include <kernel/selftest.h>
#include <kernel/mm.h>
#include <kernel/params.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2

extern const struct selftest __selftests_start[], __selftests_end[];

static char request[256];	/* [I] set while applying the command line */
static const char *current;	/* name of the running test */

static const char *set_selftest(const char *val)
{
	if (!val || !*val)
		return "needs a test name, a comma-separated list, 'all' or 'none'";
	if (strlen(val) >= sizeof(request))
		return "list too long";
	/* "none" undoes an earlier selftest= (the base image's default). */
	strcpy(request, strcmp(val, "none") ? val : "");
	return NULL;
}
KERNEL_PARAM("selftest", set_selftest, "selftest=all|none|NAME[,NAME...]");

const char *selftest_request(void)
{
	return request[0] ? request : NULL;
}

void selftest_fail(const char *file, int line, const char *what)
{
	printk("selftest %s: check failed at %s:%d: %s\n", current, file, line, what);
}

static int run_one(const struct selftest *t)
{
	size_t pages, heap;
	int rc;

	current = t->name;
	pages = page_nr_free();
	heap = heap_in_use() - kmem_cache_cached_bytes();
	rc = t->fn();
	if (!rc && page_nr_free() != pages) {
		printk("selftest %s: leaked %ld pages\n", t->name, (long)(pages - page_nr_free()));
		rc = 1;
	}
	/* Objects waiting in the per-CPU caches (kernel/slab.h) are free, not leaked. */
	if (!rc && heap_in_use() - kmem_cache_cached_bytes() != heap) {
		printk("selftest %s: heap in use changed by %ld bytes\n", t->name,
		       (long)(heap_in_use() - kmem_cache_cached_bytes() - heap));
		rc = 1;
	}
	printk("selftest %s: %s\n", t->name, rc ? "FAIL" : "OK");
	return rc;
}

/* Does the word @w (@len bytes) select test @name: equal, or its group prefix? */
static int word_selects(const char *w, size_t len, const char *name)
{
	return !strncmp(w, name, len) && (name[len] == '\0' || name[len] == '_');
}

/* Is @name selected by one of the comma-separated words of @list? */
static int in_list(const char *list, const char *name)
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");

		if (len && word_selects(p, len, name))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

static const struct selftest *find(const char *name, size_t len)
{
	for (const struct selftest *t = __selftests_start; t < __selftests_end; t++) {
		if (word_selects(name, len, t->name))
			return t;
	}
	return NULL;
}

/* Every name in @list must exist before anything runs. */
static int check_names(const char *list)
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");

		if (len && !find(p, len)) {
			printk("selftest: no test named '%.*s'; known:", (int)len, p);
			for (const struct selftest *t = __selftests_start; t < __selftests_end; t++)
				printk(" %s", t->name);
			printk("\n");
			return -1;
		}
		p += len + (p[len] == ',');
	}
	return 0;
}

int selftest_run(const char *list)
{
	int passed = 0, failed = 0, all = !strcmp(list, "all");

	if (!all && check_names(list))
		return EXIT_USAGE;
	/*
	 * One-time allocations are not leaks: malloc's own state, stdout's
	 * buffer, and the Bigint cache newlib's %f formatting keeps per reent.
	 */
	free(malloc(1));
	printf("%s", "");
	snprintf(NULL, 0, "%f", 0.5);
	for (const struct selftest *t = __selftests_start; t < __selftests_end; t++) {
		if (all ? (t->flags & SELFTEST_MANUAL) : !in_list(list, t->name))
			continue;
		if (run_one(t))
			failed++;
		else
			passed++;
	}
	printk("selftest: %d passed, %d failed\n", passed, failed);
	return failed ? EXIT_FAIL : EXIT_OK;
}
