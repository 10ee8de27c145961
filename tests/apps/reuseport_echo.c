/*
 * SO_REUSEPORT over TCP, for the integration tests: one worker thread per
 * online CPU, pinned there, each with its own SO_REUSEPORT listener on
 * port 7 (app=PORT to change it) and blocking accept(). A connection gets
 * one line back, "worker W cpu C" (C: where the worker ran the accept),
 * and is closed, so the client sees which group member took it. Prints
 * READY once every worker listens. Plain POSIX + glibc's affinity API: it
 * builds and behaves the same on Linux.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int port = 7;
static int listening;			/* workers past listen() (atomic) */

static int listen_reuseport(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 64) < 0) {
		perror("reuseport_echo: listener");
		exit(1);
	}
	return fd;
}

static void serve(int c, int id)
{
	char buf[64], line[48];
	int n = snprintf(line, sizeof(line), "worker %d cpu %d\n", id, sched_getcpu());

	if (read(c, buf, sizeof(buf)) > 0 && write(c, line, (size_t)n) != n)
		perror("reuseport_echo: write");
	close(c);
}

static void *worker(void *arg)
{
	int id = (int)(long)arg, fd;
	cpu_set_t set;

	/* Pinned before listen(): under reuseport=cpu this CPU owns the listener. */
	CPU_ZERO(&set);
	CPU_SET(id, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		perror("reuseport_echo: sched_setaffinity");
	fd = listen_reuseport();
	__atomic_add_fetch(&listening, 1, __ATOMIC_RELEASE);
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c >= 0)
			serve(c, id);
		else
			perror("reuseport_echo: accept");
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t t;

	if (argc > 1)
		port = atoi(argv[1]);
	if (n < 1 || port <= 0 || port > 65535) {
		fprintf(stderr, "reuseport_echo: bad CPU count or port\n");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		int err = pthread_create(&t, NULL, worker, (void *)i);

		if (err) {
			fprintf(stderr, "reuseport_echo: pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
	while (__atomic_load_n(&listening, __ATOMIC_ACQUIRE) < n)
		usleep(1000);
	printf("READY reuseport_echo port=%d workers=%ld\n", port, n);
	fflush(stdout);
	pthread_join(t, NULL);
	return 0;
}
