/*
 * Socket steps shared by the connection modes: open and connect without
 * blocking, send a request, read a response, close, and turn errno into an
 * error kind. Everything runs on the calling worker's own sockets.
 *
 * TIME_WAIT stays off the client: in crr the server closes first, so the
 * client only ever answers a FIN (LAST_ACK, no TIME_WAIT). Every other
 * close the client starts (errors, timeouts, the end of the run for rr and
 * hold) goes out as an RST through SO_LINGER {1, 0}, which leaves nothing
 * behind on either side. Ports are then free at once for the next connect.
 */
#include "storm.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

const char *const err_names[NR_ERR] = {
	[ERR_REFUSED] = "refused", [ERR_RESET] = "reset", [ERR_TIMEOUT] = "timeout",
	[ERR_SHORT_READ] = "short_read", [ERR_CLOSED] = "closed",
	[ERR_PROTOCOL] = "protocol", [ERR_UNREACHABLE] = "unreachable",
	[ERR_NO_PORTS] = "no_ports", [ERR_FD_LIMIT] = "fd_limit", [ERR_OTHER] = "other",
};

enum err_kind err_classify(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return ERR_REFUSED;
	case ECONNRESET:
	case ECONNABORTED:
	case EPIPE:
		return ERR_RESET;
	case ETIMEDOUT:
		return ERR_TIMEOUT;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
		return ERR_UNREACHABLE;
	case EADDRNOTAVAIL:
	case EADDRINUSE:
		return ERR_NO_PORTS;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		return ERR_FD_LIMIT;
	default:
		return ERR_OTHER;
	}
}

/* Count the error; the run keeps the first one, in words, for the report. */
void record_error(struct worker *w, enum err_kind k, int err, const char *what)
{
	struct run *r = w->run;

	w->c.errors[k]++;
	w->iv.errors++;
	if (w->told)
		return;
	w->told = true;		/* at most one lock per worker for this */
	pthread_mutex_lock(&r->lock);
	if (!r->first_error[0]) {
		if (err)
			snprintf(r->first_error, sizeof(r->first_error), "%s: %s (%s)", what,
				 strerror(err), err_names[k]);
		else
			snprintf(r->first_error, sizeof(r->first_error), "%s (%s)", what,
				 err_names[k]);
	}
	pthread_mutex_unlock(&r->lock);
}

int conn_alloc(struct worker *w, uint32_t n)
{
	uint32_t i;

	w->conns = calloc(n ? n : 1, sizeof(*w->conns));
	if (!w->conns)
		return -1;
	w->nconns = n;
	for (i = 0; i < n; i++) {
		list_init(&w->conns[i].link);
		w->conns[i].fd = -1;
	}
	return 0;
}

void timeout_arm(struct worker *w, struct conn *c, uint64_t now)
{
	/* Equal spans and a monotonic clock keep the list sorted by deadline. */
	if (list_linked(&c->link))
		list_del(&c->link);
	c->deadline = now + (uint64_t)w->run->o->timeout_ms * NSEC_PER_MSEC;
	list_add_tail(&c->link, &w->timeouts);
}

void timeout_disarm(struct conn *c)
{
	if (list_linked(&c->link))
		list_del(&c->link);
}

/* Bind to the next --source-addrs address, leaving the port to connect(). */
static int bind_source(struct worker *w, int fd)
{
	const struct storm_opts *o = w->run->o;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1;

	sa.sin_addr.s_addr = o->sources[w->src++ % o->nsources];
	/*
	 * Without this, bind() would reserve a port per address for any
	 * destination; with it the port is chosen at connect() time per
	 * 4-tuple, so each source address gets the full ephemeral range.
	 */
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa));
}

int conn_start(struct worker *w, struct conn *c, uint64_t now)
{
	const struct storm_opts *o = w->run->o;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET };
	const char *what = "socket";
	int fd, err, one = 1;

	w->c.attempts++;
	c->conn_start = now;
	c->done = 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = errno;
		goto fail;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	what = "bind to --source-addrs";
	if (o->nsources && bind_source(w, fd))
		goto fail_fd;
	sa.sin_port = htons(o->target_port);
	sa.sin_addr.s_addr = o->target_addr;
	what = "connect";
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS)
		goto fail_fd;
	ev.data.ptr = c;
	what = "epoll_ctl";
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev))
		goto fail_fd;
	c->fd = fd;
	timeout_arm(w, c, now);
	return 0;

