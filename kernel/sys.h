/*
 * sys_* functions: one per Linux system call, by its Linux name. Arguments
 * arrive as longs, pointers unchecked: each function validates its own
 * (access_ok) and returns a value or -errno (kernel/errno.h).
 */
#ifndef SQUALL_SYS_H
#define SQUALL_SYS_H

#include <stdint.h>

long sys_read(long fd, long buf, long count);
long sys_write(long fd, long buf, long count);
long sys_close(long fd);
long sys_fstat(long fd, long statbuf);
long sys_lseek(long fd, long off, long whence);
long sys_ioctl(long fd, long cmd, long arg);
long sys_mmap(long addr, long len, long prot, long flags, long fd, long off);
long sys_munmap(long addr, long len);
long sys_brk(long addr);
long sys_sched_yield(void);
long sys_nanosleep(long req, long rem);
long sys_getpid(void);
long sys_gettid(void);
long sys_clone(long flags, long newsp, long ptid, long ctid, long tls);
long sys_exit(long status);
long sys_exit_group(long status);
long sys_kill(long pid, long sig);
long sys_gettimeofday(long tv, long tz);
long sys_arch_prctl(long code, long addr);
long sys_futex(long uaddr, long op, long val, long timeout, long uaddr2, long val3);
long sys_sched_setaffinity(long pid, long len, long mask);
long sys_sched_getaffinity(long pid, long len, long mask);
long sys_set_tid_address(long tidptr);
long sys_clock_gettime(long clock, long ts);
long sys_getcpu(long cpu, long node, long cache);

/* Kernel helpers around the app. */
uint64_t user_alloc(uint64_t len);		/* zeroed pages in the arena, 0 if none */
int user_arena_layout(uint64_t image_end);
void user_arena_reserve(uint64_t usable_bytes, int (*reserve)(uint64_t base, uint64_t len));
struct task;
struct task *find_app_thread(int tid);	/* with a reference, or NULL */
void app_thread_unlist(struct task *t);
struct trapframe;
/* Start a ring-3 thread at @tf (a full frame); 0 or -errno. */
int user_thread_create(const struct trapframe *tf, uint64_t fs_base, uint64_t clear_tid,
		       uint64_t cpus_allowed, int *set_tid);

#endif
