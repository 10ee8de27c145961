#ifndef SQUALL_PANIC_H
#define SQUALL_PANIC_H

/*
 * panic(): print the message with the CPU id and a backtrace of the caller,
 * then power off with EXIT_PANIC. Never returns. Safe to call with the
 * console lock held (the console lets a panicking CPU through).
 */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
