/*
 * The guest as a TCP client (tests/integration/test_tcp_client.py): THREADS
 * threads each open CONNS connections, one after another, to the host at
 * ADDR:PORT (app=ADDR app=PORT app=THREADS app=CONNS), send a line naming
 * the connection, read the echo back in full, and close. connect() binds
 * an ephemeral port itself (inet_hash_connect), so THREADS * CONNS
 * connections take as many 4-tuples. The first connect is retried for up to
 * 10 s while the host's server starts (ECONNREFUSED). Prints READY at once
 * and "CLIENT ok N failed M" at the end; exit status 0 if none failed.
 * POSIX, so it builds unchanged for Linux.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

static struct sockaddr_in server;
static int conns_per_thread;
static int ok_count, failed_count;	/* [a] */

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* One connection: 0 if the echo came back byte for byte. */
static int one(int thread, int i)
{
	char line[64], back[64];
	int n = snprintf(line, sizeof(line), "thread %d connection %d\n", thread, i), got = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	for (int tries = 0; connect(fd, (struct sockaddr *)&server, sizeof(server)) < 0; tries++) {
		if (errno != ECONNREFUSED || tries >= 100) {
			fprintf(stderr, "tcp_client: connect: %s\n", strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);	/* a failed connect leaves the socket unusable (POSIX) */
		nap_ms(100);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return -1;
	}
	if (write(fd, line, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	while (got < n) {
		ssize_t r = read(fd, back + got, sizeof(back) - (size_t)got);

		if (r <= 0)
			break;
		got += (int)r;
	}
	close(fd);
	return got == n && !memcmp(line, back, (size_t)n) ? 0 : -1;
}

static void *client(void *arg)
{
	int t = (int)(long)arg;

	for (int i = 0; i < conns_per_thread; i++) {
		if (one(t, i) == 0)
			__atomic_add_fetch(&ok_count, 1, __ATOMIC_RELAXED);
		else
			__atomic_add_fetch(&failed_count, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	int threads, port;

	if (argc != 5 || (port = atoi(argv[2])) <= 0 || port > 65535 ||
	    (threads = atoi(argv[3])) <= 0 || threads > MAX_THREADS ||
	    (conns_per_thread = atoi(argv[4])) <= 0 || conns_per_thread > 100000) {
		fprintf(stderr, "usage: tcp_client ADDR PORT THREADS(1-%d) CONNS(1-100000)\n",
			MAX_THREADS);
		return 2;
	}
	server.sin_family = AF_INET;
	server.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
		fprintf(stderr, "tcp_client: '%s' is not an IPv4 address\n", argv[1]);
		return 2;
	}
	printf("READY tcp_client\n");
	fflush(stdout);
	for (int t = 0; t < threads; t++) {
		if (pthread_create(&th[t], NULL, client, (void *)(long)t) != 0) {
			fprintf(stderr, "tcp_client: pthread_create failed\n");
			return 1;
		}
	}
	for (int t = 0; t < threads; t++)
		pthread_join(th[t], NULL);
	printf("CLIENT ok %d failed %d\n", ok_count, failed_count);
	fflush(stdout);
	return failed_count ? 1 : 0;
}
