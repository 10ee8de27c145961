/*
 * 16550 UART on COM1 (I/O port 0x3f8), polled output only: 115200 8N1,
 * FIFOs on. QEMU's -serial backend is behind it. "\n" goes out as "\r\n".
 */
#include <drivers/serial.h>
#include <kernel/arch/x86/x86.h>

#define COM1 0x3f8
#define UART_THR 0	/* transmit holding */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define UART_DLL 0
#define UART_DLM 1

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);	/* polled: no UART interrupts */
	outb(COM1 + UART_LCR, 0x80);	/* DLAB on to set the divisor */
	outb(COM1 + UART_DLL, 1);	/* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03);	/* 8N1, DLAB off */
	outb(COM1 + UART_FCR, 0xc7);	/* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03);	/* DTR, RTS */
}

static void put(char c)
{
	/* Bounded wait: a missing or wedged UART must not hang the kernel. */
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & UART_LSR_THRE); i++)
		cpu_relax();
	outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_putc(char c)
{
	if (c == '\n')
		put('\r');
	put(c);
}
