/*
 * Runtime test: output a thread leaves in stdout's buffer is flushed when
 * the app exits, even though main() itself never touched stdio. Only a
 * thread prints here, and it ends the summary line WITHOUT a newline, so
 * the line sits in the buffer until exit; if exit does not flush it, the
 * summary never appears and the harness counts the test as failed.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int failed;

static void *reporter(void *arg)
{
	char buf[32];

	(void)arg;
	snprintf(buf, sizeof(buf), "%d-%s", 42, "x");
	failed += strcmp(buf, "42-x") != 0;
	printf("%sok 1 - a thread's stdio works while main never used stdio\n",
	       failed ? "not " : "");
	printf("%d passed, %d failed", 1 - failed, failed);	/* no newline */
	return NULL;
}

int main(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, reporter, NULL) != 0)
		return 1;
	pthread_join(t, NULL);
	return failed;
}
