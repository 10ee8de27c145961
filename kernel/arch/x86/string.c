/*
 * memcpy/memset override newlib's: from 256 bytes up those use non-temporal
 * stores that bypass the cache, which is wrong for packet-sized copies
 * (feasibility.md §1). rep movsb/stosb are fast with ERMS (-cpu max, KVM).
 */
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}
