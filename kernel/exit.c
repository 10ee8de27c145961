/*
 * Ending user threads and the app. A thread's exit clears its
 * CLONE_CHILD_CLEARTID word and wakes a futex waiter on it (how
 * pthread_join learns the thread is gone and its stack is free); the last
 * thread's exit, or exit_group(), ends the app, and Squall powers off with
 * the app's status.
 */
#include <kernel/errno.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/sys.h>
#include <kernel/uaccess.h>
#include <net/core/stats.h>
#include <stdio.h>

long futex_wake(uint64_t uaddr, int n);	/* futex.c */

static int live_threads;	/* [a] */

void app_thread_started(void)
{
	__atomic_add_fetch(&live_threads, 1, __ATOMIC_RELAXED);
}

_Noreturn static void app_exit(long status)
{
	fflush(stdout);
	printk("app: exited with status %ld\n", status & 0xff);
	stats_print_at_exit();		/* stats_at_exit=: the counters, once more */
	power_off((int)(status & 0xff));
}

long sys_exit(long status)
{
	uint64_t ctid = current->clear_child_tid;

	if (ctid && access_ok((void *)ctid, sizeof(int))) {
		__atomic_store_n((int *)ctid, 0, __ATOMIC_RELEASE);
		futex_wake(ctid, 1);
	}
	app_thread_unlist(current);
	if (__atomic_sub_fetch(&live_threads, 1, __ATOMIC_ACQ_REL) == 0)
		app_exit(status);
	kthread_exit((int)status);
}

long sys_exit_group(long status)
{
	app_exit(status);
}

long sys_set_tid_address(long tidptr)
{
	current->clear_child_tid = (uint64_t)tidptr;
	return current->tid;
}

long sys_kill(long pid, long sig)
{
	(void)pid;
	(void)sig;
	return -EPERM;	/* no signals in Squall */
}
