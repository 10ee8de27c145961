/*
 * Kernel console output.
 *
 * printk() writes one message; every line it starts gets the prefix
 * "[seconds.micros cN] " (time since boot, CPU id). console_write() writes
 * raw bytes (newlib's stdout) without prefixes. Both take the console lock,
 * so lines from different CPUs do not interleave mid-line.
 */
#ifndef SQUALL_PRINTK_H
#define SQUALL_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list ap);
void console_write(const char *buf, size_t len);

/* A panicking CPU may print even if it (or a dead CPU) holds the lock. */
void console_bust_locks(void);

#endif
