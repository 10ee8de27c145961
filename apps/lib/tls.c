/*
 * Per-thread storage: the thread control block (struct tcb, runtime.h) at
 * the FS base, the ELF TLS block for __thread variables just below it, and
 * the thread's own newlib state (struct _reent: errno, stdio's per-thread
 * bits, strtok/dtoa scratch) inside the tcb.
 *
 * Interface: tls_init_main() (start.c, before any libc call),
 * tls_area_size(), tls_init_area(), tls_stack_top() (pthread.c), and
 * __getreent(), which newlib calls for _REENT (built -D__DYNAMIC_REENT__);
 * this definition overrides libc.a's default one.
 */
#include <string.h>
#include "runtime.h"
#include "syscall.h"

/* app.ld aligns the TLS segment and its end to this. */
#define TLS_ALIGN	64
#define PAGE_SIZE	4096UL

/* The TLS image from app.ld: [__tls_start, __tdata_end) initialised data,
 * then zeroes up to __tls_end. */
extern char __tls_start[], __tdata_end[], __tls_end[];

static size_t tls_block_size(void)
{
	size_t n = (size_t)(__tls_end - __tls_start);

	return (n + TLS_ALIGN - 1) & ~(size_t)(TLS_ALIGN - 1);
}

/* Bytes a thread needs above its stack: TLS block, tcb, alignment slack. */
size_t tls_area_size(void)
{
	return tls_block_size() + sizeof(struct tcb) + TLS_ALIGN;
}

/* The highest usable stack address below @t's TLS block (64-aligned). */
void *tls_stack_top(struct tcb *t)
{
	return (char *)t - tls_block_size();
}

/*
 * Lay out a tcb and its TLS block at the top of [base, base + len) and
 * initialise both. The linker computed every __thread offset as
 * "address - tls start - tls_block_size()" from the FS base, so the block
 * must end exactly at the tcb. The main thread keeps newlib's static
 * _impure_ptr reent (its atexit list and stdio glue live there); every
 * other thread gets a fresh reent of its own.
 */
struct tcb *tls_init_area(void *base, size_t len, int main_thread)
{
	uintptr_t tp = ((uintptr_t)base + len - sizeof(struct tcb)) &
		       ~(uintptr_t)(TLS_ALIGN - 1);
	struct tcb *t = (struct tcb *)tp;
	char *block = tls_stack_top(t);
	size_t image = (size_t)(__tdata_end - __tls_start);

	memcpy(block, __tls_start, image);
	memset(block + image, 0, tls_block_size() - image);
	memset(t, 0, sizeof(*t));
	t->self = t;
	if (main_thread) {
		t->reent = _impure_ptr;
	} else {
		t->reent = &t->reent_storage;
		_REENT_INIT_PTR(t->reent);
	}
	return t;
}

/* Nothing works without TLS (errno is in it), so say why and stop. */
static void __attribute__((noreturn)) early_die(const char *msg)
{
	syscall3(__NR_write, 2, (long)msg, (long)strlen(msg));
	for (;;)
		syscall1(__NR_exit_group, 127);
}

/* The main thread's TLS: a small mmap, then arch_prctl(ARCH_SET_FS). */
void tls_init_main(void)
{
	size_t len = (tls_area_size() + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	long p = syscall6(__NR_mmap, 0, (long)len,
			  LINUX_PROT_READ | LINUX_PROT_WRITE,
			  LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, -1, 0);
	struct tcb *t;

	if (syscall_failed(p))
		early_die("squall runtime: no memory for the main thread's TLS\n");
	t = tls_init_area((void *)p, len, 1);
	t->tid = (int)syscall0(__NR_getpid);	/* main tid == pid */
	if (syscall_failed(syscall2(__NR_arch_prctl, LINUX_ARCH_SET_FS, (long)t)))
		early_die("squall runtime: arch_prctl(ARCH_SET_FS) failed\n");
}

struct _reent *__getreent(void)
{
	struct _reent *r;

	__asm__("mov %%fs:%c1, %0" : "=r"(r) : "i"(offsetof(struct tcb, reent)));
	return r;
}
