/*
 * newlib's <sys/features.h>, plus the POSIX options the Squall runtime
 * implements. newlib defines these only for the OSes it knows (RTEMS,
 * Cygwin); for a bare x86_64-elf target it leaves them out, and then
 * <pthread.h>, clock_gettime(), nanosleep(), CLOCK_MONOTONIC and
 * sched_yield() are all hidden. Only options backed by code in apps/lib
 * are announced.
 *
 * Interface: included through every newlib header; apps never name it.
 */
#ifndef SQUALL_SYS_FEATURES_H
#define SQUALL_SYS_FEATURES_H

#include_next <sys/features.h>

#ifndef _POSIX_THREADS
#define _POSIX_THREADS			200809L	/* apps/lib/pthread*.c */
#endif
#ifndef _POSIX_TIMERS
#define _POSIX_TIMERS			200809L	/* clock_gettime, nanosleep */
#endif
#ifndef _POSIX_MONOTONIC_CLOCK
#define _POSIX_MONOTONIC_CLOCK		200809L	/* CLOCK_MONOTONIC */
#endif

#endif /* SQUALL_SYS_FEATURES_H */
