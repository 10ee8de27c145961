/*
 * Time since boot, from the TSC (calibrated once against the PIT at boot).
 * Safe from any context. Timers and jiffies come with the SMP core.
 */
#ifndef SQUALL_TIME_H
#define SQUALL_TIME_H

#include <stdint.h>

void tsc_init(void);		/* boot CPU, before the first printk */
uint64_t ktime_ns(void);	/* ns since tsc_init(), 0 before */
uint64_t tsc_khz(void);		/* calibrated TSC frequency */
uint64_t tsc_to_ns(uint64_t cycles);

#endif
