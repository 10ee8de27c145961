/*
 * Address → function name, by binary search over the sorted table that
 * scripts/ksyms generates. Portable: the host unit tests pass their own
 * tables to ksym_lookup_in().
 */
#include <kernel/ksym.h>
#include <stdio.h>

const char *ksym_lookup_in(const struct ksym_table *t, uint64_t addr,
			   uint64_t *off, uint64_t *size)
{
	uint64_t lo = 0, hi = t->count, sz;

	if (!t->count || addr < t->addrs[0])
		return NULL;
	while (hi - lo > 1) {	/* invariant: addrs[lo] <= addr < addrs[hi] */
		uint64_t mid = lo + (hi - lo) / 2;

		if (t->addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	sz = t->sizes[lo];
	if (!sz && lo + 1 < t->count)
		sz = t->addrs[lo + 1] - t->addrs[lo];
	if (addr - t->addrs[lo] >= sz)
		return NULL;	/* past the end of the last function, or a gap */
	*off = addr - t->addrs[lo];
	*size = sz;
	return t->names + t->name_offs[lo];
}

#ifndef SQUALL_HOSTED
/* Defined in the generated .ksyms section (an empty table on the first link). */
extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addrs[];
extern const uint32_t ksyms_sizes[];
extern const uint32_t ksyms_name_offs[];
extern const char ksyms_names[];

void ksym_kernel_table(struct ksym_table *t)
{
	*t = (struct ksym_table){ ksyms_count, ksyms_addrs, ksyms_sizes, ksyms_name_offs, ksyms_names };
}

const char *ksym_lookup(uint64_t addr, uint64_t *off, uint64_t *size)
{
	const struct ksym_table t = {
		ksyms_count, ksyms_addrs, ksyms_sizes, ksyms_name_offs, ksyms_names,
	};

	return ksym_lookup_in(&t, addr, off, size);
}

void ksym_format(uint64_t addr, char *buf, size_t n)
{
	uint64_t off, size;
	const char *name = ksym_lookup(addr, &off, &size);

	if (name)
		snprintf(buf, n, "%s+%#lx/%#lx", name, (unsigned long)off,
			 (unsigned long)size);
	else
		snprintf(buf, n, "?");
}
#endif
