/*
 * stormd: the storm target. One worker thread pinned to each CPU serves TCP
 * connections in one of four listener modes and three small protocols, so
 * that one storm run (tools/storm, scripts/experiment) can compare the
 * accept-path designs the reference texts describe.
 *
 * Listener modes (--mode):
 *   reuseport         every worker has its own SO_REUSEPORT listener and its
 *                     own epoll set; the kernel picks the listener per flow
 *   shared            one listener in every worker's epoll set: each new
 *                     connection wakes every worker (the thundering herd);
 *                     the losers' accepts find nothing (spurious wakeups)
 *   shared-exclusive  the same with EPOLLEXCLUSIVE: one worker wakes
 *   accept            one blocking listener; each worker has an acceptor
 *                     thread blocked in accept() (the kernel's accept queue
 *                     wakes them) that hands the connection to the worker's
 *                     epoll set
 * Protocols (--proto):
 *   crr   read one request (the first read's bytes, up to 4 KiB, or exactly
 *         --request-size), write --response-size bytes (128), close
 *   rr    echo everything on a persistent connection
 *   http  minimal HTTP/1.1 (keep-alive, pipelining, Content-Length request
 *         bodies): every request gets 200 with --response-size bytes
 *
 * It prints a line starting READY once every listener listens. Counters per
 * worker: accepts, connections handled, spurious wakeups (listener wakeups
 * whose accept found nothing), and more (stormd.h). The Linux build
 * (-DSTORMD_STATS) serves them with the kernel's counters on port 7070
 * (stats_linux.c); in Squall the kernel does that.
 *
 * Portable: POSIX + Linux socket APIs only, so it builds for Squall's app
 * runtime and, unchanged, for Linux: gcc -static -O2 -pthread stormd.c.
 * Options come from argv (Squall: the kernel command line's app= words;
 * the Linux guest: its init script). Bad options: a message, exit 2.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "stormd.h"

#define PROG "stormd"
#define VERSION "1"
#define MAX_EVENTS 64
#define ACCEPT_BATCH 64
#define RR_BUF 16384

const struct stormd_config *stormd_cfg;
unsigned int stormd_nworkers;
struct stormd_worker_info stormd_workers[STORMD_MAX_WORKERS];

static struct stormd_config cfg = {
	.mode = MODE_REUSEPORT,
	.proto = PROTO_CRR,
	.port = 8080,
#ifdef STORMD_STATS
	.stats_port = 7070,
#endif
	.request_size = 0,
	.response_size = 128,
	.backlog = 4096,
	.pin = 1,
};

/* ---- connections ----------------------------------------------------- */

struct worker;

enum conn_state { C_READ, C_WRITE };

struct conn {
	int fd;
	enum conn_state state;
	int close_after;		/* close once the output is out */
	unsigned int got;		/* request bytes buffered (crr, http) */
	uint64_t body_left;		/* http: request body bytes still to skip */
	struct iovec out[2];		/* what is still to send */
	int nout;
	struct conn *next_free;
	char buf[];			/* STORMD_MAX_REQUEST (crr, http) or RR_BUF (rr) */
};

/* The epoll tag of a listener: events for it carry &listener_tag. */
static char listener_tag;

struct worker {
	unsigned int id;
	int cpu;
	int epfd;
	int lfd;			/* reuseport: its own listener; else the shared one */
	pthread_t thread, acceptor;
	pthread_mutex_t free_lock;	/* the free list; accept mode allocates elsewhere */
	struct conn *free_list;
	unsigned int nfree;
	struct worker_stats st;
};

static struct worker *workers;
static int shared_lfd = -1;
static char *response;			/* crr: the response; http: the body */
static char http_head_keep[160], http_head_close[160];
static size_t http_head_keep_len, http_head_close_len;
static size_t conn_buf_size;

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;
static unsigned int ready_count, failed_count;

#define ADD(field, n) __atomic_fetch_add(&w->st.field, (n), __ATOMIC_RELAXED)

static struct conn *conn_alloc(struct worker *w, int fd)
{
	struct conn *c;

