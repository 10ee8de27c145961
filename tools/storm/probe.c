/*
 * Checks made before the storm, so that the common mistakes end within a
 * second or two with a message that says what to do, not with a run full
 * of errors or a hang: the target refusing or not answering, a source
 * address that is not ours, no raw-socket permission, too few file
 * descriptors.
 */
#include "report.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROBE_TIMEOUT_MS 1500

static int bind_no_port(int fd, uint32_t addr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1;

	sa.sin_addr.s_addr = addr;
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa));
}

/* One connect to the target, reset at once; 0 if it was accepted. */
int probe_target(const struct storm_opts *o, char *msg, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int ms = o->timeout_ms < PROBE_TIMEOUT_MS ? (int)o->timeout_ms : PROBE_TIMEOUT_MS;
	struct pollfd p = { .events = POLLOUT };
	socklen_t elen = sizeof(int);
	char tgt[32];
	int fd, err = 0;

	format_addr(tgt, sizeof(tgt), o->target_addr, o->target_port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(msg, len, "socket: %s", strerror(errno));
		return -1;
	}
	sa.sin_port = htons(o->target_port);
	sa.sin_addr.s_addr = o->target_addr;
	if (o->nsources && bind_no_port(fd, o->sources[0]))
		err = errno;
	else if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS)
		err = errno;
	else {
		p.fd = fd;
		if (poll(&p, 1, ms) == 0)
			err = ETIMEDOUT;
		else
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
	}
	if (!err)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	switch (err) {
	case 0:
		return 0;
	case ECONNREFUSED:
		snprintf(msg, len, "%s refused the connection: nothing listens on port %u there "
			 "(is the server running, and is this the right network namespace?)",
			 tgt, o->target_port);
		break;
	case ETIMEDOUT:
		snprintf(msg, len, "no answer from %s within %d ms: is the target up and "
			 "reachable from this network namespace?", tgt, ms);
		break;
	case ENETUNREACH:
	case EHOSTUNREACH:
		snprintf(msg, len, "%s is unreachable from here (%s): no route to it in this "
			 "network namespace", tgt, strerror(err));
		break;
	default:
		snprintf(msg, len, "cannot connect to %s: %s", tgt, strerror(err));
		break;
	}
	return -1;
}

/* Every --source-addrs address must be one of this host's (connect modes). */
int probe_sources(const struct storm_opts *o, char *msg, size_t len)
{
	uint32_t i;

	for (i = 0; i < o->nsources; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int bad = fd < 0 || bind_no_port(fd, o->sources[i]);
		int err = errno;

		if (fd >= 0)
			close(fd);
		if (bad) {
			char a[32];

			format_addr(a, sizeof(a), o->sources[i], 0);
			*strrchr(a, ':') = '\0';
			snprintf(msg, len, "--source-addrs: cannot bind %s (%s); every source must "
				 "be an address of this host (ip addr add %s/NN dev DEV)", a,
				 strerror(err), a);
			return -1;
		}
	}
	return 0;
}

/* synflood: raw-socket permission, and a route to the target. */
int probe_raw(const struct storm_opts *o, char *msg, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	char tgt[32];

	if (fd < 0) {
		snprintf(msg, len, "synflood needs a raw socket (%s): run it as root or with "
			 "CAP_NET_RAW, e.g. inside the test namespace with ip netns exec",
			 strerror(errno));
		return -1;
	}
	close(fd);
	/* A UDP connect() sends nothing; it only looks the route up. */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sa.sin_port = htons(o->target_port);
	sa.sin_addr.s_addr = o->target_addr;
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		format_addr(tgt, sizeof(tgt), o->target_addr, o->target_port);
		snprintf(msg, len, "%s is unreachable from here (%s): no route to it in this "
			 "network namespace", tgt, strerror(errno));
		close(fd);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* Raise the soft RLIMIT_NOFILE to cover @need descriptors, if the hard one allows. */
int raise_fd_limit(uint64_t need, char *msg, size_t len)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= need)
		return 0;
	snprintf(msg, len, "this storm needs %llu file descriptors but the limit is %llu "
		 "(hard limit %llu): lower --connections or raise ulimit -n",
		 (unsigned long long)need, (unsigned long long)rl.rlim_cur,
		 (unsigned long long)rl.rlim_max);
	return -1;
}
