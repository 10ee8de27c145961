/*
 * Open files and the descriptor table (Linux's struct file and
 * files_struct, one table: Squall runs one app). A file is a reference-
 * counted object with operations; fds 0-2 are the console, sockets
 * (net/socket.c) and epoll instances are the others.
 *
 * Locking: fd_lock guards the table; a file's f_count is atomic. fget()
 * returns the file with a reference that fput() drops; the last fput
 * takes the file out of every epoll set (eventpoll_release), then calls
 * f_op->release. f_lock guards f_ep, the epitems watching the file
 * (process context only).
 */
#ifndef SQUALL_FILE_H
#define SQUALL_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>

#define NR_OPEN_MAX 65536	/* descriptors per app */
#define O_NONBLOCK 04000
#define O_CLOEXEC 02000000

struct file;
struct poll_table_struct;

struct file_operations {
	long (*read)(struct file *f, void *buf, size_t len);	/* user buffer, checked */
	long (*write)(struct file *f, const void *buf, size_t len);
	/* EPOLL* mask now; poll_wait()s its wait queue on @pt first (kernel/poll.h). */
	unsigned int (*poll)(struct file *f, struct poll_table_struct *pt);
	long (*ioctl)(struct file *f, unsigned int cmd, unsigned long arg);
	int (*release)(struct file *f);
};

struct file {
	const struct file_operations *f_op;	/* [I] */
	void *private_data;			/* [I] the socket, the epoll instance */
	unsigned int f_flags;			/* [a] O_NONBLOCK */
	int f_count;				/* [a] */
	struct spinlock f_lock;
	struct list_head f_ep;			/* [f_lock] epitems on this file (fllink) */
};

struct file *alloc_file(const struct file_operations *ops, void *private_data, unsigned int flags);
int fd_install_new(struct file *f);	/* lowest free fd takes our reference; -EMFILE */
struct file *fget(int fd);		/* with a reference, or NULL */
void fput(struct file *f);
int fd_close(int fd);			/* -EBADF if not open */
void files_init(void);			/* fds 0-2: the console */

#endif
