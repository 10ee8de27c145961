/*
 * storm-testd: a small epoll server speaking stormd's protocols, for
 * testing storm on the host (tests/integration/test_storm.py) without a
 * guest. One thread per --threads, each with its own SO_REUSEPORT
 * listener, level-triggered epoll.
 *
 *   crr   read --request-size bytes, write --response-size bytes, close
 *   echo  echo everything back on a persistent connection (storm rr)
 *   hold  accept and keep; with --max-conns K, close the listeners after
 *         K accepts so that later connects are refused
 *
 * Prints "READY <port>" once listening; on SIGINT/SIGTERM (or after
 * --lifetime seconds, default 120, so a stray server never lingers) prints
 * its counters as one JSON line and exits 0.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

enum mode { M_CRR, M_ECHO, M_HOLD };

static struct {
	enum mode mode;
	uint32_t addr;
	uint16_t port;
	unsigned int threads, req, resp, backlog, lifetime;
	long max_conns;
} cfg = { M_CRR, 0, 8080, 1, 64, 128, 4096, 120, 0 };

static struct {
	atomic_ulong accepted, served, requests, short_reads, resets, peer_closed;
	atomic_ulong bytes_in, bytes_out;
	atomic_long open, peak;
} st;

static atomic_int stop, listeners_closed;

struct sconn {
	uint32_t got, sent;
	uint32_t pend_off, pend_len;	/* echo bytes not yet written back */
	char *pend;
};

static struct sconn *conns;
static size_t nconns;
static char *response;

static void track_open(long d)
{
	long n = atomic_fetch_add(&st.open, d) + d, p = atomic_load(&st.peak);

	while (n > p && !atomic_compare_exchange_weak(&st.peak, &p, n))
		;
}

static void drop(int ep, int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	free(conns[fd].pend);
	memset(&conns[fd], 0, sizeof(conns[fd]));
	close(fd);
	track_open(-1);
}

static int listen_on(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(cfg.port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	sa.sin_addr.s_addr = cfg.addr;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, (int)cfg.backlog)) {
		perror("storm-testd: bind/listen");
		exit(1);
	}
	if (!cfg.port) {	/* the other threads join the port the first one got */
		socklen_t l = sizeof(sa);

		getsockname(fd, (struct sockaddr *)&sa, &l);
		cfg.port = ntohs(sa.sin_port);
	}
	return fd;
}

static void do_accept(int ep, int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		unsigned long n = atomic_fetch_add(&st.accepted, 1) + 1;

		if ((size_t)fd >= nconns) {
			close(fd);
			continue;
		}
		track_open(1);
		ev.data.fd = fd;
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
		if (cfg.max_conns && (long)n >= cfg.max_conns) {
			atomic_store(&listeners_closed, 1);
			return;
		}
	}
}

/* crr: 1 when the response went out in full (then close). */
static int crr_write(int ep, int fd)
{
	struct sconn *c = &conns[fd];
	struct epoll_event ev = { .events = EPOLLOUT, .data.fd = fd };
	ssize_t n;

	while (c->sent < cfg.resp) {
		n = send(fd, response + c->sent, cfg.resp - c->sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
			return 0;
		}
		if (n < 0) {
			atomic_fetch_add(&st.resets, 1);
			drop(ep, fd);
			return -1;
		}
		c->sent += (uint32_t)n;
		atomic_fetch_add(&st.bytes_out, (unsigned long)n);
	}
	atomic_fetch_add(&st.served, 1);
	drop(ep, fd);
	return 1;
}

/* echo: write back what is pending; 0 when all of it went. */
static int echo_flush(int ep, int fd)
{
	struct sconn *c = &conns[fd];
	struct epoll_event ev = { .data.fd = fd };
	ssize_t n;

	while (c->pend_len) {
		n = send(fd, c->pend + c->pend_off, c->pend_len, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			ev.events = EPOLLOUT;	/* stop reading until it drains */
			epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
			return 1;
		}
		if (n < 0)
			return -1;
		c->pend_off += (uint32_t)n;
		c->pend_len -= (uint32_t)n;
		atomic_fetch_add(&st.bytes_out, (unsigned long)n);
	}
	ev.events = EPOLLIN;
	epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
	return 0;
}

static void echo_pending(int ep, int fd)
{
	if (echo_flush(ep, fd) < 0) {
		atomic_fetch_add(&st.resets, 1);
		drop(ep, fd);
	}
}

