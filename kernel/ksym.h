/*
 * Kernel symbol table for backtraces. The build links the kernel once,
 * lists its functions with nm (scripts/ksyms), assembles them into the
 * .ksyms section and links again (kernel.ld explains why no code moves).
 */
#ifndef SQUALL_KSYM_H
#define SQUALL_KSYM_H

#include <stddef.h>
#include <stdint.h>

struct ksym_table {
	uint64_t count;
	const uint64_t *addrs;		/* sorted ascending */
	const uint32_t *sizes;		/* 0 when nm gave none (asm labels) */
	const uint32_t *name_offs;	/* into names */
	const char *names;		/* NUL-separated */
};

/*
 * Name of the function containing @addr, or NULL; *off is the offset in it,
 * *size its size (the gap to the next symbol when nm had no size).
 */
const char *ksym_lookup_in(const struct ksym_table *t, uint64_t addr,
			   uint64_t *off, uint64_t *size);

/* The running kernel's table (kernel only). */
void ksym_kernel_table(struct ksym_table *t);
const char *ksym_lookup(uint64_t addr, uint64_t *off, uint64_t *size);

/* "name+0xoff/0xsize", or "?" when unknown; always NUL-terminates. */
void ksym_format(uint64_t addr, char *buf, size_t n);

#endif