	pthread_mutex_lock(&w->free_lock);
	c = w->free_list;
	if (c) {
		w->free_list = c->next_free;
		w->nfree--;
	}
	pthread_mutex_unlock(&w->free_lock);
	if (!c && !(c = malloc(sizeof(*c) + conn_buf_size)))
		return NULL;
	c->fd = fd;
	c->state = C_READ;
	c->close_after = 0;
	c->got = 0;
	c->body_left = 0;
	c->nout = 0;
	return c;
}

static void conn_free(struct worker *w, struct conn *c)
{
	pthread_mutex_lock(&w->free_lock);
	if (w->nfree < 1024) {
		c->next_free = w->free_list;
		w->free_list = c;
		w->nfree++;
		c = NULL;
	}
	pthread_mutex_unlock(&w->free_lock);
	free(c);
}

/* Close a connection: served to the end (handled) or ended by an error. */
static void conn_close(struct worker *w, struct conn *c, int error)
{
	close(c->fd);		/* also leaves the epoll set */
	if (error)
		ADD(errors, 1);
	else
		ADD(handled, 1);
	ADD(open, -1);
	conn_free(w, c);
}

static int set_events(struct worker *w, struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	return epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/*
 * Send what c->out holds. 1: all out; 0: the socket is full (wait for
 * EPOLLOUT); -1: an error (the connection is dead).
 */
static int flush_out(struct worker *w, struct conn *c)
{
	while (c->nout) {
		struct msghdr msg = { .msg_iov = c->out, .msg_iovlen = (size_t)c->nout };
		ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		ADD(bytes_out, (uint64_t)n);
		while (n > 0 && c->nout) {
			size_t take = (size_t)n < c->out[0].iov_len ? (size_t)n : c->out[0].iov_len;

			c->out[0].iov_base = (char *)c->out[0].iov_base + take;
			c->out[0].iov_len -= take;
			n -= (ssize_t)take;
			if (!c->out[0].iov_len) {
				c->out[0] = c->out[1];
				c->nout--;
			}
		}
		while (c->nout && !c->out[0].iov_len) {	/* empty segments */
			c->out[0] = c->out[1];
			c->nout--;
		}
	}
	return 1;
}

/* Queue output, try to send it; returns as flush_out, switching to
 * EPOLLOUT when the socket is full. */
static int send_out(struct worker *w, struct conn *c)
{
	int r = flush_out(w, c);

	if (r == 0 && c->state != C_WRITE) {
		c->state = C_WRITE;
		if (set_events(w, c, EPOLLOUT) < 0)
			return -1;
	}
	return r;
}

static void queue_out(struct conn *c, const void *a, size_t alen, const void *b, size_t blen)
{
	c->nout = 0;
	if (alen) {
		c->out[c->nout].iov_base = (void *)a;
		c->out[c->nout++].iov_len = alen;
	}
	if (blen) {
		c->out[c->nout].iov_base = (void *)b;
		c->out[c->nout++].iov_len = blen;
	}
}

/* ---- crr ---- */

/* 1: keep the connection; 0: closed. */
static int crr_input(struct worker *w, struct conn *c)
{
	unsigned int want = cfg.request_size ? cfg.request_size : STORMD_MAX_REQUEST;

	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->got, want - c->got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (!c->got)
					ADD(conn_spurious, 1);
				return 1;
			}
			conn_close(w, c, 1);
			return 0;
		}
		if (n == 0) {			/* EOF before a whole request */
			conn_close(w, c, 1);
			return 0;
		}
		ADD(bytes_in, (uint64_t)n);
		c->got += (unsigned int)n;
		if (!cfg.request_size || c->got >= cfg.request_size)
			break;
	}
	ADD(requests, 1);
	queue_out(c, response, cfg.response_size, NULL, 0);
	c->close_after = 1;
	switch (send_out(w, c)) {
	case 1:
		conn_close(w, c, 0);
		return 0;
	case 0:
		return 1;
	default:
		conn_close(w, c, 1);
		return 0;
	}
}

/* ---- rr: echo ---- */

