/*
 * read/write/close/fstat/lseek/ioctl. For now the only files are the
 * console's fds 0-2 (fd 0 reads end-of-file); sockets join the fd table
 * with the network stack.
 */
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/sys.h>
#include <kernel/uaccess.h>
#include <string.h>

#define S_IFCHR 0020000
#define TCGETS 0x5401

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

static int console_fd(long fd)
{
	return fd >= 0 && fd <= 2;
}

long sys_write(long fd, long buf, long count)
{
	if (!console_fd(fd) || fd == 0)
		return -EBADF;
	if (count < 0)
		return -EINVAL;
	if (!access_ok((void *)buf, (size_t)count))
		return -EFAULT;
	console_write((const char *)buf, (size_t)count);
	return count;
}

long sys_read(long fd, long buf, long count)
{
	if (!console_fd(fd))
		return -EBADF;
	if (count < 0)
		return -EINVAL;
	if (!access_ok((void *)buf, (size_t)count))
		return -EFAULT;
	return 0;	/* no console input: end of file */
}

long sys_close(long fd)
{
	return console_fd(fd) ? 0 : -EBADF;
}

long sys_fstat(long fd, long statbuf)
{
	struct linux_stat *st = (struct linux_stat *)statbuf;

	if (!console_fd(fd))
		return -EBADF;
	if (!access_ok(st, sizeof(*st)))
		return -EFAULT;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0620;
	return 0;
}

long sys_lseek(long fd, long off, long whence)
{
	(void)off;
	(void)whence;
	return console_fd(fd) ? -ESPIPE : -EBADF;
}

long sys_ioctl(long fd, long cmd, long arg)
{
	(void)arg;
	if (!console_fd(fd))
		return -EBADF;
	return cmd == TCGETS ? 0 : -ENOTTY;	/* isatty() asks TCGETS */
}
