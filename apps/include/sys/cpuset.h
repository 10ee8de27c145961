/*
 * cpu_set_t and the CPU_* macros, with glibc's layout and names (1024 CPUs,
 * an array of unsigned long), so affinity code written for Linux/glibc with
 * _GNU_SOURCE compiles unchanged. newlib's <sched.h> declares
 * sched_setaffinity/sched_getaffinity once _SYS_CPUSET_H_ is defined; the
 * Squall <sched.h> wrapper includes this first.
 *
 * Interface: CPU_SETSIZE, cpu_set_t, CPU_ZERO, CPU_SET, CPU_CLR, CPU_ISSET,
 * CPU_COUNT, CPU_EQUAL, CPU_AND, CPU_OR, and the *_S sized variants.
 * Implemented by apps/lib/sched.c (the functions), here (the macros).
 */
#ifndef _SYS_CPUSET_H_
#define _SYS_CPUSET_H_

#include <stddef.h>

#define CPU_SETSIZE	1024
#define __NCPUBITS	(8 * sizeof(__cpu_mask))

typedef unsigned long __cpu_mask;

typedef struct {
	__cpu_mask __bits[CPU_SETSIZE / (8 * sizeof(__cpu_mask))];
} cpu_set_t;

static __inline void __cpu_set(size_t cpu, size_t size, cpu_set_t *set, int on)
{
	if (cpu / 8 >= size)
		return;
	if (on)
		set->__bits[cpu / __NCPUBITS] |= 1UL << (cpu % __NCPUBITS);
	else
		set->__bits[cpu / __NCPUBITS] &= ~(1UL << (cpu % __NCPUBITS));
}

static __inline int __cpu_isset(size_t cpu, size_t size, const cpu_set_t *set)
{
	if (cpu / 8 >= size)
		return 0;
	return (set->__bits[cpu / __NCPUBITS] >> (cpu % __NCPUBITS)) & 1;
}

static __inline int __cpu_count(size_t size, const cpu_set_t *set)
{
	int n = 0;

	for (size_t i = 0; i < size / sizeof(__cpu_mask); i++)
		n += __builtin_popcountl(set->__bits[i]);
	return n;
}

/* op: 0 and, 1 or, 2 xor */
static __inline void __cpu_op(size_t size, cpu_set_t *d, const cpu_set_t *a,
			      const cpu_set_t *b, int op)
{
	for (size_t i = 0; i < size / sizeof(__cpu_mask); i++)
		d->__bits[i] = op == 0 ? a->__bits[i] & b->__bits[i] :
			       op == 1 ? a->__bits[i] | b->__bits[i] :
					 a->__bits[i] ^ b->__bits[i];
}

#define CPU_ZERO_S(size, set)		((void)__builtin_memset((set), 0, (size)))
#define CPU_SET_S(cpu, size, set)	__cpu_set((cpu), (size), (set), 1)
#define CPU_CLR_S(cpu, size, set)	__cpu_set((cpu), (size), (set), 0)
#define CPU_ISSET_S(cpu, size, set)	__cpu_isset((cpu), (size), (set))
#define CPU_COUNT_S(size, set)		__cpu_count((size), (set))
#define CPU_EQUAL_S(size, a, b)		(__builtin_memcmp((a), (b), (size)) == 0)
#define CPU_AND_S(size, d, a, b)	__cpu_op((size), (d), (a), (b), 0)
#define CPU_OR_S(size, d, a, b)		__cpu_op((size), (d), (a), (b), 1)
#define CPU_XOR_S(size, d, a, b)	__cpu_op((size), (d), (a), (b), 2)

#define CPU_ZERO(set)		CPU_ZERO_S(sizeof(cpu_set_t), set)
#define CPU_SET(cpu, set)	CPU_SET_S(cpu, sizeof(cpu_set_t), set)
#define CPU_CLR(cpu, set)	CPU_CLR_S(cpu, sizeof(cpu_set_t), set)
#define CPU_ISSET(cpu, set)	CPU_ISSET_S(cpu, sizeof(cpu_set_t), set)
#define CPU_COUNT(set)		CPU_COUNT_S(sizeof(cpu_set_t), set)
#define CPU_EQUAL(a, b)		CPU_EQUAL_S(sizeof(cpu_set_t), a, b)
#define CPU_AND(d, a, b)	CPU_AND_S(sizeof(cpu_set_t), d, a, b)
#define CPU_OR(d, a, b)		CPU_OR_S(sizeof(cpu_set_t), d, a, b)
#define CPU_XOR(d, a, b)	CPU_XOR_S(sizeof(cpu_set_t), d, a, b)

#endif /* _SYS_CPUSET_H_ */