static int rr_input(struct worker *w, struct conn *c)
{
	int reads = 0;

	for (;;) {
		ssize_t n = recv(c->fd, c->buf, RR_BUF, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (!reads)
					ADD(conn_spurious, 1);
				return 1;
			}
			conn_close(w, c, 1);
			return 0;
		}
		if (n == 0) {			/* the client is done */
			conn_close(w, c, 0);
			return 0;
		}
		reads++;
		ADD(bytes_in, (uint64_t)n);
		ADD(requests, 1);
		queue_out(c, c->buf, (size_t)n, NULL, 0);
		switch (send_out(w, c)) {
		case 1:
			break;
		case 0:
			return 1;		/* wait for EPOLLOUT, read no more */
		default:
			conn_close(w, c, 1);
			return 0;
		}
	}
}

/* ---- http ---- */

static const char http_400[] =
	"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

static int ci_prefix(const char *s, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - s) < n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char a = s[i], b = word[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return 1;
}

static int ci_contains(const char *s, const char *end, const char *word)
{
	for (; s < end; s++)
		if (ci_prefix(s, end, word))
			return 1;
	return 0;
}

/*
 * Parse one request head buf[0..len) (ending in CRLFCRLF). Returns 0 and
 * sets *keep (keep-alive), *head_only (HEAD), *body (Content-Length), or -1
 * for a request this server does not take.
 */
static int http_parse(const char *buf, size_t len, int *keep, int *head_only, uint64_t *body)
{
	const char *end = buf + len, *line = buf, *eol, *sp1, *sp2;
	int http11;

	eol = memchr(line, '\r', len);
	if (!eol)
		return -1;
	sp1 = memchr(line, ' ', (size_t)(eol - line));
	if (!sp1)
		return -1;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1)
		return -1;
	if (eol - sp2 - 1 != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return -1;
	http11 = sp2[8] == '1';
	*head_only = sp1 - line == 4 && !memcmp(line, "HEAD", 4);
	*keep = http11;
	*body = 0;
	for (line = eol + 2; line < end; line = eol + 2) {
		eol = memchr(line, '\r', (size_t)(end - line));
		if (!eol || eol == line)
			break;
		if (ci_prefix(line, eol, "connection:")) {
			if (ci_contains(line, eol, "close"))
				*keep = 0;
			else if (ci_contains(line, eol, "keep-alive"))
				*keep = 1;
		} else if (ci_prefix(line, eol, "content-length:")) {
			const char *p = line + 15;
			uint64_t v = 0;

			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
			if (p == eol)
				return -1;
			for (; p < eol && *p >= '0' && *p <= '9'; p++) {
				v = v * 10 + (uint64_t)(*p - '0');
				if (v > (1ull << 40))
					return -1;
			}
			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
			if (p != eol)
				return -1;
			*body = v;
		} else if (ci_prefix(line, eol, "transfer-encoding:")) {
			return -1;		/* no chunked bodies */
		}
	}
	return 0;
}

static int find_head_end(const char *buf, size_t len)
{
	for (size_t i = 3; i < len; i++)
		if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r')
			return (int)(i + 1);
	return -1;
}

/*
 * Answer the complete requests in c->buf. Returns 1 to keep reading, 0 if
 * output is pending (EPOLLOUT), -1 if the connection was closed.
 */
static int http_serve(struct worker *w, struct conn *c)
{
	for (;;) {
		int keep, head_only, end, r;
		uint64_t body;

		if (c->body_left) {		/* skip a request body */
			unsigned int skip = c->body_left < c->got ? (unsigned int)c->body_left : c->got;

			memmove(c->buf, c->buf + skip, c->got - skip);
			c->got -= skip;
			c->body_left -= skip;
			if (c->body_left)
				return 1;
		}
		if (!c->got)
			return 1;
		end = find_head_end(c->buf, c->got);
		if (end < 0) {
			if (c->got >= STORMD_MAX_REQUEST)
				goto bad;
			return 1;
		}
		if (http_parse(c->buf, (size_t)end, &keep, &head_only, &body) < 0)
			goto bad;
		ADD(requests, 1);
		memmove(c->buf, c->buf + end, c->got - (unsigned int)end);
		c->got -= (unsigned int)end;
		c->body_left = body;
		if (keep)
			queue_out(c, http_head_keep, http_head_keep_len, response,
				  head_only ? 0 : cfg.response_size);
		else
			queue_out(c, http_head_close, http_head_close_len, response,
				  head_only ? 0 : cfg.response_size);
		c->close_after = !keep;
		r = send_out(w, c);
		if (r < 0) {
			conn_close(w, c, 1);
			return -1;
		}
		if (r == 0)
			return 0;
		if (!keep) {
			conn_close(w, c, 0);
			return -1;
		}
	}
bad:
	queue_out(c, http_400, sizeof(http_400) - 1, NULL, 0);
	flush_out(w, c);		/* best effort */
	conn_close(w, c, 1);
	return -1;
}

