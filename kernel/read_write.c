/*
 * read/write/readv/writev/close/fstat/lseek/ioctl/fcntl on descriptors
 * (Linux's fs/read_write.c, fs/ioctl.c, fs/fcntl.c): each finds the file
 * (fget), checks the user buffer (access_ok), and calls the file's
 * f_op: the console's below for fds 0-2, the socket file's in
 * net/socket.c, epoll's in kernel/eventpoll.c.
 *
 * The console reads end-of-file (there is no input) and writes to the
 * serial port; like a terminal it is open read-write and answers TCGETS.
 * close-on-exec is kept in f_flags as O_CLOEXEC: there is no dup(), so a
 * file has exactly one fd, and no exec, so the bit is only reported back.
 */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/printk.h>
#include <kernel/sys.h>
#include <kernel/uaccess.h>
#include <net/socket.h>
#include <stdlib.h>
#include <string.h>

#define S_IFCHR 0020000
#define S_IFSOCK 0140000
#define TCGETS 0x5401
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define FD_CLOEXEC 1
#define O_APPEND 02000
#define SETFL_MASK (O_APPEND | O_NONBLOCK)	/* what F_SETFL may change; the rest is ignored */

/* Linux x86-64 struct stat: 144 bytes; only st_mode (offset 24) matters here. */
struct linux_stat {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	uint64_t times[6];
	int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "Linux x86-64 struct stat");

/* ---- the console: fds 0-2 ---- */

static long console_read(struct file *f, void *buf, size_t len)
{
	(void)f;
	(void)buf;
	(void)len;
	return 0;	/* no console input: end of file */
}

static long console_file_write(struct file *f, const void *buf, size_t len)
{
	(void)f;
	console_write(buf, len);
	return (long)len;
}

static long console_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	(void)f;
	(void)arg;
	return cmd == TCGETS ? 0 : -ENOTTY;	/* isatty() asks TCGETS */
}

const struct file_operations console_fops = {
	.read = console_read,
	.write = console_file_write,
	.ioctl = console_ioctl,
};

/* ---- user buffers ---- */

/* Linux's access_ok accepts any address for 0 bytes: nothing is touched. */
static int user_buf_ok(const void *p, size_t len)
{
	return !len || access_ok(p, len);
}

long import_iovec(const struct iovec *uvec, unsigned long nr, struct iovec *fast,
		  struct iovec **out)
{
	struct iovec *iov = fast;
	long total = 0, err = -EFAULT;

	*out = fast;
	if (nr > UIO_MAXIOV)
		return -EINVAL;
	if (nr == 0)
		return 0;
	if (nr > UIO_FASTIOV && !(iov = malloc(nr * sizeof(*iov))))
		return -ENOMEM;
	if (!access_ok(uvec, nr * sizeof(*uvec)))
		goto fail;
	memcpy(iov, uvec, nr * sizeof(*iov));
	for (unsigned long i = 0; i < nr; i++) {
		size_t len = iov[i].iov_len;

		/* A "negative" length is huge here too, so it fails access_ok: -EFAULT, as Linux. */
		if (!user_buf_ok(iov[i].iov_base, len))
			goto fail;
		if (len > (size_t)(MAX_RW_COUNT - total)) {
			len = (size_t)(MAX_RW_COUNT - total);
			iov[i].iov_len = len;
		}
		total += (long)len;
	}
	*out = iov;
	return total;
fail:
	if (iov != fast)
		free(iov);
	return err;
}

/* ---- read, write and their vector forms ---- */

long sys_read(long fd, long buf, long count)
{
	struct file *f = fget((int)fd);
	size_t n = (size_t)count;
	long ret;

	if (!f)
		return -EBADF;
	if (!f->f_op->read)
		ret = -EBADF;
	else if (!user_buf_ok((void *)buf, n))
		ret = -EFAULT;
	else
		ret = f->f_op->read(f, (void *)buf, n > MAX_RW_COUNT ? MAX_RW_COUNT : n);
	fput(f);
	return ret;
}

long sys_write(long fd, long buf, long count)
{
	struct file *f = fget((int)fd);
	size_t n = (size_t)count;
	long ret;

	if (!f)
		return -EBADF;
	if (!f->f_op->write)
		ret = -EBADF;
	else if (!user_buf_ok((void *)buf, n))
		ret = -EFAULT;
	else
		ret = f->f_op->write(f, (void *)buf, n > MAX_RW_COUNT ? MAX_RW_COUNT : n);
	fput(f);
	return ret;
}

/* A socket takes the whole vector as one message (a datagram spans the iovecs). */
static long sock_rw_iov(struct socket *sock, struct file *f, struct iovec *iov,
			unsigned long nr, long total, int write)
{
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = nr };
	int flags = (f->f_flags & O_NONBLOCK) ? MSG_DONTWAIT : 0;

	if (write) {
		msg.msg_flags = (unsigned int)flags;
		return sock->ops->sendmsg(sock, &msg, (size_t)total);
	}
	return sock->ops->recvmsg(sock, &msg, (size_t)total, flags);
}

