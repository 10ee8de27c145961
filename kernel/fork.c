/*
 * User threads: clone() (only the thread flavour a pthreads runtime uses)
 * and the first thread of the app. A user thread is a kernel thread whose
 * function leaves for ring 3 through return_to_user() with a prepared
 * trapframe; it comes back to the kernel through system calls and
 * interrupts on its own kernel stack.
 */
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/sys.h>
#include <kernel/uaccess.h>
#include <kernel/arch/x86/trap.h>
#include <kernel/arch/x86/x86.h>
#include <stdlib.h>
#include <string.h>

#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_THREAD 0x00010000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
/* Threads share everything here: these must all be set, the rest are refused. */
#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define CLONE_OPTIONAL (CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

void return_to_user(const struct trapframe *tf) __attribute__((noreturn));
void app_thread_started(void);	/* exit.c: counts live app threads */

/* Every live app thread, for the calls that name one by tid. */
static struct list_head app_threads = LIST_HEAD_INIT(app_threads);	/* [app_threads_lock] */
DEFINE_SPINLOCK(app_threads_lock);

/* The app thread with @tid, with a reference the caller drops (put_task), or NULL. */
struct task *find_app_thread(int tid)
{
	struct task *found = NULL;
	struct list_head *pos, *n;
	uint64_t f = spin_lock_irqsave(&app_threads_lock);

	list_for_each_safe(pos, n, &app_threads) {
		struct task *t = list_entry(pos, struct task, thread_list);

		if (t->tid == tid) {
			get_task(t);
			found = t;
			break;
		}
	}
	spin_unlock_irqrestore(&app_threads_lock, f);
	return found;
}

/* For reports (the stats endpoint's workers): the list stays put while @fn runs. */
void for_each_app_thread(void (*fn)(struct task *t, void *arg), void *arg)
{
	struct list_head *pos, *n;
	uint64_t f = spin_lock_irqsave(&app_threads_lock);

	list_for_each_safe(pos, n, &app_threads)
		fn(list_entry(pos, struct task, thread_list), arg);
	spin_unlock_irqrestore(&app_threads_lock, f);
}

/* A thread leaves the registry as it exits (sys_exit). */
void app_thread_unlist(struct task *t)
{
	uint64_t f = spin_lock_irqsave(&app_threads_lock);

	list_del_init(&t->thread_list);
	spin_unlock_irqrestore(&app_threads_lock, f);
}

struct user_start {
	struct trapframe tf;
	uint64_t fs_base;
	uint64_t clear_tid;
};

static int user_thread_fn(void *arg)
{
	struct user_start s = *(struct user_start *)arg;

	free(arg);
	current->fs_base = s.fs_base;
	current->clear_child_tid = s.clear_tid;
	current->is_user = 1;
	wrmsr(MSR_FS_BASE, s.fs_base);
	return_to_user(&s.tf);
}

int user_thread_create(const struct trapframe *tf, uint64_t fs_base, uint64_t clear_tid,
		       uint64_t cpus_allowed, int *set_tid)
{
	struct user_start *s = malloc(sizeof(*s));
	struct task *t;
	uint64_t f;
	int tid;

	if (!s)
		return -ENOMEM;
	s->tf = *tf;
	s->fs_base = fs_base;
	s->clear_tid = clear_tid;
	t = kthread_create_stopped(user_thread_fn, s, "app", cpus_allowed);
	if (!t) {
		free(s);
		return -ENOMEM;
	}
	tid = t->tid;
	/* CLONE_PARENT_SETTID: written before the child can run (and clear it). */
	if (set_tid)
		*set_tid = tid;
	app_thread_started();
	f = spin_lock_irqsave(&app_threads_lock);
	list_add_tail(&t->thread_list, &app_threads);
	spin_unlock_irqrestore(&app_threads_lock, f);
	wake_up_process(t);
	put_task(t);	/* nobody joins it in the kernel: CLEARTID does that */
	return tid;
}

long sys_clone(long flags, long newsp, long ptid, long ctid, long tls)
{
	struct trapframe child = *current->user_tf;
	int tid;

	if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS ||
	    (flags & ~(long)(CLONE_THREAD_FLAGS | CLONE_OPTIONAL | 0xff)))
		return -EINVAL;		/* only threads: no fork, no namespaces */
	if ((flags & 0xff) != 0)
		return -EINVAL;		/* no exit signal for threads */
	if (!access_ok((void *)(newsp - 8), 8))
		return -EINVAL;
	if ((flags & CLONE_PARENT_SETTID) && !access_ok((void *)ptid, sizeof(int)))
		return -EFAULT;
	if ((flags & CLONE_CHILD_CLEARTID) && !access_ok((void *)ctid, sizeof(int)))
		return -EFAULT;
	child.rax = 0;		/* the child sees clone() return 0 */
	child.rsp = (uint64_t)newsp;
	tid = user_thread_create(&child, (flags & CLONE_SETTLS) ? (uint64_t)tls : current->fs_base,
				 (flags & CLONE_CHILD_CLEARTID) ? (uint64_t)ctid : 0,
				 current->cpus_allowed,
				 (flags & CLONE_PARENT_SETTID) ? (int *)ptid : NULL);
	return tid;
}