static int http_input(struct worker *w, struct conn *c)
{
	int reads = 0;

	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->got, STORMD_MAX_REQUEST - c->got, 0);
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (!reads)
					ADD(conn_spurious, 1);
				return 1;
			}
			conn_close(w, c, 1);
			return 0;
		}
		if (n == 0) {
			/* EOF between requests is the normal end */
			conn_close(w, c, c->got != 0 || c->body_left != 0);
			return 0;
		}
		reads++;
		ADD(bytes_in, (uint64_t)n);
		c->got += (unsigned int)n;
		r = http_serve(w, c);
		if (r <= 0)
			return r == 0;
	}
}

/* ---- events ---- */

static void conn_event(struct worker *w, struct conn *c, uint32_t events)
{
	if (c->state == C_WRITE) {
		int r;

		if (events & EPOLLERR) {
			conn_close(w, c, 1);
			return;
		}
		r = flush_out(w, c);
		if (r < 0) {
			conn_close(w, c, 1);
			return;
		}
		if (r == 0)
			return;
		if (c->close_after) {
			conn_close(w, c, 0);
			return;
		}
		c->state = C_READ;
		if (set_events(w, c, EPOLLIN | EPOLLRDHUP) < 0) {
			conn_close(w, c, 1);
			return;
		}
		if (cfg.proto == PROTO_HTTP && http_serve(w, c) <= 0)
			return;
		/* fall through: read what came meanwhile */
	}
	switch (cfg.proto) {
	case PROTO_CRR:
		crr_input(w, c);
		break;
	case PROTO_RR:
		rr_input(w, c);
		break;
	case PROTO_HTTP:
		http_input(w, c);
		break;
	}
}

/* A new connection: into the worker's epoll set (accept mode: from the
 * acceptor thread; epoll_ctl is thread-safe). */
static void conn_new(struct worker *w, int fd)
{
	struct conn *c = conn_alloc(w, fd);
	struct epoll_event ev;

	ADD(accepts, 1);
	ADD(open, 1);
	if (!c) {
		close(fd);
		ADD(errors, 1);
		ADD(open, -1);
		return;
	}
	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		conn_close(w, c, 1);
		return;
	}
}

static void accept_ready(struct worker *w)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (i == 0)
					ADD(spurious_wakeups, 1);
				return;
			}
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			ADD(accept_errors, 1);	/* EMFILE, ENOBUFS, ...: try later */
			return;
		}
		conn_new(w, fd);
	}
}

/* ---- threads ---------------------------------------------------------- */

