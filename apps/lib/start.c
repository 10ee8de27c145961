/*
 * The C half of process start-up, called by _start (crt0.S) with the
 * initial stack: find argc/argv/envp, give the main thread its TLS (before
 * anything can touch errno or stdio), run the constructors, call main and
 * exit with its result through newlib's exit(), which runs atexit handlers
 * (the destructors and a final stdio flush among them).
 *
 * Interface: __squall_start(), called only by _start.
 */
#include <stdio.h>
#include <stdlib.h>
#include "runtime.h"

extern char **environ;
int main(int argc, char **argv, char **envp);
void __libc_init_array(void);
void __libc_fini_array(void);
void __squall_start(long *sp) __attribute__((noreturn));

/*
 * newlib's exit() flushes stdio only if the main thread's reent set up
 * stdio; output another thread left in a buffer (a line without its
 * newline) would be lost. Flushing every stream ourselves covers that.
 */
static void flush_stdio(void)
{
	fflush(NULL);
}

void __squall_start(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;

	tls_init_main();
	environ = envp;
	atexit(flush_stdio);		/* handlers run last-in first-out: */
	atexit(__libc_fini_array);	/* destructors, then the flush */
	__libc_init_array();
	exit(main(argc, argv, envp));
}
