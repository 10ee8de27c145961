/*
 * newlib's <sched.h> plus CPU affinity, as glibc offers it with
 * _GNU_SOURCE: cpu_set_t and CPU_* (sys/cpuset.h), sched_setaffinity,
 * sched_getaffinity and sched_getcpu (declared by newlib's header once
 * cpu_set_t exists), sched_yield.
 *
 * Interface: as glibc's <sched.h>; implemented in apps/lib/sched.c.
 */
#ifndef SQUALL_SCHED_H
#define SQUALL_SCHED_H

#include <sys/cpuset.h>
#include_next <sched.h>

#endif /* SQUALL_SCHED_H */
