/*
 * Exceptions and backtraces. `trap` and `backtrace` run in `all`;
 * `fault_null` (a deliberate NULL dereference: must print the fault, the
 * registers and a backtrace naming selftest_fault_null, then power off
 * with EXIT_PANIC) and `hang` (never returns: for the run script's
 * timeout) run only when named.
 */
#include <kernel/selftest.h>
#include <kernel/arch/x86/trap.h>
#include <kernel/arch/x86/x86.h>
#include <kernel/backtrace.h>
#include <kernel/ksym.h>
#include <kernel/sched.h>
#include <string.h>

static volatile int bp_hits;
static volatile uint64_t bp_rip;

static void on_breakpoint(struct trapframe *tf)
{
	bp_hits++;
	bp_rip = tf->rip;
}

SELFTEST(trap, 0)
{
	uint64_t off, size;
	const char *fn;
	double x = 1.5;

	trap_set_handler(T_BP, on_breakpoint);
	__asm__ volatile("int3");
	__asm__ volatile("int3");
	trap_set_handler(T_BP, NULL);
	ST_CHECK(bp_hits == 2);
	/* #BP is a trap: it resumes after int3, here, in this function. */
	fn = ksym_lookup(bp_rip, &off, &size);
	ST_CHECK(fn && !strcmp(fn, "selftest_trap"));
	x = x * x;	/* SSE state survived the trap frame's fxsave/fxrstor */
	ST_CHECK(x == 2.25);
	return 0;
}

static __attribute__((noinline)) int frame_names(const char *want[], int n)
{
	uint64_t pcs[BACKTRACE_MAX], off, size;
	int got = backtrace_walk((uintptr_t)__builtin_frame_address(0), pcs, BACKTRACE_MAX);

	if (got < n)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *fn = ksym_lookup(pcs[i] - 1, &off, &size);

		if (!fn || strcmp(fn, want[i]))
			return -1;
	}
	return 0;
}

static __attribute__((noinline)) int bt_inner(void)
{
	static const char *want[] = { "bt_inner", "bt_middle", "bt_outer", "selftest_backtrace" };
	int r = frame_names(want, 4);

	__asm__ volatile("" ::: "memory");
	return r;
}

static __attribute__((noinline)) int bt_middle(void)
{
	int r = bt_inner();

	__asm__ volatile("" ::: "memory");	/* no tail call */
	return r;
}

static __attribute__((noinline)) int bt_outer(void)
{
	int r = bt_middle();

	__asm__ volatile("" ::: "memory");
	return r;
}

SELFTEST(backtrace, 0)
{
	uint64_t off, size;

	ST_CHECK(bt_outer() == 0);
	ST_CHECK(ksym_lookup((uintptr_t)bt_middle, &off, &size) && off == 0 && size > 0);
	ST_CHECK(ksym_lookup(0, &off, &size) == NULL);
	return 0;
}

SELFTEST(fault_null, SELFTEST_MANUAL)
{
	volatile int *p;

	/* Launder NULL so the compiler cannot prove the fault and drop it. */
	__asm__ volatile("xor %k0, %k0" : "=r"(p));
	return *p;
}

SELFTEST(hang, SELFTEST_MANUAL)
{
	cli();
	for (;;)
		hlt();
	return 1;
}

/* Deep recursion on a thread's 16 KiB stack: must hit the guard page. */
static volatile int recurse_forever = 1;	/* volatile: the compiler can't see it never ends */

static __attribute__((noinline)) int recurse(int depth)
{
	volatile char pad[256];

	pad[0] = (char)depth;
	if (!recurse_forever)
		return pad[0];
	return recurse(depth + 1) + pad[0];
}

static int overflow_thread(void *arg)
{
	(void)arg;
	return recurse(0);
}

/*
 * A kernel stack overflow must be caught by the guard page under the
 * stack and reported (as a double fault, on its own IST stack), not
 * silently corrupt the memory below. Powers off with EXIT_PANIC.
 */
SELFTEST(stack_overflow, SELFTEST_MANUAL)
{
	struct task *t = kthread_create(overflow_thread, NULL, "overflow", -1);

	if (!t)
		return 1;
	kthread_join(t);
	return 1;	/* not reached: the overflow ends the kernel */
}
