/*
 * The stats endpoint: a kernel thread that serves the kernel's counters on
 * TCP port 7070 (the Linux guest's twin is apps/stormd/stats_linux.c; same
 * URLs, same shape):
 *   GET /stats   JSON (stats_format.h; docs/experiments.md has the schema)
 *   GET /        the same as aligned text
 * One connection at a time, one request per connection, Connection: close.
 * A client has 2 s to send its request head (then 408 and close), and 2 s
 * more to take the answer, so none holds the server longer than 4 s; a
 * bad request gets 400/404/405/414/431/505 (stats_http.c) and is counted.
 *
 * It uses kernel sockets (sock_create_kern, kernel_accept, ...), so its
 * connections count in the TCP MIBs, as on Linux, but never as a worker's
 * accepts (those are counted in the accept4 system call of app threads).
 *
 * Switches: stats_port=N (0: off), stats_at_exit=0|1 (the short text on
 * the console when the app exits; on by default).
 */
#include <net/core/stats.h>
#include <net/core/stats_http.h>
#include <net/core/netdevice.h>
#include <net/core/sock.h>
#include <net/socket.h>
#include <kernel/errno.h>
#include <kernel/params.h>
#include <kernel/profile.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/timer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATS_PORT_DEFAULT 7070
#define STATS_BACKLOG 16
#define STATS_CLIENT_SECS 2		/* to send the request head; again to take the answer */
#define STATS_DRAIN_BYTES 65536		/* read after answering, so the close is not a reset */
#define STATS_OUT_SIZE (256 << 10)	/* the largest answer (64 CPUs, 256 workers) fits */

static unsigned int stats_port = STATS_PORT_DEFAULT;	/* [I] 0: off */
static int stats_at_exit = 1;				/* [I] */

/* The endpoint's own counters: [t] written by the server thread only, read racily. */
static struct stats_endpoint endpoint;

static const char *set_stats_port(const char *val)
{
	char *end;
	unsigned long p = val ? strtoul(val, &end, 10) : 0;

	if (!val || !*val || *end || p > 65535)
		return "must be a TCP port from 1 to 65535, or 0 for no stats endpoint";
	stats_port = (unsigned int)p;
	return NULL;
}
KERNEL_PARAM("stats_port", set_stats_port,
	     "stats_port=N: serve counters over HTTP on TCP port N (default 7070, 0: off)");

static const char *set_stats_at_exit(const char *val)
{
	if (!val || (strcmp(val, "0") && strcmp(val, "1")))
		return "must be 0 or 1";
	stats_at_exit = val[0] == '1';
	return NULL;
}
KERNEL_PARAM("stats_at_exit", set_stats_at_exit,
	     "stats_at_exit=0|1: print a counter summary when the app exits (default 1)");

/* What the server thread owns. */
struct stats_server {
	struct socket *listener;
	struct stats_snapshot *snap;
	char *out;			/* the answer's body */
	char req[STATS_HTTP_HEAD_MAX];
};

/*
 * Every wait on a client ends by @deadline (jiffies): each blocking call
 * gets what is left as its SO_RCVTIMEO/SO_SNDTIMEO, so a client that
 * trickles bytes cannot stretch it. 0 when the time is up.
 */
static int sock_set_deadline(struct socket *sock, uint64_t deadline)
{
	int64_t left = (int64_t)(deadline - jiffies);
	struct sock *sk = sock->sk;

	if (left <= 0)
		return 0;
	lock_sock(sk);
	sk->sk_rcvtimeo = sk->sk_sndtimeo = (long)left;
	release_sock(sk);
	return 1;
}

/* Everything in @iov by @deadline, or -errno. */
static int send_all(struct socket *sock, struct iovec *iov, size_t n, uint64_t deadline)
{
	while (n) {
		struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
		long sent;

		if (!sock_set_deadline(sock, deadline))
			return -ETIMEDOUT;
		sent = kernel_sendmsg(sock, &msg, iov, n);

		if (sent <= 0)
			return sent < 0 ? (int)sent : -EPIPE;
		while (n && (size_t)sent >= iov->iov_len) {
			sent -= (long)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (char *)iov->iov_base + sent;
			iov->iov_len -= (size_t)sent;
		}
	}
	return 0;
}

static const char *error_body(int status)
{
	switch (status) {
	case 404: return "not found: GET /stats (JSON), GET / (text) or GET /profile\n";
	case 405: return "only GET\n";
	case 408: return "no request within 2 s\n";
	case 500: return "the answer did not fit\n";
	}
	return "bad request\n";
}

/* The body of a 200 into srv->out: its length, or 0 if it overflowed (500). */
static size_t build_body(struct stats_server *srv, enum stats_http_path path)
{
	struct seq_buf s;

	stats_collect(srv->snap);
	srv->snap->endpoint = endpoint;
	seq_buf_init(&s, srv->out, STATS_OUT_SIZE);
	if (path == STATS_PATH_JSON)
		stats_format_json(&s, srv->snap);
	else if (path == STATS_PATH_PROFILE)
		profile_show(&s, 40);
	else
		stats_format_text(&s, srv->snap, STATS_TEXT_FULL);
	return seq_buf_has_overflowed(&s) ? 0 : s.len;
}

static void reply(struct stats_server *srv, struct socket *conn, int status,
		  enum stats_http_path path, uint64_t deadline)
{
	const char *type = path == STATS_PATH_JSON ? "application/json" : "text/plain; charset=utf-8";
	const char *body = srv->out;
	char head[256];
	size_t len = 0;
	int n;