fail_fd:
	err = errno;
	close(fd);	/* never connected: nothing to linger over */
	if (err == EADDRNOTAVAIL && what[0] == 'c')
		what = "connect (out of ephemeral ports: add --source-addrs)";
fail:
	record_error(w, err_classify(err), err, what);
	return -1;
}

/* After an event on a connecting socket: 0 connected, 1 not yet, -1 failed. */
int conn_connected(struct worker *w, struct conn *c, uint32_t events)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (events & (EPOLLERR | EPOLLHUP)) {
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		conn_fail(w, c, err_classify(err ? err : ECONNRESET), err ? err : ECONNRESET,
			  "connect");
		return -1;
	}
	if (!(events & EPOLLOUT))
		return 1;
	w->c.established++;
	w->iv.established++;
	hist_record(&w->connect_lat, now_ns() - c->conn_start);
	return 0;
}

/* Write the request from c->done on: 1 all sent, 0 would block, -1 failed. */
int conn_send(struct worker *w, struct conn *c, uint32_t size)
{
	ssize_t n;

	while (c->done < size) {
		n = send(c->fd, w->txbuf + c->done, size - c->done, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN)
				return 0;
			if (errno == EINTR)
				continue;
			conn_fail(w, c, err_classify(errno), errno, "write");
			return -1;
		}
		c->done += (uint32_t)n;
		w->c.bytes_tx += (uint64_t)n;
	}
	return 1;
}

static enum recv_result recv_eof(struct worker *w, struct conn *c, uint32_t want,
				 bool until_eof)
{
	char what[96];

	if (until_eof && c->done == want)
		return RECV_DONE;
	if (!until_eof && c->done == 0) {
		conn_fail(w, c, ERR_CLOSED, 0, "the server closed a persistent connection");
		return RECV_FAILED;
	}
	snprintf(what, sizeof(what), "EOF after %u of %u response bytes", c->done, want);
	conn_fail(w, c, ERR_SHORT_READ, 0, what);
	return RECV_FAILED;
}

/*
 * Read what has arrived towards a @want-byte response. With @until_eof
 * (crr) the response ends with the server's FIN; otherwise (rr) it ends
 * after @want bytes, which @verify compares with the request (the echo).
 * Edge-triggered epoll: read until EAGAIN unless the response is complete.
 */
enum recv_result conn_recv(struct worker *w, struct conn *c, uint32_t want, bool until_eof,
			   bool verify)
{
	ssize_t n;

	for (;;) {
		n = recv(c->fd, w->rxbuf, w->rxlen, 0);
		if (n == 0)
			return recv_eof(w, c, want, until_eof);
		if (n < 0) {
			if (errno == EAGAIN)
				return RECV_MORE;
			if (errno == EINTR)
				continue;
			conn_fail(w, c, err_classify(errno), errno, "read");
			return RECV_FAILED;
		}
		w->c.bytes_rx += (uint64_t)n;
		if ((uint64_t)c->done + (uint64_t)n > want) {
			conn_fail(w, c, ERR_PROTOCOL, 0,
				  "the server sent more than the response size");
			return RECV_FAILED;
		}
		if (verify && memcmp(w->rxbuf, w->txbuf + c->done, (size_t)n)) {
			conn_fail(w, c, ERR_PROTOCOL, 0, "the echo differs from the request");
			return RECV_FAILED;
		}
		c->done += (uint32_t)n;
		if (c->done == want && !until_eof)
			return RECV_DONE;
	}
}

void conn_close(struct worker *w, struct conn *c)
{
	(void)w;
	timeout_disarm(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

void conn_abort(struct worker *w, struct conn *c)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (c->fd >= 0)
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	conn_close(w, c);
}

void conn_fail(struct worker *w, struct conn *c, enum err_kind k, int err, const char *what)
{
	record_error(w, k, err, what);
	conn_abort(w, c);
}

/* The operation on @c completed: its latency counts from c->origin. */
void record_op(struct worker *w, struct conn *c)
{
	uint64_t now = now_ns();
	uint64_t lat = now > c->origin ? now - c->origin : 0;

	hist_record(&w->lat, lat);
	hist_record(&w->iv.lat, lat);
	w->c.ops++;
	w->iv.ops++;
}
