/*
 * The descriptor table (Linux's fs/file.c, one files_struct: Squall runs
 * one app). See file.h for the interface.
 *
 * The table is two levels: a fixed directory of FD_CHUNKS pointers, each
 * to a chunk of FD_CHUNK slots allocated the first time an fd in it is
 * needed, so 65536 descriptors cost 2 KiB until they are used. Each chunk
 * keeps a bitmap of its open slots and a count; next_fd is Linux's hint:
 * no fd below it is free, so POSIX's "lowest free fd" search starts there.
 * Chunks are never freed: an fd that was valid once always has a slot.
 *
 * Locking: fd_lock guards the directory, the chunks and next_fd (process
 * context only). A file's f_count is atomic; the last fput() calls
 * f_op->release outside any lock. Linux makes fget() lock-free with RCU;
 * here it is one short critical section, counted in the "fd_lock" class.
 */
#include <kernel/slab.h>
#include <kernel/file.h>
#include <kernel/errno.h>
#include <kernel/eventpoll.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/sys.h>
#include <stdlib.h>
#include <string.h>

#define FD_CHUNK 256
#define FD_CHUNKS (NR_OPEN_MAX / FD_CHUNK)
#define BITS_PER_WORD 64

struct fd_chunk {
	struct file *fd[FD_CHUNK];		/* [fd_lock] */
	uint64_t open[FD_CHUNK / BITS_PER_WORD];	/* [fd_lock] bit set: slot in use */
	unsigned int count;			/* [fd_lock] slots in use */
};

DEFINE_SPINLOCK(fd_lock);
static DEFINE_LOCK_CLASS(file_lock_class, "f_lock");
static struct fd_chunk *fd_dir[FD_CHUNKS];	/* [fd_lock] */
static int next_fd;				/* [fd_lock] no free fd below it */

static struct kmem_cache file_cache = KMEM_CACHE_INIT("file", sizeof(struct file));

struct file *alloc_file(const struct file_operations *ops, void *private_data, unsigned int flags)
{
	struct file *f = kmem_cache_alloc(&file_cache);

	if (!f)
		return NULL;
	f->f_op = ops;
	f->private_data = private_data;
	f->f_flags = flags;
	f->f_count = 1;
	spin_lock_init(&f->f_lock, &file_lock_class);
	INIT_LIST_HEAD(&f->f_ep);
	return f;
}

/* A free slot in @c at or after @from, or -1. */
static int chunk_find_free(const struct fd_chunk *c, int from)
{
	for (int w = from / BITS_PER_WORD; w < FD_CHUNK / BITS_PER_WORD; w++) {
		uint64_t busy = c->open[w];

		if (w == from / BITS_PER_WORD)
			busy |= (1ULL << (from % BITS_PER_WORD)) - 1;	/* below @from */
		if (~busy)
			return w * BITS_PER_WORD + __builtin_ctzll(~busy);
	}
	return -1;
}

/*
 * Caller holds fd_lock. The lowest free fd, or -EMFILE; *need_chunk is
 * set instead when that fd lies in a chunk not allocated yet.
 */
static int find_free_fd(int *need_chunk)
{
	*need_chunk = -1;
	for (int ci = next_fd / FD_CHUNK; ci < FD_CHUNKS; ci++) {
		struct fd_chunk *c = fd_dir[ci];
		int from = ci == next_fd / FD_CHUNK ? next_fd % FD_CHUNK : 0;
		int slot;

		if (!c) {
			*need_chunk = ci;
			return -EMFILE;
		}
		if (c->count == FD_CHUNK)
			continue;
		slot = chunk_find_free(c, from);
		if (slot >= 0)
			return ci * FD_CHUNK + slot;
	}
	return -EMFILE;
}

/* The lowest free fd gets @f and our reference to it. */
int fd_install_new(struct file *f)
{
	int fd, ci;

	for (;;) {
		struct fd_chunk *c;

		spin_lock(&fd_lock);
		fd = find_free_fd(&ci);
		if (ci < 0)
			break;
		/* Allocate outside the lock; another caller may have won meanwhile. */
		spin_unlock(&fd_lock);
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		spin_lock(&fd_lock);
		if (!fd_dir[ci]) {
			fd_dir[ci] = c;
			c = NULL;
		}
		spin_unlock(&fd_lock);
		free(c);
	}
	if (fd >= 0) {
		struct fd_chunk *c = fd_dir[fd / FD_CHUNK];
		int slot = fd % FD_CHUNK;

		c->fd[slot] = f;
		c->open[slot / BITS_PER_WORD] |= 1ULL << (slot % BITS_PER_WORD);
		c->count++;
		next_fd = fd + 1;
	}
	spin_unlock(&fd_lock);
	return fd;
}

/* Caller holds fd_lock. */
static struct file *fd_lookup(int fd)
{
	struct fd_chunk *c;

	if (fd < 0 || fd >= NR_OPEN_MAX)
		return NULL;
	c = fd_dir[fd / FD_CHUNK];
	return c ? c->fd[fd % FD_CHUNK] : NULL;
}

struct file *fget(int fd)
{
	struct file *f;

	spin_lock(&fd_lock);
	f = fd_lookup(fd);
	if (f)
		__atomic_add_fetch(&f->f_count, 1, __ATOMIC_RELAXED);
	spin_unlock(&fd_lock);
	return f;
}

/*
 * Process context: release may sleep (a lingering close). As Linux's
 * __fput, the file leaves every epoll set before its release runs, so no
 * epitem's wait entry is left on a wait queue that release frees.
 */
void fput(struct file *f)
{
	if (__atomic_sub_fetch(&f->f_count, 1, __ATOMIC_ACQ_REL))
		return;
	eventpoll_release(f);
	if (f->f_op->release)
		f->f_op->release(f);
	kmem_cache_free(&file_cache, f);
}

/*
 * Linux's close_fd: the fd is free at once; the file lives on while a
 * system call in another thread still holds a reference from fget().
 */
int fd_close(int fd)
{
	struct file *f;

	spin_lock(&fd_lock);
	f = fd_lookup(fd);
	if (f) {
		struct fd_chunk *c = fd_dir[fd / FD_CHUNK];
		int slot = fd % FD_CHUNK;

		c->fd[slot] = NULL;
		c->open[slot / BITS_PER_WORD] &= ~(1ULL << (slot % BITS_PER_WORD));
		c->count--;
		if (fd < next_fd)
			next_fd = fd;
	}
	spin_unlock(&fd_lock);
	if (!f)
		return -EBADF;
	fput(f);
	return 0;
}

/* Boot CPU, once, before the app starts: fds 0-2 are the console, as a terminal's are. */
void files_init(void)
{
	for (int fd = 0; fd < 3; fd++) {
		struct file *f = alloc_file(&console_fops, NULL, 02 /* O_RDWR */);

		if (!f || fd_install_new(f) != fd)
			printk("files: cannot open the console as fd %d\n", fd);
	}
}
