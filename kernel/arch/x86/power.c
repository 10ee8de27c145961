/* Power-off through isa-debug-exit; see kernel/power.h for the encoding. */
#include <kernel/power.h>
#include <kernel/printk.h>
#include <kernel/arch/x86/x86.h>

void halt_forever(void) __attribute__((noreturn));

_Noreturn void power_off(int status)
{
	if (status < 0 || status > POWER_STATUS_MAX)
		status = POWER_STATUS_MAX;
	printk("squall: power off, status %d\n", status);
	outb(POWER_EXIT_PORT, (uint8_t)(POWER_EXIT_BIAS + status));
	/* No isa-debug-exit device (a user's own QEMU line): just stop. */
	printk("squall: no isa-debug-exit device; halting\n");
	halt_forever();
}
