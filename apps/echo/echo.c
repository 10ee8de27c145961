/*
 * echo: TCP and UDP echo (RFC 862) on port 7, the target of the TCP
 * integration tests and of any host tool (nc, python, scapy).
 *
 * TCP: one detached thread per connection (no epoll yet), at most
 * MAX_CONNS at a time; past that the acceptor waits for a thread to end
 * and new connections wait, established, in the listen backlog. A
 * connection thread writes back every byte it reads; at EOF it closes
 * (its FIN answers the peer's); a read whose data begins with "QUIT" is
 * echoed and then the server closes first. UDP: one thread sends every
 * datagram back to its sender. Port 8 has no listener: tests use it as
 * the closed port. Prints READY once both sockets are ready.
 *
 * Usage: echo [PORT] (the image passes app= words). POSIX + pthreads
 * only, so it builds for Linux unchanged: gcc -O2 -pthread echo.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 256
#define THREAD_STACK (64 * 1024)
#define BUF_SIZE 16384
#define BACKLOG 1024

static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t conns_free = PTHREAD_COND_INITIALIZER;
static int conns;		/* [conns_lock] connection threads alive */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One connection: echo until EOF, an error, or a chunk starting with QUIT. */
static void *serve(void *arg)
{
	int fd = (int)(long)arg;
	char *buf = malloc(BUF_SIZE);

	while (buf) {
		ssize_t n = read(fd, buf, BUF_SIZE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* EOF: our close sends the FIN; or reset */
		if (write_all(fd, buf, (size_t)n) < 0)
			break;
		if (n >= 4 && memcmp(buf, "QUIT", 4) == 0)
			break;		/* the server closes first */
	}
	free(buf);
	close(fd);
	pthread_mutex_lock(&conns_lock);
	conns--;
	pthread_cond_signal(&conns_free);
	pthread_mutex_unlock(&conns_lock);
	return NULL;
}

static void start_conn(int fd, const pthread_attr_t *attr)
{
	pthread_t t;

	pthread_mutex_lock(&conns_lock);
	while (conns >= MAX_CONNS)
		pthread_cond_wait(&conns_free, &conns_lock);
	conns++;
	pthread_mutex_unlock(&conns_lock);
	if (pthread_create(&t, attr, serve, (void *)(long)fd) != 0) {
		perror("echo: pthread_create");
		close(fd);
		pthread_mutex_lock(&conns_lock);
		conns--;
		pthread_mutex_unlock(&conns_lock);
	}
}

static void *udp_echo(void *arg)
{
	int fd = (int)(long)arg;
	static char buf[65536];

	for (;;) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);

		if (n >= 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen);
	}
	return NULL;
}

static int open_socket(int type, int port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, type, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, BACKLOG) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7;
	int lfd, ufd;
	pthread_attr_t attr;
	pthread_t ut;

	if (port <= 0 || port > 65535) {
		fprintf(stderr, "echo: bad port '%s'\n", argv[1]);
		return 2;
	}
	lfd = open_socket(SOCK_STREAM, port);
	ufd = open_socket(SOCK_DGRAM, port);
	if (lfd < 0 || ufd < 0) {
		perror("echo: socket/bind/listen");
		return 1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	if (pthread_create(&ut, &attr, udp_echo, (void *)(long)ufd) != 0) {
		perror("echo: pthread_create");
		return 1;
	}
	printf("READY echo: tcp and udp port %d, up to %d connections\n", port, MAX_CONNS);
	fflush(stdout);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN)
				perror("echo: accept");
			continue;
		}
		start_conn(fd, &attr);
	}
}
