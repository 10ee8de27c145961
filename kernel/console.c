/*
 * The console: serial port output with a per-line prefix for kernel
 * messages (printk.h). Output goes to drivers/serial.c.
 */
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/percpu.h>
#include <kernel/time.h>
#include <drivers/serial.h>
#include <stdio.h>

DEFINE_SPINLOCK(console_lock);
static int console_busted;
static int at_line_start = 1;	/* [console_lock] */
static int raw_unfinished;	/* [console_lock] app output left a line open */

static uint64_t console_lock_take(void)
{
	uint64_t f = local_irq_save();

	if (!console_busted && !spin_is_held_by_me(&console_lock))
		spin_lock(&console_lock);
	return f;
}

static void console_lock_drop(uint64_t f)
{
	if (!console_busted && spin_is_held_by_me(&console_lock))
		spin_unlock(&console_lock);
	local_irq_restore(f);
}

void console_bust_locks(void)
{
	console_busted = 1;
}

static void put_raw(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
	at_line_start = n > 0 && s[n - 1] == '\n';
}

void console_write(const char *buf, size_t len)
{
	uint64_t f = console_lock_take();

	put_raw(buf, len);
	raw_unfinished = !at_line_start;
	console_lock_drop(f);
}

static void put_prefixed(const char *s, size_t n)
{
	char pre[40];
	uint64_t us = ktime_ns() / 1000;
	int pn = snprintf(pre, sizeof(pre), "[%5llu.%06llu c%u] ",
			  (unsigned long long)(us / 1000000),
			  (unsigned long long)(us % 1000000), smp_processor_id());

	while (n > 0) {
		size_t line = 0;

		while (line < n && s[line] != '\n')
			line++;
		if (line < n)
			line++;		/* include the newline */
		if (at_line_start)
			put_raw(pre, (size_t)pn);
		put_raw(s, line);
		s += line;
		n -= line;
	}
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	uint64_t f;

	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;	/* truncated, never overrun */
	f = console_lock_take();
	if (raw_unfinished) {	/* a kernel message never continues an app's line */
		put_raw("\n", 1);
		raw_unfinished = 0;
	}
	put_prefixed(buf, (size_t)n);
	console_lock_drop(f);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
