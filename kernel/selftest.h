/*
 * In-kernel selftests (xv6 usertests-style): `selftest=all` runs every test
 * not marked SELFTEST_MANUAL, `selftest=a,b` the named ones, where a name
 * also selects its group: `smp` runs smp_ipi, smp_online, ... Each prints
 * "selftest NAME: OK" or "selftest NAME: FAIL ...", then a summary
 * "selftest: N passed, M failed", and the kernel powers off with status
 * 0 / 1 (2 for an unknown name). After each test the free page count and
 * the heap's in-use bytes must be back where they were (leak check).
 * The tests themselves live in tests/guest/.
 */
#ifndef SQUALL_SELFTEST_H
#define SQUALL_SELFTEST_H

#define SELFTEST_MANUAL 1	/* only when named: crashes or hangs on purpose */

struct selftest {
	const char *name;
	int (*fn)(void);	/* 0 = pass */
	unsigned int flags;
};

#define SELFTEST(id, flg)                                                    \
	static int selftest_##id(void);                                      \
	static const struct selftest __selftest_##id                         \
	__attribute__((section(".selftests"), used, aligned(8))) =           \
		{ #id, selftest_##id, flg };                                 \
	static int selftest_##id(void)

/* Fail the current test with a message naming the condition and line. */
#define ST_CHECK(cond)                                                       \
	do {                                                                 \
		if (!(cond)) {                                               \
			selftest_fail(__FILE__, __LINE__, #cond);            \
			return 1;                                            \
		}                                                            \
	} while (0)

void selftest_fail(const char *file, int line, const char *what);

/* Non-NULL when the command line asked for selftests. */
const char *selftest_request(void);
/* Run them; returns the power-off status. */
int selftest_run(const char *list);

/*
 * Benchmarks (`bench=all|NAME,...`): registered like selftests, they
 * measure and print "bench NAME: VALUE UNIT (details)" lines that
 * bench/ scripts collect. They assert nothing; a benchmark that cannot
 * run (say, one CPU) prints why and returns nonzero.
 */
struct benchmark {
	const char *name;
	int (*fn)(void);
};

#define BENCH(id)                                                            \
	static int bench_##id(void);                                         \
	static const struct benchmark __bench_##id                           \
	__attribute__((section(".benches"), used, aligned(8))) =             \
		{ #id, bench_##id };                                         \
	static int bench_##id(void)

const char *bench_request(void);
int bench_run(const char *list);

#endif
