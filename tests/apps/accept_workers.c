/*
 * Two acceptor threads on one non-blocking TCP listener (port 9, or
 * app=PORT), for the stats endpoint's per-thread worker counters
 * (tests/integration/test_stats.py). Worker i is pinned to the i-th CPU
 * it may use. Each waits in epoll_wait on its own epoll set holding the
 * one listener (stormd's `shared` mode: every connection wakes both), then
 * calls accept4() once: the loser's EAGAIN is a spurious wakeup in the
 * kernel's count. A connection is read once, answered "ok\n" unless the
 * read failed, and closed by the same thread.
 * Prints READY once both threads are polling. POSIX + glibc's affinity
 * API, so it builds unchanged for Linux.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define NWORKERS 2

static int lfd;
static int cpus[NWORKERS];
static int polling;	/* workers that reached their loop */

static void serve(int fd)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);

	if (n >= 0)
		send(fd, "ok\n", 3, MSG_NOSIGNAL);
	close(fd);
}

static void *worker(void *arg)
{
	int i = (int)(long)arg;
	struct epoll_event ev = { .events = EPOLLIN };
	cpu_set_t set;
	int ep;

	CPU_ZERO(&set);
	CPU_SET(cpus[i], &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		perror("accept_workers: sched_setaffinity");
	ep = epoll_create1(0);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) {
		perror("accept_workers: epoll");
		return NULL;
	}
	__atomic_add_fetch(&polling, 1, __ATOMIC_RELEASE);
	for (;;) {
		int fd;

		if (epoll_wait(ep, &ev, 1, -1) < 1)
			continue;
		fd = accept4(lfd, NULL, NULL, 0);
		if (fd >= 0)
			serve(fd);
		else if (errno != EAGAIN && errno != EWOULDBLOCK)
			perror("accept_workers: accept4");
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 9, one = 1, n = 0;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	pthread_t t[NWORKERS];
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		perror("accept_workers: sched_getaffinity");
		return 1;
	}
	for (int c = 0; c < CPU_SETSIZE && n < NWORKERS; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	while (n < NWORKERS) {
		cpus[n] = cpus[n - 1];
		n++;
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lfd < 0 || port <= 0 || port > 65535) {
		perror("accept_workers: socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 64) < 0) {
		perror("accept_workers: bind/listen");
		return 1;
	}
	for (long i = 0; i < NWORKERS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i) != 0) {
			fprintf(stderr, "accept_workers: pthread_create failed\n");
			return 1;
		}
	while (__atomic_load_n(&polling, __ATOMIC_ACQUIRE) < NWORKERS)
		sched_yield();
	printf("READY accept_workers: port %d, %d workers\n", port, NWORKERS);
	fflush(stdout);
	for (int i = 0; i < NWORKERS; i++)
		pthread_join(t[i], NULL);
	return 0;
}
