/* panic(): see panic.h. */
#include <kernel/panic.h>
#include <kernel/backtrace.h>
#include <kernel/percpu.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <stdarg.h>
#include <stdio.h>

_Noreturn void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	local_irq_save();
	console_bust_locks();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("PANIC cpu%u: %s\n", smp_processor_id(), msg);
	backtrace_print((uintptr_t)panic, (uintptr_t)__builtin_frame_address(0));
	power_off(EXIT_PANIC);
}