static void pin_to(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		fprintf(stderr, PROG ": warning: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
}

static int make_listener(int reuseport, int nonblock)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0) {
		fprintf(stderr, PROG ": socket: %s\n", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		fprintf(stderr, PROG ": warning: SO_REUSEADDR: %s\n", strerror(errno));
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0) {
		fprintf(stderr, PROG ": SO_REUSEPORT: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg.port);
	sa.sin_addr.s_addr = cfg.addr;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, PROG ": bind to port %d: %s\n", cfg.port, strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, cfg.backlog) < 0) {
		fprintf(stderr, PROG ": listen: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void report_ready(int ok)
{
	pthread_mutex_lock(&ready_lock);
	if (ok)
		ready_count++;
	else
		failed_count++;
	pthread_cond_broadcast(&ready_cond);
	pthread_mutex_unlock(&ready_lock);
}

static void *acceptor_main(void *arg)
{
	struct worker *w = arg;

	pin_to(w->cpu);
	for (;;) {
		int fd = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				ADD(spurious_wakeups, 1);
				continue;
			}
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			struct timespec ms = { .tv_nsec = 1000000 };

			ADD(accept_errors, 1);
			nanosleep(&ms, NULL);	/* EMFILE and friends: do not spin */
			continue;
		}
		conn_new(w, fd);
	}
	return NULL;
}

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * --close-after: the listener leaves its reuseport group while the storm
 * runs. Its accept queue's connections are the kernel's to reset (as
 * Linux's inet_csk_listen_stop); the ones this worker accepted are served
 * to the end.
 */
static void close_listener(struct worker *w)
{
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->lfd, NULL);
	close(w->lfd);
	w->lfd = -1;
	if (!cfg.quiet)
		printf("stormd: worker %u closed its listener\n", w->id);
	fflush(stdout);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event events[MAX_EVENTS];

	pin_to(w->cpu);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0) {
		fprintf(stderr, PROG ": epoll_create1: %s\n", strerror(errno));
		report_ready(0);
		return NULL;
	}
	if (cfg.mode == MODE_REUSEPORT) {
		/* Made here, on the worker's CPU: a listener belongs to its worker. */
		w->lfd = make_listener(1, 1);
		if (w->lfd < 0) {
			report_ready(0);
			return NULL;
		}
	} else {
		w->lfd = shared_lfd;
	}
	if (cfg.mode != MODE_ACCEPT) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &listener_tag };

		if (cfg.mode == MODE_SHARED_EXCL)
			ev.events |= EPOLLEXCLUSIVE;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->lfd, &ev) < 0) {
			fprintf(stderr, PROG ": epoll_ctl(listener%s): %s\n",
				cfg.mode == MODE_SHARED_EXCL ? ", EPOLLEXCLUSIVE" : "",
				strerror(errno));
			report_ready(0);
			return NULL;
		}
	} else {
		int err = pthread_create(&w->acceptor, NULL, acceptor_main, w);

		if (err) {
			fprintf(stderr, PROG ": pthread_create: %s\n", strerror(err));
			report_ready(0);
			return NULL;
		}
	}
	report_ready(1);
	long long close_at = cfg.close_after_ms && w->id > 0 ?
			     monotonic_ms() + cfg.close_after_ms : 0;

	for (;;) {
		int n = epoll_wait(w->epfd, events, MAX_EVENTS, close_at ? 20 : -1);

		if (close_at && monotonic_ms() >= close_at) {
			close_listener(w);
			close_at = 0;
		}

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, PROG ": epoll_wait: %s\n", strerror(errno));
			abort();
		}
		if (n > 0)
			ADD(wakeups, 1);
		for (int i = 0; i < n; i++) {
			if (events[i].data.ptr == &listener_tag) {
				if (w->lfd >= 0)	/* not closed since the wait */
					accept_ready(w);
			} else
				conn_event(w, events[i].data.ptr, events[i].events);
		}
	}
	return NULL;
}

