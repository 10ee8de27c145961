/*
 * libFuzzer: memmap_sanitize() on arbitrary range tables. Checks the
 * output contract: sorted, disjoint, non-empty, below the limit, usable
 * ranges page-aligned, and never more usable bytes than the input offered.
 */
#include <kernel/memmap.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT (4ULL << 30)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_mem_range in[2 * BOOT_MEM_MAX + 8], out[BOOT_MEM_MAX];
	struct memmap_stats st;
	size_t n = size / sizeof(in[0]);
	uint64_t usable_in = 0, usable_out = 0;
	int k;

	if (n > sizeof(in) / sizeof(in[0]))
		n = sizeof(in) / sizeof(in[0]);
	memcpy(in, data, n * sizeof(in[0]));
	for (size_t i = 0; i < n; i++) {
		in[i].type %= 8;	/* mostly known types, some unknown */
		if (in[i].type == BOOT_MEM_USABLE && in[i].base < LIMIT)
			usable_in += in[i].len < LIMIT ? in[i].len : LIMIT;
	}
	k = memmap_sanitize(in, (int)n, out, BOOT_MEM_MAX, LIMIT, &st);
	if (k < 0 || k > BOOT_MEM_MAX)
		abort();
	for (int i = 0; i < k; i++) {
		if (!out[i].len || out[i].base + out[i].len > LIMIT ||
		    out[i].base + out[i].len < out[i].base)
			abort();
		if (i && out[i].base < out[i - 1].base + out[i - 1].len)
			abort();
		if (out[i].type == BOOT_MEM_USABLE) {
			if (out[i].base % 4096 || out[i].len % 4096)
				abort();
			usable_out += out[i].len;
		}
	}
	if (usable_in < usable_out && n < BOOT_MEM_MAX)	/* sums may wrap for huge n */
		abort();
	return 0;
}
