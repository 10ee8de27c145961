/*
 * What newlib needs from the kernel (configured with
 * --disable-newlib-supplied-syscalls, so it calls the plain POSIX names):
 * the system calls its stdio/malloc/exit use, its retargetable locks and
 * __getreent(). See ../shared/notes/feasibility.md §1.
 *
 * These serve kernel code. Ring-3 apps link their own runtime (apps/lib)
 * and reach the kernel through system calls instead.
 */
#include <kernel/percpu.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <errno.h>
#include <reent.h>
#include <sys/lock.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <unistd.h>

/*
 * Reentrancy: each task has its own struct _reent (errno, strtok, dtoa's
 * cache), so preemption in the middle of a libc call is harmless.
 */
struct _reent *__getreent(void)
{
	return &current->reent;
}

/* ---- system calls ---- */

static int is_console(int fd) { return fd >= 0 && fd <= 2; }

int write(int fd, const void *buf, size_t n)
{
	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	console_write(buf, n);
	return (int)n;
}

int read(int fd, void *buf, size_t n)
{
	(void)buf;
	(void)n;
	if (fd == 0)
		return 0;	/* no console input: end of file */
	errno = EBADF;
	return -1;
}

int close(int fd)
{
	if (is_console(fd))
		return 0;
	errno = EBADF;
	return -1;
}

int fstat(int fd, struct stat *st)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	*st = (struct stat){ .st_mode = S_IFCHR };	/* line-buffered stdout */
	return 0;
}

int isatty(int fd)
{
	if (is_console(fd))
		return 1;
	errno = EBADF;
	return 0;
}

off_t lseek(int fd, off_t off, int whence)
{
	(void)fd;
	(void)off;
	(void)whence;
	errno = ESPIPE;
	return -1;
}

int kill(int pid, int sig)
{
	(void)pid;
	(void)sig;
	errno = EINVAL;
	return -1;
}

int getpid(void) { return 1; }

void _exit(int status)
{
	power_off(status);
}

/* No RTC read yet: the epoch is boot time. */
int gettimeofday(struct timeval *tv, void *tz)
{
	uint64_t ns = ktime_ns();

	(void)tz;
	tv->tv_sec = (time_t)(ns / 1000000000);
	tv->tv_usec = (suseconds_t)(ns % 1000000000 / 1000);
	return 0;
}

clock_t times(struct tms *t)
{
	clock_t ticks = (clock_t)(ktime_ns() / (1000000000 / CLOCKS_PER_SEC));

	*t = (struct tms){ .tms_utime = ticks };
	return ticks;
}

/* ---- retargetable locks: recursive spinlocks, interrupts off while held ---- */

struct __lock {
	struct spinlock sl;
	int depth;		/* [sl] recursion depth of the owner */
	uint64_t flags;		/* [sl] RFLAGS to restore on the last release */
};

struct __lock __lock___sinit_recursive_mutex, __lock___sfp_recursive_mutex,
	__lock___atexit_recursive_mutex, __lock___at_quick_exit_mutex,
	__lock___malloc_recursive_mutex, __lock___env_recursive_mutex,
	__lock___tz_mutex, __lock___dd_hash_mutex, __lock___arc4random_mutex;

#define NR_DYN_LOCKS 64
static struct __lock dyn_locks[NR_DYN_LOCKS];
static int dyn_used;	/* atomic */
static DEFINE_LOCK_CLASS(newlib_lock_class, "newlib");

/* The static lock objects start zeroed: give them their class once, at boot. */
void newlib_init(void)
{
	struct __lock *const statics[] = {
		&__lock___sinit_recursive_mutex, &__lock___sfp_recursive_mutex,
		&__lock___atexit_recursive_mutex, &__lock___at_quick_exit_mutex,
		&__lock___malloc_recursive_mutex, &__lock___env_recursive_mutex,
		&__lock___tz_mutex, &__lock___dd_hash_mutex, &__lock___arc4random_mutex,
	};

	for (unsigned int i = 0; i < sizeof(statics) / sizeof(statics[0]); i++)
		spin_lock_init(&statics[i]->sl, &newlib_lock_class);
}

void __retarget_lock_init(_LOCK_T *lock)
{
	int i = __atomic_fetch_add(&dyn_used, 1, __ATOMIC_RELAXED);

	if (i >= NR_DYN_LOCKS)
		panic("newlib: more than %d dynamic locks (FILEs?)", NR_DYN_LOCKS);
	spin_lock_init(&dyn_locks[i].sl, &newlib_lock_class);
	*lock = &dyn_locks[i];
}

void __retarget_lock_init_recursive(_LOCK_T *lock) { __retarget_lock_init(lock); }
void __retarget_lock_close(_LOCK_T lock) { (void)lock; }	/* pool: never reused */
void __retarget_lock_close_recursive(_LOCK_T lock) { (void)lock; }

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	uint64_t f;

	if (spin_is_held_by_me(&lock->sl)) {
		lock->depth++;
		return;
	}
	f = local_irq_save();
	spin_lock(&lock->sl);
	lock->flags = f;
	lock->depth = 1;
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	uint64_t f;

	if (--lock->depth > 0)
		return;
	f = lock->flags;
	spin_unlock(&lock->sl);
	local_irq_restore(f);
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	uint64_t f;

	if (spin_is_held_by_me(&lock->sl)) {
		lock->depth++;
		return 1;
	}
	f = local_irq_save();
	if (!spin_trylock(&lock->sl)) {
		local_irq_restore(f);
		return 0;
	}
	lock->flags = f;
	lock->depth = 1;
	return 1;
}

void __retarget_lock_acquire(_LOCK_T lock) { __retarget_lock_acquire_recursive(lock); }
void __retarget_lock_release(_LOCK_T lock) { __retarget_lock_release_recursive(lock); }
int __retarget_lock_try_acquire(_LOCK_T lock) { return __retarget_lock_try_acquire_recursive(lock); }
