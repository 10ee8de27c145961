/*
 * A stand-in server for tests of scripts/run's --host-cmd: prints READY
 * (the guest-readiness line every app prints once it serves), then sleeps
 * for app=SECONDS (default 30, at most 600) and exits 0. The run script
 * powers the guest off when the host command ends, usually long before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long secs = argc > 1 ? strtol(argv[1], NULL, 10) : 30;

	if (secs < 0 || secs > 600)
		secs = 30;
	printf("READY\n");
	fflush(stdout);
	sleep((unsigned int)secs);
	printf("ready: slept %ld s, exiting\n", secs);
	return 0;
}
