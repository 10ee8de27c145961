/*
 * Runtime test: main() leaves with pthread_exit while a worker still runs.
 * The app must go on until the last thread ends, and then end like exit(0):
 * atexit handlers run (the summary line is printed from one) and stdio is
 * flushed. A runtime that ends the app with main, or never runs the
 * handler, prints no summary line, which the harness counts as a failure.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"

static pthread_t main_thread;
static int worker_done;

static void at_exit(void)
{
	ok(worker_done, "atexit handler runs after the last thread finished");
	fflush(stdout);
	_exit(tap_done());	/* the summary decides the status */
}

static void *worker(void *arg)
{
	struct timespec ts = { 0, 50000000 };

	(void)arg;
	nanosleep(&ts, NULL);	/* main is gone by now, most likely */
	ok(!pthread_equal(pthread_self(), main_thread),
	   "worker outlives main's pthread_exit");
	worker_done = 1;
	return NULL;
}

int main(void)
{
	pthread_t t;

	main_thread = pthread_self();
	ok(atexit(at_exit) == 0, "atexit handler registered");
	ok(pthread_create(&t, NULL, worker, NULL) == 0, "worker started");
	fflush(stdout);
	pthread_exit(NULL);
}
