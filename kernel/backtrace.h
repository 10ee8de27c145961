#ifndef SQUALL_BACKTRACE_H
#define SQUALL_BACKTRACE_H

#include <stdint.h>

#define BACKTRACE_MAX 32

/*
 * Walk the frame-pointer chain from @rbp (the kernel is built with
 * -fno-omit-frame-pointer) into @pcs; returns the number of return
 * addresses. Stops at a NULL, misaligned, non-increasing or unmapped frame,
 * so a corrupt stack ends the walk instead of faulting again.
 */
int backtrace_walk(uint64_t rbp, uint64_t *pcs, int max);

/* "backtrace:" then one line per frame, #0 being @rip. */
void backtrace_print(uint64_t rip, uint64_t rbp);

#endif
