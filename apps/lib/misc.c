/*
 * Small POSIX pieces newlib leaves to the system: sysconf (page size, CPU
 * count, clock ticks) and posix_memalign (newlib has memalign, and its
 * aligned_alloc calls posix_memalign without providing it).
 *
 * The CPU count is the number of CPUs the calling thread may run on, as in
 * musl: at start-up that is every online CPU. Ask before pinning.
 *
 * Interface: POSIX (unistd.h, stdlib.h).
 */
#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long online_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	return CPU_COUNT(&set);
}

long sysconf(int name)
{
	switch (name) {
	case _SC_PAGESIZE:
		return 4096;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN:
		return online_cpus();
	case _SC_CLK_TCK:
		return CLOCKS_PER_SEC;	/* the unit of times() */
	default:
		errno = EINVAL;
		return -1;
	}
}

int posix_memalign(void **res, size_t align, size_t size)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = memalign(align, size);
	if (!p)
		return ENOMEM;
	*res = p;
	return 0;
}