/* Anything else: one call per segment, stopping at a short one (Linux's do_loop_readv_writev). */
static long loop_rw_iov(struct file *f, struct iovec *iov, unsigned long nr, int write)
{
	long ret = 0;

	for (unsigned long i = 0; i < nr; i++) {
		long n = write ? f->f_op->write(f, iov[i].iov_base, iov[i].iov_len)
			       : f->f_op->read(f, iov[i].iov_base, iov[i].iov_len);

		if (n < 0)
			return ret ? ret : n;
		ret += n;
		if ((size_t)n != iov[i].iov_len)
			break;
	}
	return ret;
}

static long do_rw_iov(long fd, long vec, long vlen, int write)
{
	struct iovec fast[UIO_FASTIOV], *iov;
	struct file *f = fget((int)fd);
	struct socket *sock;
	long ret;

	if (!f)
		return -EBADF;
	ret = -EBADF;
	if (!(write ? (void *)f->f_op->write : (void *)f->f_op->read))
		goto out;
	ret = import_iovec((const struct iovec *)vec, (unsigned long)vlen, fast, &iov);
	if (ret <= 0)
		goto out;
	sock = sock_from_file(f);
	if (sock)
		ret = sock_rw_iov(sock, f, iov, (unsigned long)vlen, ret, write);
	else
		ret = loop_rw_iov(f, iov, (unsigned long)vlen, write);
	if (iov != fast)
		free(iov);
out:
	fput(f);
	return ret;
}

long sys_readv(long fd, long vec, long vlen)
{
	return do_rw_iov(fd, vec, vlen, 0);
}

long sys_writev(long fd, long vec, long vlen)
{
	return do_rw_iov(fd, vec, vlen, 1);
}

/* ---- the rest ---- */

long sys_close(long fd)
{
	return fd_close((int)fd);
}

long sys_fstat(long fd, long statbuf)
{
	struct linux_stat *st = (struct linux_stat *)statbuf;
	struct file *f = fget((int)fd);
	long ret = 0;

	if (!f)
		return -EBADF;
	if (!access_ok(st, sizeof(*st))) {
		ret = -EFAULT;
	} else {
		memset(st, 0, sizeof(*st));
		st->st_nlink = 1;
		st->st_blksize = 4096;
		if (f->f_op == &console_fops)
			st->st_mode = S_IFCHR | 0620;
		else if (sock_from_file(f))
			st->st_mode = S_IFSOCK | 0777;
		else
			st->st_mode = 0600;	/* an anonymous inode (epoll), as Linux */
	}
	fput(f);
	return ret;
}

long sys_lseek(long fd, long off, long whence)
{
	struct file *f = fget((int)fd);

	(void)off;
	(void)whence;
	if (!f)
		return -EBADF;
	fput(f);
	return -ESPIPE;	/* nothing here is seekable */
}

/* Linux's do_vfs_ioctl handles these for every file before its own ioctl. */
long sys_ioctl(long fd, long cmd, long arg)
{
	struct file *f = fget((int)fd);
	long ret = 0;

	if (!f)
		return -EBADF;
	switch ((unsigned int)cmd) {
	case FIONBIO:
		if (!access_ok((void *)arg, sizeof(int)))
			ret = -EFAULT;
		else if (*(int *)arg)
			__atomic_or_fetch(&f->f_flags, O_NONBLOCK, __ATOMIC_RELAXED);
		else
			__atomic_and_fetch(&f->f_flags, ~O_NONBLOCK, __ATOMIC_RELAXED);
		break;
	case FIOCLEX:
		__atomic_or_fetch(&f->f_flags, O_CLOEXEC, __ATOMIC_RELAXED);
		break;
	case FIONCLEX:
		__atomic_and_fetch(&f->f_flags, ~O_CLOEXEC, __ATOMIC_RELAXED);
		break;
	default:
		ret = f->f_op->ioctl ? f->f_op->ioctl(f, (unsigned int)cmd, (unsigned long)arg)
				     : -ENOTTY;
		break;
	}
	fput(f);
	return ret;
}

long sys_fcntl(long fd, long cmd, long arg)
{
	struct file *f = fget((int)fd);
	unsigned int fl;
	long ret = 0;

	if (!f)
		return -EBADF;
	switch ((int)cmd) {
	case F_GETFD:
		ret = (__atomic_load_n(&f->f_flags, __ATOMIC_RELAXED) & O_CLOEXEC) ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		if (arg & FD_CLOEXEC)
			__atomic_or_fetch(&f->f_flags, O_CLOEXEC, __ATOMIC_RELAXED);
		else
			__atomic_and_fetch(&f->f_flags, ~O_CLOEXEC, __ATOMIC_RELAXED);
		break;
	case F_GETFL:
		ret = __atomic_load_n(&f->f_flags, __ATOMIC_RELAXED) & ~O_CLOEXEC;
		break;
	case F_SETFL:
		fl = __atomic_load_n(&f->f_flags, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(&f->f_flags, &fl,
						    (fl & ~SETFL_MASK) | ((unsigned int)arg & SETFL_MASK),
						    0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			;
		break;
	default:
		ret = -EINVAL;	/* F_DUPFD, locks, leases, ...: not here */
		break;
	}
	fput(f);
	return ret;
}
