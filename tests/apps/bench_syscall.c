/*
 * Benchmark: the cycles of a null system call round trip (getpid through
 * SYSCALL/SYSRET), the median of 15 rounds of 20000 calls, and the min.
 * Prints "bench null_syscall: N cycles ..." like the kernel's benchmarks.
 * Runs in Squall (image bench_syscall) and on a Linux host or guest alike.
 */
#include "../../apps/lib/syscall.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define ROUNDS 15
#define CALLS 20000

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	uint64_t per[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = rdtsc();

		for (int i = 0; i < CALLS; i++)
			syscall0(39);
		per[r] = (rdtsc() - t0) / CALLS;
	}
	qsort(per, ROUNDS, sizeof(per[0]), cmp);
	printf("bench null_syscall: %llu cycles (median of %d rounds), %llu min; getpid() round trip\n",
	       (unsigned long long)per[ROUNDS / 2], ROUNDS, (unsigned long long)per[0]);
	return 0;
}
