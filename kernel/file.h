/*
 * Open files and the descriptor table (Linux's struct file and
 * files_struct, one table: Squall runs one app). A file is a reference-
 * counted object with operations; fds 0-2 are the console, sockets
 * (net/socket.c) and epoll instances are the others.
 *
 * Locking: fd_lock guards the table; a file's f_count is atomic. fget()
 * returns the file with a reference that fput() drops; the last fput
 * calls f_op->release.
 */
#ifndef SQUALL_FILE_H
#define SQUALL_FILE_H

#include <stddef.h>
#include <stdint.h>

#define NR_OPEN_MAX 65536	/* descriptors per app */
#define O_NONBLOCK 04000
#define O_CLOEXEC 02000000

struct file;

struct file_operations {
	long (*read)(struct file *f, void *buf, size_t len);	/* user buffer, checked */
	long (*write)(struct file *f, const void *buf, size_t len);
	unsigned int (*poll)(struct file *f);	/* EPOLL* mask now */
	long (*ioctl)(struct file *f, unsigned int cmd, unsigned long arg);
	int (*release)(struct file *f);
};

struct file {
	const struct file_operations *f_op;	/* [I] */
	void *private_data;			/* [I] the socket, the epoll instance */
	unsigned int f_flags;			/* [a] O_NONBLOCK */
	int f_count;				/* [a] */
};

struct file *alloc_file(const struct file_operations *ops, void *private_data, unsigned int flags);
int fd_install_new(struct file *f);	/* lowest free fd takes our reference; -EMFILE */
struct file *fget(int fd);		/* with a reference, or NULL */
void fput(struct file *f);
int fd_close(int fd);			/* -EBADF if not open */
void files_init(void);			/* fds 0-2: the console */

#endif
