/* The tick profiler; see profile.h. */
#include <kernel/profile.h>
#include <stdlib.h>
#include <string.h>

static void insert_sorted(struct profile_entry *out, unsigned int *n, unsigned int max,
			  struct profile_entry e)
{
	unsigned int i;

	if (*n == max) {
		i = max - 1;
		if (out[i].hits >= e.hits)
			return;		/* full, and no hotter than the coldest kept */
	} else {
		i = (*n)++;
	}
	while (i > 0 && out[i - 1].hits < e.hits) {
		out[i] = out[i - 1];
		i--;
	}
	out[i] = e;
}

unsigned int profile_fold(const struct ksym_table *t, uint64_t base, const uint32_t *counts,
			  unsigned int nbuckets, struct profile_entry *out, unsigned int max,
			  uint64_t *total)
{
	struct profile_entry cur = { NULL, 0 };
	unsigned int n = 0;

	*total = 0;
	if (!max)
		return 0;
	for (unsigned int b = 0; b < nbuckets; b++) {
		uint32_t hits = __atomic_load_n(&counts[b], __ATOMIC_RELAXED);
		uint64_t off, size;
		const char *name;

		if (!hits)
			continue;
		*total += hits;
		name = ksym_lookup_in(t, base + ((uint64_t)b << PROF_SHIFT), &off, &size);
		if (!name)
			name = "?";
		if (cur.name && strcmp(cur.name, name)) {
			insert_sorted(out, &n, max, cur);
			cur.hits = 0;
		}
		cur.name = name;
		cur.hits += hits;
	}
	if (cur.name)
		insert_sorted(out, &n, max, cur);
	return n;
}

#ifndef SQUALL_HOSTED
#include <kernel/params.h>
#include <kernel/printk.h>
#include <net/core/stats_format.h>

extern char __text_start[], __text_end[];

static int prof_on;		/* [I] profile=1 */
static uint32_t *prof_buffer;	/* [a] hits per bucket of kernel text; allocated at the first tick */
static unsigned int prof_len;	/* [I] buckets */
static uint64_t prof_user, prof_idle, prof_lost;	/* [a] */

static const char *set_profile(const char *val)
{
	if (val && (!strcmp(val, "0") || !strcmp(val, "1"))) {
		prof_on = val[0] == '1';
		return NULL;
	}
	return "must be 0 or 1";
}
KERNEL_PARAM("profile", set_profile, "profile=0|1: sample the interrupted PC on every tick (GET /profile)");

int profile_enabled(void)
{
	return prof_on;
}

/* Allocated on first use by CPU 0's init path, not in irq context: see profile_init. */
void profile_init(void)
{
	if (!prof_on || prof_buffer)
		return;
	prof_len = (unsigned int)(((uint64_t)(__text_end - __text_start) >> PROF_SHIFT) + 1);
	prof_buffer = calloc(prof_len, sizeof(*prof_buffer));
	if (!prof_buffer)
		printk("profile: no memory for %u counters: off\n", prof_len);
}

void profile_tick(uint64_t rip, int user_mode, int idle)
{
	uint64_t b;

	if (!prof_on)
		return;
	if (user_mode) {
		__atomic_add_fetch(&prof_user, 1, __ATOMIC_RELAXED);
		return;
	}
	if (idle) {
		__atomic_add_fetch(&prof_idle, 1, __ATOMIC_RELAXED);
		return;
	}
	b = (rip - (uint64_t)(uintptr_t)__text_start) >> PROF_SHIFT;
	if (!prof_buffer || b >= prof_len) {
		__atomic_add_fetch(&prof_lost, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_add_fetch(&prof_buffer[b], 1, __ATOMIC_RELAXED);
}

#define PROF_TOP_MAX 64

void profile_show(struct seq_buf *s, unsigned int top)
{
	static struct profile_entry top_entries[PROF_TOP_MAX];	/* the endpoint's one thread */
	uint64_t k, u, i, lost, all;
	struct ksym_table t;
	unsigned int n;

	if (!prof_on || !prof_buffer) {
		seq_buf_printf(s, "profile: off (boot with profile=1)\n");
		return;
	}
	if (top > PROF_TOP_MAX)
		top = PROF_TOP_MAX;
	ksym_kernel_table(&t);
	/* The kernel total is the fold's own sum, so the lines below add up to at most it. */
	n = profile_fold(&t, (uint64_t)(uintptr_t)__text_start, prof_buffer, prof_len,
			 top_entries, top, &k);
	u = __atomic_load_n(&prof_user, __ATOMIC_RELAXED);
	i = __atomic_load_n(&prof_idle, __ATOMIC_RELAXED);
	lost = __atomic_load_n(&prof_lost, __ATOMIC_RELAXED);
	all = k + u + i + lost;
	seq_buf_printf(s, "profile: %lu ticks: kernel %lu, user %lu, idle %lu, elsewhere %lu\n",
		       (unsigned long)all, (unsigned long)k, (unsigned long)u, (unsigned long)i,
		       (unsigned long)lost);
	seq_buf_printf(s, "%8s %6s %6s  %s\n", "ticks", "kernel", "all", "function");
	for (unsigned int e = 0; e < n; e++)
		seq_buf_printf(s, "%8lu %5.1f%% %5.1f%%  %s\n", (unsigned long)top_entries[e].hits,
			       k ? 100.0 * (double)top_entries[e].hits / (double)k : 0.0,
			       all ? 100.0 * (double)top_entries[e].hits / (double)all : 0.0,
			       top_entries[e].name);
}
#endif
