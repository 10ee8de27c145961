/* Frame-pointer backtraces, symbolized through ksym.c. */
#include <kernel/backtrace.h>
#include <kernel/ksym.h>
#include <kernel/mm.h>
#include <kernel/printk.h>

extern char _end[];

static int frame_ok(uint64_t fp, uint64_t prev)
{
	uint64_t top = mm_phys_top() ? mm_phys_top() : (uintptr_t)_end;

	return fp % 8 == 0 && fp >= 4096 && fp + 16 <= top &&
	       (!prev || (fp > prev && fp - prev < (1 << 20)));
}

int backtrace_walk(uint64_t rbp, uint64_t *pcs, int max)
{
	uint64_t prev = 0;
	int n = 0;

	while (n < max && frame_ok(rbp, prev)) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;

		if (!frame[1])
			break;
		pcs[n++] = frame[1];
		prev = rbp;
		rbp = frame[0];
	}
	return n;
}

static void print_frame(int i, uint64_t pc, uint64_t lookup)
{
	char sym[128];

	ksym_format(lookup, sym, sizeof(sym));
	printk("  #%d %#lx %s\n", i, (unsigned long)pc, sym);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
	uint64_t pcs[BACKTRACE_MAX];
	int n = backtrace_walk(rbp, pcs, BACKTRACE_MAX);

	printk("backtrace:\n");
	print_frame(0, rip, rip);
	/* A return address may sit just past a call at a function's end. */
	for (int i = 0; i < n; i++)
		print_frame(i + 1, pcs[i], pcs[i] - 1);
}