/* The CPUs we may run on, in order; their count. */
static int cpu_list(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

static void print_counters(void)
{
	struct worker_stats t;

	memset(&t, 0, sizeof(t));
	printf("{\"stormd\":{\"mode\":\"%s\",\"proto\":\"%s\",\"workers\":[",
	       stormd_mode_name(cfg.mode), stormd_proto_name(cfg.proto));
	for (unsigned int i = 0; i < stormd_nworkers; i++) {
		const struct worker_stats *s = &workers[i].st;
		uint64_t acc = stat_load(&s->accepts), han = stat_load(&s->handled);
		uint64_t spu = stat_load(&s->spurious_wakeups), err = stat_load(&s->errors);

		printf("%s{\"cpu\":%d,\"accepts\":%llu,\"handled\":%llu,\"spurious_wakeups\":%llu,"
		       "\"errors\":%llu}", i ? "," : "", workers[i].cpu,
		       (unsigned long long)acc, (unsigned long long)han,
		       (unsigned long long)spu, (unsigned long long)err);
		t.accepts += acc;
		t.handled += han;
		t.spurious_wakeups += spu;
		t.errors += err;
	}
	printf("],\"accepts\":%llu,\"handled\":%llu,\"spurious_wakeups\":%llu,\"errors\":%llu}}\n",
	       (unsigned long long)t.accepts, (unsigned long long)t.handled,
	       (unsigned long long)t.spurious_wakeups, (unsigned long long)t.errors);
	fflush(stdout);
}

static int build_responses(void)
{
	size_t size = cfg.response_size ? cfg.response_size : 1;

	response = malloc(size);
	if (!response)
		return -1;
	/* A readable body: lines of 'R's, so curl output looks sane. */
	for (size_t i = 0; i < size; i++)
		response[i] = (i % 64 == 63) ? '\n' : 'R';
	http_head_keep_len = (size_t)snprintf(http_head_keep, sizeof(http_head_keep),
		"HTTP/1.1 200 OK\r\nServer: stormd\r\nContent-Type: text/plain\r\n"
		"Content-Length: %u\r\n\r\n", cfg.response_size);
	http_head_close_len = (size_t)snprintf(http_head_close, sizeof(http_head_close),
		"HTTP/1.1 200 OK\r\nServer: stormd\r\nContent-Type: text/plain\r\n"
		"Content-Length: %u\r\nConnection: close\r\n\r\n", cfg.response_size);
	return 0;
}

int main(int argc, char **argv)
{
	static int cpus[STORMD_MAX_WORKERS];
	int ncpus, status;
	unsigned int n;

	status = stormd_parse_options(argc, argv, &cfg);
	if (status >= 0)
		return status;
	stormd_cfg = &cfg;
	conn_buf_size = cfg.proto == PROTO_RR ? RR_BUF : STORMD_MAX_REQUEST;
	if (build_responses() < 0) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}

	ncpus = cpu_list(cpus, STORMD_MAX_WORKERS);
	if (ncpus < 1) {
		ncpus = 1;
		cpus[0] = -1;
	}
	n = cfg.workers ? cfg.workers : (unsigned int)ncpus;
	workers = calloc(n, sizeof(*workers));
	if (!workers) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	if (cfg.mode != MODE_REUSEPORT) {
		shared_lfd = make_listener(0, cfg.mode != MODE_ACCEPT);
		if (shared_lfd < 0)
			return 1;
	}
	stormd_nworkers = n;
	for (unsigned int i = 0; i < n; i++) {
		struct worker *w = &workers[i];
		int err;

		w->id = i;
		w->cpu = cfg.pin ? cpus[i % (unsigned int)ncpus] : -1;
		pthread_mutex_init(&w->free_lock, NULL);
		stormd_workers[i].cpu = w->cpu;
		stormd_workers[i].stats = &w->st;
		err = pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			fprintf(stderr, PROG ": pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
	pthread_mutex_lock(&ready_lock);
	while (ready_count + failed_count < n)
		pthread_cond_wait(&ready_cond, &ready_lock);
	pthread_mutex_unlock(&ready_lock);
	if (failed_count) {
		fprintf(stderr, PROG ": %u of %u workers could not start\n", failed_count, n);
		return 1;
	}
#ifdef STORMD_STATS
	if (cfg.stats_port && stats_start(&cfg) < 0)
		return 1;
#endif
	printf("READY stormd port=%d mode=%s proto=%s workers=%u stats=%d\n", cfg.port,
	       stormd_mode_name(cfg.mode), stormd_proto_name(cfg.proto), n, cfg.stats_port);
	if (!cfg.quiet) {
		printf("stormd: workers on CPUs");
		for (unsigned int i = 0; i < n; i++)
			printf(" %d", workers[i].cpu);
		printf("; response %u bytes\n", cfg.response_size);
	}
	fflush(stdout);

	if (cfg.lifetime) {
		struct timespec left = { .tv_sec = (time_t)cfg.lifetime };

		while (nanosleep(&left, &left) < 0 && errno == EINTR)
			;
		print_counters();
		exit(0);
	}
	for (;;) {			/* the workers never return */
		struct timespec hour = { .tv_sec = 3600 };

		nanosleep(&hour, NULL);
	}
}
