/*
 * Power-off with an exit status, through QEMU's isa-debug-exit device
 * (-device isa-debug-exit,iobase=0xf4,iosize=4).
 *
 * Writing v to port 0xf4 makes QEMU exit with (v << 1) | 1. The guest writes
 * POWER_EXIT_BIAS + status, so QEMU's exit code is 2 * status + 33: any odd
 * code >= 33 is a guest power-off, everything else (QEMU's own error 1, a
 * triple fault's 0, a timeout) is not. scripts/run maps it back to status.
 */
#ifndef SQUALL_POWER_H
#define SQUALL_POWER_H

#define POWER_EXIT_PORT 0xf4
#define POWER_EXIT_BIAS 0x10
#define POWER_STATUS_MAX 111	/* 2 * 111 + 33 = 255 */

/* Guest exit statuses with a fixed meaning. */
#define EXIT_OK       0		/* everything asked for passed */
#define EXIT_FAIL     1		/* a selftest failed */
#define EXIT_PANIC    100	/* kernel panic or unhandled CPU exception */
#define EXIT_LOADER   101	/* the UEFI loader could not start the kernel */
#define EXIT_APP_FAULT 102	/* the app took a CPU exception in ring 3 */
#define EXIT_APP_START 103	/* the app could not be loaded or started */

#ifndef __ASSEMBLER__
_Noreturn void power_off(int status);
#endif

#endif
