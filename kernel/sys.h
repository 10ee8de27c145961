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

/* Files (read_write.c). */
long sys_readv(long fd, long vec, long vlen);
long sys_writev(long fd, long vec, long vlen);
long sys_fcntl(long fd, long cmd, long arg);

/* Sockets (net/socket.c). */
long sys_socket(long family, long type, long protocol);
long sys_socketpair(long family, long type, long protocol, long usockvec);
long sys_bind(long fd, long umyaddr, long addrlen);
long sys_listen(long fd, long backlog);
long sys_accept(long fd, long upeer_sockaddr, long upeer_addrlen);
long sys_accept4(long fd, long upeer_sockaddr, long upeer_addrlen, long flags);
long sys_connect(long fd, long uservaddr, long addrlen);
long sys_getsockname(long fd, long usockaddr, long usockaddr_len);
long sys_getpeername(long fd, long usockaddr, long usockaddr_len);
long sys_sendto(long fd, long buff, long len, long flags, long addr, long addr_len);
long sys_recvfrom(long fd, long ubuf, long size, long flags, long addr, long addr_len);
long sys_sendmsg(long fd, long msg, long flags);
long sys_recvmsg(long fd, long msg, long flags);
long sys_shutdown(long fd, long how);
long sys_setsockopt(long fd, long level, long optname, long optval, long optlen);
long sys_getsockopt(long fd, long level, long optname, long optval, long optlen);

/* Kernel helpers around the app. */
#define MAX_RW_COUNT 0x7ffff000L	/* Linux's INT_MAX & PAGE_MASK: most one call moves */
#define UIO_MAXIOV 1024			/* iovecs per call */
#define UIO_FASTIOV 8			/* iovecs copied to the stack, not malloc'd */
struct iovec;
/*
 * Linux's import_iovec: copy @nr user iovecs into @fast (nr <= UIO_FASTIOV)
 * or a malloc'd array (*iov != fast: the caller frees it), check each
 * buffer with access_ok and cap the total at MAX_RW_COUNT. Returns the
 * total, -EINVAL (nr > UIO_MAXIOV), -EFAULT or -ENOMEM.
 */
long import_iovec(const struct iovec *uvec, unsigned long nr, struct iovec *fast,
		  struct iovec **iov);
struct file_operations;
extern const struct file_operations console_fops;	/* fds 0-2 (read_write.c) */
struct file;
struct socket;
struct socket *sock_from_file(struct file *f);	/* NULL if not a socket (net/socket.c) */
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
