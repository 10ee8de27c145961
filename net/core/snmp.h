/*
 * Per-CPU MIB counters (Linux's DEFINE_SNMP_STAT, SNMP_ADD_STATS and
 * snmp_fold_field): one row of counters per CPU, each row on cache lines
 * of its own. A CPU adds to its own row, atomically, because a
 * process-context sender can migrate between reading smp_processor_id()
 * and the add; readers sum the rows without a lock.
 */
#ifndef SQUALL_SNMP_H
#define SQUALL_SNMP_H

#include <stddef.h>
#include <stdint.h>
#include <kernel/percpu.h>

#define DEFINE_SNMP_STAT(name, nfields) \
	static struct { uint64_t v[nfields]; } __attribute__((aligned(64))) name[NR_CPUS]

#define SNMP_ADD_STATS(mib, field, n) \
	__atomic_add_fetch(&(mib)[smp_processor_id()].v[field], (uint64_t)(n), __ATOMIC_RELAXED)
#define SNMP_INC_STATS(mib, field) SNMP_ADD_STATS(mib, field, 1)

static inline uint64_t __snmp_fold(const uint64_t *row0, size_t row_words, unsigned int field)
{
	uint64_t sum = 0;

	for (unsigned int c = 0; c < NR_CPUS; c++)
		sum += __atomic_load_n(&row0[c * row_words + field], __ATOMIC_RELAXED);
	return sum;
}

/* CPU @cpu's own count of @field (Linux's snmp_get_cpu_field). */
#define snmp_get_cpu_field(mib, cpu, field) \
	__atomic_load_n(&(mib)[(cpu)].v[(field)], __ATOMIC_RELAXED)

/* The sum of @field over every CPU's row of @mib. */
#define snmp_fold_field(mib, field) \
	__snmp_fold((mib)[0].v, sizeof((mib)[0]) / sizeof(uint64_t), (field))

#endif
