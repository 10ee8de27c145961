#ifndef SQUALL_SERIAL_H
#define SQUALL_SERIAL_H

/* 16550 UART on COM1: the console. Caller serialises (console_lock). */
void serial_init(void);
void serial_putc(char c);

#endif
