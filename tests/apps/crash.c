/*
 * An app that faults on purpose, for the kernel's fault containment test:
 * `app=null` dereferences NULL, `app=kernel` writes to the kernel's own
 * memory (1 MiB). Either must end the app with a report naming the
 * faulting function, and power the guest off with status 102.
 */
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) static int crash_null_deref(volatile int *p)
{
	return *p;
}

__attribute__((noinline)) static void crash_kernel_write(volatile int *p)
{
	*p = 42;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "null";

	printf("crash: about to fault (%s)\n", how);
	fflush(stdout);
	if (!strcmp(how, "kernel"))
		crash_kernel_write((volatile int *)0x100000);
	else
		return crash_null_deref((volatile int *)0);
	return 0;
}
