/* memcpy/memset are ours (kernel/arch/x86/string.c): check edges and sizes. */
#include <kernel/selftest.h>
#include <stdint.h>
#include <string.h>

static uint8_t src[4096 + 64], dst[4096 + 64];

SELFTEST(string, 0)
{
	static const size_t sizes[] = { 0, 1, 7, 8, 63, 64, 255, 256, 1500, 4096 };

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 3);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t off = 0; off < 3; off++) {
			size_t n = sizes[s];

			memset(dst, 0xee, sizeof(dst));
			ST_CHECK(memcpy(dst + off, src + 1, n) == dst + off);
			ST_CHECK(memcmp(dst + off, src + 1, n) == 0);
			ST_CHECK(dst[off + n] == 0xee);		/* no overrun */
			ST_CHECK(off == 0 || dst[off - 1] == 0xee);
			ST_CHECK(memset(dst + off, 0x5a, n) == dst + off);
			for (size_t k = 0; k < n; k++)
				ST_CHECK(dst[off + k] == 0x5a);
			ST_CHECK(dst[off + n] == 0xee);
		}
	}
	memcpy(dst, "abcdefgh", 8);
	memmove(dst + 2, dst, 6);	/* overlapping: newlib's memmove */
	ST_CHECK(!memcmp(dst, "ababcdef", 8));
	ST_CHECK(strlen("squall") == 6 && !strcmp(strchr("a=b", '='), "=b"));
	return 0;
}
