/*
 * Scheduling and identity system calls: sched_yield, sched_setaffinity,
 * sched_getaffinity, getcpu, getpid, gettid, arch_prctl(ARCH_SET_FS).
 * Affinity applies to the caller (pid 0 or its own tid) or another
 * thread of the app by tid.
 */
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/sys.h>
#include <kernel/uaccess.h>
#include <kernel/arch/x86/x86.h>
#include <string.h>

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

extern int app_pid;	/* app.c: the main thread's tid */

long sys_sched_yield(void)
{
	yield();
	return 0;
}

long sys_getpid(void)
{
	return app_pid;
}

long sys_gettid(void)
{
	return current->tid;
}

/* pid 0 is the caller; else a thread of the app by tid. Drop with put_task(). */
static struct task *find_thread(long pid)
{
	if (pid == 0 || pid == current->tid) {
		get_task(current);
		return current;
	}
	return pid > 0 && pid < 0x40000000 ? find_app_thread((int)pid) : NULL;
}

long sys_sched_setaffinity(long pid, long len, long maskp)
{
	uint64_t mask = 0;
	struct task *t = find_thread(pid);

	long ret;

	if (!t)
		return -ESRCH;
	if (len < 8 || !access_ok((void *)maskp, (size_t)len)) {
		put_task(t);
		return len < 8 ? -EINVAL : -EFAULT;
	}
	memcpy(&mask, (void *)maskp, sizeof(mask));	/* CPUs >= 64: none exist */
	mask &= cpu_online_mask;
	ret = mask && !set_cpus_allowed(t, mask) ? 0 : -EINVAL;
	put_task(t);
	return ret;
}

long sys_sched_getaffinity(long pid, long len, long maskp)
{
	struct task *t = find_thread(pid);
	uint64_t mask;

	if (!t)
		return -ESRCH;
	mask = t->cpus_allowed & cpu_online_mask;
	put_task(t);
	if (len < 8 || (len & 7))
		return -EINVAL;
	if (!access_ok((void *)maskp, (size_t)len))
		return -EFAULT;
	memset((void *)maskp, 0, (size_t)len);
	memcpy((void *)maskp, &mask, sizeof(mask));
	return 8;
}

long sys_getcpu(long cpup, long nodep, long cache)
{
	(void)cache;
	if ((cpup && !access_ok((void *)cpup, 4)) || (nodep && !access_ok((void *)nodep, 4)))
		return -EFAULT;
	if (cpup)
		*(unsigned int *)cpup = smp_processor_id();
	if (nodep)
		*(unsigned int *)nodep = 0;
	return 0;
}

long sys_arch_prctl(long code, long addr)
{
	switch (code) {
	case ARCH_SET_FS:
		/* Any canonical value would do on Linux; here TLS must be app memory. */
		if (addr && !access_ok((void *)addr, 8))
			return -EPERM;
		current->fs_base = (uint64_t)addr;
		wrmsr(MSR_FS_BASE, (uint64_t)addr);
		return 0;
	case ARCH_GET_FS:
		if (!access_ok((void *)addr, 8))
			return -EFAULT;
		*(uint64_t *)addr = current->fs_base;
		return 0;
	default:
		return -EINVAL;
	}
}