static void on_data(int ep, int fd, char *buf, size_t len)
{
	struct sconn *c = &conns[fd];
	ssize_t n = recv(fd, buf, len, 0);

	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		if (n < 0)
			atomic_fetch_add(&st.resets, 1);
		else if (cfg.mode == M_CRR && c->got < cfg.req)
			atomic_fetch_add(&st.short_reads, 1);
		else
			atomic_fetch_add(&st.peer_closed, 1);
		drop(ep, fd);
		return;
	}
	atomic_fetch_add(&st.bytes_in, (unsigned long)n);
	if (cfg.mode == M_CRR) {
		c->got += (uint32_t)n;
		if (c->got >= cfg.req) {
			atomic_fetch_add(&st.requests, 1);
			crr_write(ep, fd);
		}
	} else if (cfg.mode == M_ECHO) {
		c->got += (uint32_t)n;
		atomic_fetch_add(&st.requests, c->got / cfg.req);
		c->got %= cfg.req;
		c->pend = realloc(c->pend, (size_t)n);
		memcpy(c->pend, buf, (size_t)n);
		c->pend_off = 0;
		c->pend_len = (uint32_t)n;
		echo_pending(ep, fd);
	}
}

static void *serve(void *arg)
{
	int lfd = (int)(intptr_t)arg, ep = epoll_create1(EPOLL_CLOEXEC), i, n;
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd }, evs[256];
	char *buf = malloc(65536);

	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	while (!atomic_load(&stop)) {
		if (lfd >= 0 && atomic_load(&listeners_closed)) {
			close(lfd);	/* later connects are refused */
			lfd = -1;
		}
		n = epoll_wait(ep, evs, 256, 50);
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == lfd)
				do_accept(ep, lfd);
			else if (cfg.mode == M_CRR && conns[fd].got >= cfg.req)
				crr_write(ep, fd);
			else if (cfg.mode == M_ECHO && conns[fd].pend_len)
				echo_pending(ep, fd);
			else
				on_data(ep, fd, buf, 65536);
		}
	}
	free(buf);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: storm-testd [--addr A] [--port P] [--mode crr|echo|hold] "
		"[--request-size N] [--response-size N] [--threads N] [--max-conns K] "
		"[--backlog N] [--lifetime S]\n");
	exit(2);
}

static void parse(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		struct in_addr in;

		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--addr") && inet_pton(AF_INET, v, &in) == 1)
			cfg.addr = in.s_addr;
		else if (!strcmp(a, "--port"))
			cfg.port = (uint16_t)atoi(v);
		else if (!strcmp(a, "--mode") && !strcmp(v, "crr"))
			cfg.mode = M_CRR;
		else if (!strcmp(a, "--mode") && !strcmp(v, "echo"))
			cfg.mode = M_ECHO;
		else if (!strcmp(a, "--mode") && !strcmp(v, "hold"))
			cfg.mode = M_HOLD;
		else if (!strcmp(a, "--request-size"))
			cfg.req = (unsigned int)atoi(v);
		else if (!strcmp(a, "--response-size"))
			cfg.resp = (unsigned int)atoi(v);
		else if (!strcmp(a, "--threads"))
			cfg.threads = (unsigned int)atoi(v);
		else if (!strcmp(a, "--max-conns"))
			cfg.max_conns = atol(v);
		else if (!strcmp(a, "--backlog"))
			cfg.backlog = (unsigned int)atoi(v);
		else if (!strcmp(a, "--lifetime"))
			cfg.lifetime = (unsigned int)atoi(v);
		else
			usage();
	}
	if (!cfg.threads || cfg.threads > 64 || !cfg.req)
		usage();
}

int main(int argc, char **argv)
{
	pthread_t th[64];
	struct rlimit rl;
	sigset_t sigs;
	struct timespec ts;
	unsigned int i;
	int sig;

	cfg.addr = htonl(INADDR_LOOPBACK);
	parse(argc, argv);
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	nconns = rl.rlim_cur > 1048576 ? 1048576 : rl.rlim_cur;
	conns = calloc(nconns, sizeof(*conns));
	response = malloc(cfg.resp + 1);
	memset(response, 'R', cfg.resp + 1);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < cfg.threads; i++)
		pthread_create(&th[i], NULL, serve, (void *)(intptr_t)listen_on());
	printf("READY %u\n", cfg.port);
	fflush(stdout);
	ts.tv_sec = cfg.lifetime;
	ts.tv_nsec = 0;
	sig = sigtimedwait(&sigs, NULL, &ts);
	atomic_store(&stop, 1);
	for (i = 0; i < cfg.threads; i++)
		pthread_join(th[i], NULL);
	printf("{\"accepted\":%lu,\"served\":%lu,\"requests\":%lu,\"short_reads\":%lu,"
	       "\"resets\":%lu,\"peer_closed\":%lu,\"bytes_in\":%lu,\"bytes_out\":%lu,"
	       "\"open\":%ld,\"peak_open\":%ld,\"timed_out\":%s}\n",
	       atomic_load(&st.accepted), atomic_load(&st.served), atomic_load(&st.requests),
	       atomic_load(&st.short_reads), atomic_load(&st.resets), atomic_load(&st.peer_closed),
	       atomic_load(&st.bytes_in), atomic_load(&st.bytes_out), atomic_load(&st.open),
	       atomic_load(&st.peak), sig < 0 ? "true" : "false");
	return 0;
}