	if (status == 200 && !(len = build_body(srv, path)))
		status = 500;
	if (status != 200) {
		body = error_body(status);
		len = strlen(body);
		type = "text/plain";
	}
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %d %s\r\nServer: squall\r\nContent-Type: %s\r\n"
		     "Content-Length: %lu\r\n%sConnection: close\r\n\r\n", status,
		     stats_http_reason(status), type, (unsigned long)len,
		     status == 405 ? "Allow: GET\r\n" : "");
	struct iovec iov[2] = { { head, (size_t)n }, { (void *)body, len } };

	if (send_all(conn, iov, 2, deadline) < 0)
		endpoint.aborted++;
}

/* A lingering close: FIN first, then read what the client still sends, bounded. */
static void drain(struct stats_server *srv, struct socket *conn, uint64_t deadline)
{
	size_t total = 0;

	kernel_sock_shutdown(conn, SHUT_WR);
	while (total < STATS_DRAIN_BYTES && sock_set_deadline(conn, deadline)) {
		struct iovec iov = { srv->req, sizeof(srv->req) };
		struct msghdr msg = { 0 };
		long n = kernel_recvmsg(conn, &msg, &iov, 1, 0);

		if (n <= 0)
			break;
		total += (size_t)n;
	}
}

/* One client: its request head within 2 s, then 2 s for the answer and the drain. */
static void stats_serve(struct stats_server *srv, struct socket *conn)
{
	uint64_t deadline = jiffies + (uint64_t)STATS_CLIENT_SECS * HZ;
	struct stats_http_req req = { .status = 408, .path = STATS_PATH_NONE };
	size_t got = 0;

	for (;;) {
		struct iovec iov = { srv->req + got, sizeof(srv->req) - got };
		struct msghdr msg = { 0 };
		long n;

		if (!sock_set_deadline(conn, deadline))
			break;
		n = kernel_recvmsg(conn, &msg, &iov, 1, 0);
		if (n == -EAGAIN)
			break;
		if (n < 0) {
			endpoint.aborted++;	/* reset mid-request: nobody to answer */
			return;
		}
		got += (size_t)n;
		if (n == 0 || got == sizeof(srv->req)) {
			stats_http_eof(srv->req, got, &req);
			break;
		}
		if (stats_http_parse(srv->req, got, &req) == STATS_HTTP_DONE)
			break;
	}
	if (req.status == 408)
		endpoint.timeouts++;
	endpoint.requests++;
	if (req.status != 200 && req.status != 408)
		endpoint.bad_requests++;
	deadline = jiffies + (uint64_t)STATS_CLIENT_SECS * HZ;
	reply(srv, conn, req.status, req.path, deadline);
	drain(srv, conn, deadline);
}

static int stats_thread(void *arg)
{
	struct stats_server *srv = arg;

	for (;;) {
		struct socket *conn;
		int err = kernel_accept(srv->listener, &conn, 0);

		if (err) {
			schedule_timeout_interruptible(HZ / 10 + 1);	/* out of memory: retry */
			continue;
		}
		stats_serve(srv, conn);
		sock_release(conn);
	}
	return 0;
}

static int stats_listen(struct socket **res)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = INADDR_ANY };
	struct socket *sock;
	int err = sock_create_kern(AF_INET, SOCK_STREAM, IPPROTO_TCP, &sock);

	if (err)
		return err;
	sin.sin_port = (uint16_t)(stats_port << 8 | stats_port >> 8);
	err = kernel_bind(sock, &sin, sizeof(sin));
	if (!err)
		err = kernel_listen(sock, STATS_BACKLOG);
	if (err) {
		sock_release(sock);
		return err;
	}
	*res = sock;
	return 0;
}

/* kernel_init: listening before the app runs, so it is up when the app says READY. */
void stats_server_init(void)
{
	struct stats_server *srv;
	int err;

	endpoint.port = stats_port;
	if (!stats_port || !netdev_get())
		return;
	srv = calloc(1, sizeof(*srv));
	if (srv) {
		srv->snap = malloc(sizeof(*srv->snap));
		srv->out = malloc(STATS_OUT_SIZE);
	}
	if (!srv || !srv->snap || !srv->out) {
		printk("stats: out of memory; no endpoint\n");
		return;		/* boot-time memory is never given back: no leak to mind */
	}
	err = stats_listen(&srv->listener);
	if (err) {
		printk("stats: cannot listen on port %u (error %d); no endpoint\n", stats_port, -err);
		return;
	}
	if (!kthread_create(stats_thread, srv, "stats", -1)) {
		printk("stats: cannot start the server thread\n");
		return;
	}
	printk("stats: GET /stats (JSON) and / (text) on TCP port %u\n", stats_port);
}

void stats_print_at_exit(void)
{
	struct stats_snapshot *st;
	struct seq_buf s;
	char *buf, *line, *nl;

	if (!stats_at_exit)
		return;
	st = malloc(sizeof(*st));
	buf = malloc(STATS_OUT_SIZE);
	if (st && buf) {
		stats_collect(st);
		seq_buf_init(&s, buf, STATS_OUT_SIZE);
		stats_format_text(&s, st, STATS_TEXT_SHORT);
		for (line = buf; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (!nl)
				break;
			printk("%.*s\n", (int)(nl - line), line);
		}
	}
	free(buf);
	free(st);
}
