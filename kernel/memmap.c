/*
 * Memory-map sanitising by boundary sweep: every range edge cuts the
 * address space into elementary intervals; each takes the strongest type
 * of the ranges covering it (bad > NVS > ACPI > reserved > usable, unknown
 * types count as reserved); neighbours of one type merge. O(n²) for n ≤ a
 * few hundred firmware entries, run once at boot.
 */
#include <kernel/memmap.h>
#include <string.h>

#define PAGE 4096ULL
#define MAX_IN (2 * BOOT_MEM_MAX)

static int strength(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_USABLE: return 1;
	case BOOT_MEM_ACPI: return 3;
	case BOOT_MEM_NVS: return 4;
	case BOOT_MEM_BAD: return 5;
	default: return 2;	/* reserved and anything unknown */
	}
}

static uint32_t normal_type(uint32_t type)
{
	return strength(type) == 2 ? BOOT_MEM_RESERVED : type;
}

static void sort_u64(uint64_t *a, int n)
{
	for (int i = 1; i < n; i++) {	/* insertion sort: n is small */
		uint64_t v = a[i];
		int j = i;

		for (; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/* Type covering [a, b), or 0 for a hole. */
static uint32_t cover_type(const struct boot_mem_range *in, int n, uint64_t a, uint64_t b)
{
	uint32_t best = 0;

	for (int i = 0; i < n; i++) {
		if (in[i].base <= a && in[i].base + in[i].len >= b &&
		    (!best || strength(in[i].type) > strength(best)))
			best = normal_type(in[i].type);
	}
	return best;
}

static int emit(struct boot_mem_range *out, int k, int max, uint64_t base,
		uint64_t end, uint32_t type, struct memmap_stats *st)
{
	if (type == BOOT_MEM_USABLE) {
		base = (base + PAGE - 1) & ~(PAGE - 1);
		end &= ~(PAGE - 1);
		if (end <= base)
			return k;
	}
	if (k > 0 && out[k - 1].type == type && out[k - 1].base + out[k - 1].len == base) {
		out[k - 1].len += end - base;
		return k;
	}
	if (k == max) {
		st->overflow++;
		return k;
	}
	out[k] = (struct boot_mem_range){ .base = base, .len = end - base, .type = type };
	return k + 1;
}

/*
 * 20 KiB of scratch: static, not on the stack (the boot stack is 32 KiB and
 * this runs on it). One caller at a time: the boot CPU at boot, or a test.
 */
static struct boot_mem_range valid[MAX_IN];
static uint64_t edges[2 * MAX_IN];

int memmap_sanitize(const struct boot_mem_range *in, int n,
		    struct boot_mem_range *out, int max, uint64_t limit,
		    struct memmap_stats *st)
{
	int nv = 0, ne = 0, k = 0;

	memset(st, 0, sizeof(*st));
	for (int i = 0; i < n; i++) {
		uint64_t end = in[i].base + in[i].len;

		if (in[i].len == 0 || end < in[i].base || nv == MAX_IN) {
			st->invalid++;
			continue;
		}
		valid[nv] = in[i];
		if (end > limit) {
			uint64_t cut = in[i].base >= limit ? in[i].len : end - limit;

			if (in[i].type == BOOT_MEM_USABLE)
				st->above_limit += cut;
			if (cut == in[i].len)
				continue;
			valid[nv].len -= cut;
		}
		edges[ne++] = valid[nv].base;
		edges[ne++] = valid[nv].base + valid[nv].len;
		nv++;
	}
	sort_u64(edges, ne);
	for (int i = 0; i + 1 < ne; i++) {
		uint32_t t;

		if (edges[i] == edges[i + 1])
			continue;
		t = cover_type(valid, nv, edges[i], edges[i + 1]);
		if (t)
			k = emit(out, k, max, edges[i], edges[i + 1], t, st);
	}
	return k;
}
