/*
 * Runtime test: epoll as an app sees it. Runs unchanged on the Linux host
 * and in Squall.
 *  - With no arguments (tests/integration/test_apps.py, no network):
 *    epoll_create/create1/ctl/wait/pwait errors with Linux's errnos,
 *    EPOLLOUT on a UDP socket, level vs edge vs one-shot, timeouts (a
 *    50 ms wait returns 0 after at least 50 ms), close removing a socket
 *    from its set, two threads pinned to two CPUs asleep on one set,
 *    each woken for exactly one event, and a cross-CPU ping-pong of
 *    one-shot re-arms while other sockets are added and closed.
 *  - With "net" (tests/integration/test_net.py, --net tap): a UDP socket
 *    and a TCP listener on PORT wait for the host; EPOLLIN on each, then
 *    EPOLLIN/EPOLLRDHUP on the accepted connection and EPOLLOUT. The
 *    summary line also goes back to the host over that connection.
 */
#include "tap.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "../../apps/lib/syscall.h"

#define PORT 5555
#define BAD_PTR ((void *)0xffff800000000000UL)	/* kernel half: never user memory */
#define NR_memfd_create 319

static int fails(long ret, int err)
{
	return ret == -1 && errno == err;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int udp_socket(void)
{
	return socket(AF_INET, SOCK_DGRAM, 0);
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void test_abi(void)
{
	ok(sizeof(struct epoll_event) == 12, "struct epoll_event is Linux's packed 12 bytes");
}

static void test_create(void)
{
	int ep;

	ok(fails(epoll_create1(1), EINVAL), "epoll_create1: an unknown flag gives EINVAL");
	ok(fails(epoll_create(0), EINVAL), "epoll_create(0) gives EINVAL");
	ok(fails(epoll_create(-5), EINVAL), "epoll_create(-5) gives EINVAL");
	ep = epoll_create1(EPOLL_CLOEXEC);
	ok(ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC, "epoll_create1(EPOLL_CLOEXEC) sets close-on-exec");
	close(ep);
	ep = epoll_create(1);
	ok(ep >= 0 && fcntl(ep, F_GETFD) == 0, "epoll_create(1) gives an fd without close-on-exec");
	close(ep);
}

/*
 * A file with no poll operation: a memfd where the kernel has them (Linux),
 * else the console on fd 0 (Squall, which has no memfd_create).
 */
static int unpollable_fd(int *opened)
{
	long fd = syscall2(NR_memfd_create, (long)"epoll-test", 0);

	*opened = fd >= 0;
	return fd >= 0 ? (int)fd : 0;
}

static void test_ctl_errors(void)
{
	int ep = epoll_create1(0), ep2 = epoll_create1(0), u = udp_socket(), opened;
	int np = unpollable_fd(&opened);
	struct epoll_event ev = { .events = EPOLLIN };

	ok(fails(epoll_ctl(-1, EPOLL_CTL_ADD, u, &ev), EBADF), "epoll_ctl: bad epfd gives EBADF");
	ok(fails(epoll_ctl(ep, EPOLL_CTL_ADD, 4000, &ev), EBADF), "epoll_ctl: bad fd gives EBADF");
	ok(fails(epoll_ctl(u, EPOLL_CTL_ADD, ep2, &ev), EINVAL),
	   "epoll_ctl: an epfd that is not an epoll gives EINVAL");
	ok(fails(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL),
	   "epoll_ctl: fd == epfd gives EINVAL");
	ok(fails(epoll_ctl(ep, 7, u, &ev), EINVAL), "epoll_ctl: an unknown op gives EINVAL");
	ok(fails(epoll_ctl(ep, EPOLL_CTL_ADD, u, NULL), EFAULT),
	   "epoll_ctl: ADD with NULL gives EFAULT");
	ok(fails(epoll_ctl(ep, EPOLL_CTL_ADD, u, BAD_PTR), EFAULT),
	   "epoll_ctl: ADD with a kernel pointer gives EFAULT");
	ok(fails(epoll_ctl(ep, EPOLL_CTL_ADD, np, &ev), EPERM),
	   "epoll_ctl: a file that cannot be polled gives EPERM");
	ok(fails(epoll_ctl(ep, EPOLL_CTL_DEL, u, NULL), ENOENT),
	   "epoll_ctl: DEL of a stranger gives ENOENT");
	ok(fails(epoll_ctl(ep, EPOLL_CTL_MOD, u, &ev), ENOENT),
	   "epoll_ctl: MOD of a stranger gives ENOENT");
	ok(epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev) == 0, "epoll_ctl: ADD of a UDP socket succeeds");
	ok(fails(epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev), EEXIST),
	   "epoll_ctl: a second ADD gives EEXIST");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ok(fails(epoll_ctl(ep, EPOLL_CTL_MOD, u, &ev), EINVAL),
	   "epoll_ctl: MOD with EPOLLEXCLUSIVE gives EINVAL");
	ok(epoll_ctl(ep, EPOLL_CTL_DEL, u, NULL) == 0, "epoll_ctl: DEL needs no event");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	ok(fails(epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev), EINVAL),
	   "epoll_ctl: EPOLLEXCLUSIVE with EPOLLONESHOT gives EINVAL");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ok(epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev) == 0, "epoll_ctl: ADD with EPOLLEXCLUSIVE succeeds");
	ev.events = EPOLLIN;
	ok(fails(epoll_ctl(ep, EPOLL_CTL_MOD, u, &ev), EINVAL),
	   "epoll_ctl: MOD of an EPOLLEXCLUSIVE item gives EINVAL");
	if (opened)
		close(np);
	close(u);
	close(ep);
	close(ep2);
}

static void test_wait_errors(void)
{
	int ep = epoll_create1(0), u = udp_socket();
	struct epoll_event evs[2];
	sigset_t none;

	sigemptyset(&none);
	ok(fails(epoll_wait(ep, evs, 0, 0), EINVAL), "epoll_wait: maxevents 0 gives EINVAL");
	ok(fails(epoll_wait(ep, evs, -1, 0), EINVAL), "epoll_wait: maxevents -1 gives EINVAL");
	ok(fails(epoll_wait(ep, evs, 0x7fffffff / 12 + 1, 0), EINVAL),
	   "epoll_wait: maxevents past INT_MAX / 12 gives EINVAL");
	ok(fails(epoll_wait(ep, BAD_PTR, 1, 0), EFAULT),
	   "epoll_wait: a kernel pointer gives EFAULT");
	ok(fails(epoll_wait(-1, evs, 1, 0), EBADF), "epoll_wait: bad epfd gives EBADF");
	ok(fails(epoll_wait(u, evs, 1, 0), EINVAL), "epoll_wait: a socket as epfd gives EINVAL");
	ok(epoll_pwait(ep, evs, 2, 0, &none) == 0, "epoll_pwait with a signal mask and nothing ready gives 0");
	ok(epoll_pwait(ep, evs, 2, 0, NULL) == 0, "epoll_pwait without a mask gives 0");
	/* Linux faults a NULL array only when it has an event to copy: give it one. */
	add(ep, u, EPOLLOUT, 1);
	ok(fails(epoll_wait(ep, NULL, 1, 0), EFAULT),
	   "epoll_wait: NULL events with one ready gives EFAULT");
	close(u);
	close(ep);
}

static void test_timeouts(void)
{
	int ep = epoll_create1(0), u = udp_socket();
	struct epoll_event ev;
	uint64_t t0;
	int n;

	add(ep, u, EPOLLIN, 1);
	t0 = now_ms();
	n = epoll_wait(ep, &ev, 1, 0);
	ok(n == 0, "epoll_wait with timeout 0 and nothing ready returns 0 (%d)", n);
	t0 = now_ms();
	n = epoll_wait(ep, &ev, 1, 50);
	ok(n == 0 && now_ms() - t0 >= 50, "a 50 ms epoll_wait returns 0 after >= 50 ms (%d after %llu ms)",
	   n, (unsigned long long)(now_ms() - t0));
	close(u);
	close(ep);
}

static void test_epollout_level_edge_oneshot(void)
{
	int ep = epoll_create1(0), u = udp_socket(), v = udp_socket();
	struct epoll_event evs[4];
	int n;

	ok(add(ep, u, EPOLLOUT, 11) == 0 && add(ep, v, EPOLLIN, 12) == 0, "two UDP sockets added");
	n = epoll_wait(ep, evs, 4, 0);
	ok(n == 1 && evs[0].events == EPOLLOUT && evs[0].data.u64 == 11,
	   "a fresh UDP socket is writable: EPOLLOUT, its data, and nothing for the reader (%d)", n);
	n = epoll_wait(ep, evs, 4, 0);
	ok(n == 1 && evs[0].data.u64 == 11, "level-triggered: still writable, reported again");
	ok(mod(ep, u, EPOLLOUT | EPOLLET, 13) == 0, "MOD to edge-triggered");
	n = epoll_wait(ep, evs, 4, 0);
	ok(n == 1 && evs[0].data.u64 == 13, "edge-triggered: reported once after MOD");
	n = epoll_wait(ep, evs, 4, 0);
	ok(n == 0, "edge-triggered: not again without a new edge (%d)", n);
	ok(mod(ep, u, EPOLLOUT | EPOLLONESHOT, 14) == 0, "MOD to one-shot");
	n = epoll_wait(ep, evs, 4, 0);
	ok(n == 1 && evs[0].data.u64 == 14, "one-shot: reported once");
	n = epoll_wait(ep, evs, 4, 0);
	ok(n == 0, "one-shot: disarmed after it (%d)", n);
	ok(mod(ep, u, EPOLLOUT | EPOLLONESHOT, 15) == 0, "MOD re-arms the one-shot item");
	n = epoll_wait(ep, evs, 4, 0);
	ok(n == 1 && evs[0].data.u64 == 15, "one-shot: reported again after MOD");
	close(u);
	n = epoll_wait(ep, evs, 4, 0);
	ok(n == 0, "a closed socket left the set (%d)", n);
	ok(fails(epoll_ctl(ep, EPOLL_CTL_DEL, u, NULL), EBADF),
	   "and its fd is gone: DEL gives EBADF");
	close(v);
	close(ep);
}

/* ---- two threads on two CPUs asleep on one set ---- */

struct waiter {
	int ep, cpu;
	int n;			/* epoll_wait's result */
	uint64_t data;
	int ran_on;
};

static volatile int waiters_ready;

static void *waiter(void *arg)
{
	struct waiter *w = arg;
	struct epoll_event ev;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	w->ran_on = sched_getcpu();
	__atomic_add_fetch(&waiters_ready, 1, __ATOMIC_SEQ_CST);
	do
		w->n = epoll_wait(w->ep, &ev, 1, 10000);
	while (w->n < 0 && errno == EINTR);
	w->data = w->n == 1 ? ev.data.u64 : 0;
	return NULL;
}

static int online_cpus(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
}

/*
 * Each ADD of a ready item wakes one sleeper (epoll_wait sleeps
 * exclusively); one-shot items cannot be reported twice, so each thread
 * must come back with exactly one of the two.
 */
static void test_two_threads_one_set(void)
{
	int ep = epoll_create1(0), u = udp_socket(), v = udp_socket();
	struct waiter w[2] = { { .ep = ep, .cpu = 0 }, { .ep = ep, .cpu = 1 } };
	pthread_t t[2];

	if (online_cpus() < 2)
		w[1].cpu = 0;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, waiter, &w[i]);
	while (__atomic_load_n(&waiters_ready, __ATOMIC_SEQ_CST) < 2)
		sched_yield();
	usleep(100 * 1000);	/* both asleep in epoll_wait, most likely; correct either way */
	add(ep, u, EPOLLOUT | EPOLLONESHOT, 21);
	add(ep, v, EPOLLOUT | EPOLLONESHOT, 22);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ok(w[0].n == 1 && w[1].n == 1, "two threads waiting on one set each got one event (%d, %d)",
	   w[0].n, w[1].n);
	ok(w[0].data + w[1].data == 43 && w[0].data != w[1].data,
	   "and they got different items (%llu, %llu)", (unsigned long long)w[0].data,
	   (unsigned long long)w[1].data);
	if (online_cpus() >= 2)
		ok(w[0].ran_on == 0 && w[1].ran_on == 1, "the waiters ran on CPUs 0 and 1 (%d, %d)",
		   w[0].ran_on, w[1].ran_on);
	else
		skip("one CPU: both waiters ran on CPU 0");
	close(u);
	close(v);
	close(ep);
}

/*
 * Ping-pong across CPUs: a producer on CPU 1 re-arms a one-shot writable
 * socket with EPOLL_CTL_MOD, a consumer on CPU 0 sleeps in epoll_wait for
 * it, ROUNDS times; meanwhile a churner on CPU 1 adds ready sockets to the
 * same set and closes them at once, so closes race the consumer's scans.
 * Every re-arm must give exactly one event, and nothing may hang.
 */
#define ROUNDS 2000
#define CHURN_DATA (1ULL << 40)	/* never a round number */

struct pingpong {
	int ep, u;
	int consumed;		/* [a] events for u seen by the consumer */
	int churned;		/* [a] churn events seen */
	int timeouts, extra;	/* consumer: waits that timed out, u events beyond ROUNDS */
	int producer_stuck;
	volatile int stop;
};

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu >= online_cpus())
		cpu = 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *consumer(void *arg)
{
	struct pingpong *p = arg;
	struct epoll_event ev[4];

	pin(0);
	while (__atomic_load_n(&p->consumed, __ATOMIC_SEQ_CST) < ROUNDS) {
		int n = epoll_wait(p->ep, ev, 4, 5000);

		if (n == 0)
			p->timeouts++;
		if (n == 0 && p->producer_stuck)
			break;
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == CHURN_DATA)
				__atomic_add_fetch(&p->churned, 1, __ATOMIC_SEQ_CST);
			else
				__atomic_add_fetch(&p->consumed, 1, __ATOMIC_SEQ_CST);
		}
	}
	/* A last look: a second event for the one-shot item would be a bug. */
	for (int n; (n = epoll_wait(p->ep, ev, 4, 20)) > 0;)
		for (int i = 0; i < n; i++)
			p->extra += ev[i].data.u64 != CHURN_DATA;
	return NULL;
}

static void *producer(void *arg)
{
	struct pingpong *p = arg;

	pin(1);
	for (int i = 1; i < ROUNDS; i++) {
		uint64_t deadline = now_ms() + 10000;

		while (__atomic_load_n(&p->consumed, __ATOMIC_SEQ_CST) < i && now_ms() < deadline)
			sched_yield();
		if (now_ms() >= deadline) {
			p->producer_stuck = 1;
			break;
		}
		mod(p->ep, p->u, EPOLLOUT | EPOLLONESHOT, (uint64_t)i);
	}
	p->stop = 1;
	return NULL;
}

static void *churner(void *arg)
{
	struct pingpong *p = arg;

	pin(1);
	while (!p->stop) {
		int s = udp_socket();

		add(p->ep, s, EPOLLOUT | EPOLLET, CHURN_DATA);
		close(s);
		sched_yield();	/* the producer shares this CPU: no waiting for a time slice */
	}
	return NULL;
}

static void test_smp_pingpong(void)
{
	struct pingpong p = { .ep = epoll_create1(0), .u = udp_socket() };
	pthread_t t[3];

	add(p.ep, p.u, EPOLLOUT | EPOLLONESHOT, 0);
	pthread_create(&t[0], NULL, consumer, &p);
	pthread_create(&t[1], NULL, producer, &p);
	pthread_create(&t[2], NULL, churner, &p);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	ok(p.consumed == ROUNDS && p.extra == 0 && !p.producer_stuck,
	   "%d one-shot re-arms on CPU 1 woke the waiter on CPU 0 once each (%d seen, %d extra, %d "
	   "timeouts) while %d added-and-closed sockets raced them",
	   ROUNDS, p.consumed, p.extra, p.timeouts, p.churned);
	close(p.u);
	close(p.ep);
}

/* ---- with the host's traffic ---- */

static int bound(int type, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, type | SOCK_NONBLOCK, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	return fd;
}

struct net_state {
	int ep, u, l, c;
	int got_udp, got_listen, got_data, got_rdhup;
};

static void on_event(struct net_state *s, const struct epoll_event *ev)
{
	char buf[256];

	if (ev->data.u64 == 1 && (ev->events & EPOLLIN)) {
		s->got_udp += recv(s->u, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "ping", 4);
	} else if (ev->data.u64 == 2 && (ev->events & EPOLLIN) && s->c < 0) {
		s->c = accept4(s->l, NULL, NULL, SOCK_NONBLOCK);
		s->got_listen = s->c >= 0;
		if (s->c >= 0)
			add(s->ep, s->c, EPOLLIN | EPOLLRDHUP | EPOLLET, 3);
	} else if (ev->data.u64 == 3) {
		ssize_t n;

		while ((n = read(s->c, buf, sizeof(buf))) > 0)
			s->got_data += (int)n;
		if (ev->events & EPOLLRDHUP)
			s->got_rdhup = 1;
	}
}

static int test_with_host(void)
{
	struct net_state s = { .c = -1 };
	struct epoll_event evs[8];
	uint64_t deadline;
	char line[64];
	int n;

	s.ep = epoll_create1(0);
	s.u = bound(SOCK_DGRAM, PORT);
	s.l = bound(SOCK_STREAM, PORT);
	ok(s.u >= 0 && s.l >= 0 && listen(s.l, 8) == 0, "UDP socket and TCP listener on port %d", PORT);
	ok(add(s.ep, s.u, EPOLLIN, 1) == 0 && add(s.ep, s.l, EPOLLIN, 2) == 0, "both added for EPOLLIN");
	ok(epoll_wait(s.ep, evs, 8, 0) == 0, "nothing ready before the host sends");
	printf("READY epoll test on port %d\n", PORT);
	fflush(stdout);
	deadline = now_ms() + 30000;
	while (!(s.got_udp && s.got_listen && s.got_rdhup) && now_ms() < deadline) {
		n = epoll_wait(s.ep, evs, 8, 1000);
		for (int i = 0; i < n; i++)
			on_event(&s, &evs[i]);
	}
	ok(s.got_udp, "a datagram woke epoll_wait with EPOLLIN on the UDP socket");
	ok(s.got_listen, "a connection woke epoll_wait with EPOLLIN on the listener; accept4 took it");
	ok(s.got_data == 5, "EPOLLIN on the connection: read its 5 bytes (%d)", s.got_data);
	ok(s.got_rdhup, "EPOLLRDHUP once the host shut down its side");
	ok(s.c >= 0 && mod(s.ep, s.c, EPOLLOUT, 4) == 0 && epoll_wait(s.ep, evs, 8, 1000) == 1 &&
		   evs[0].data.u64 == 4 && (evs[0].events & EPOLLOUT),
	   "EPOLLOUT on the connection");
	n = tap_done();
	snprintf(line, sizeof(line), "%d passed, %d failed\n", tap_passed, tap_failed);
	if (s.c >= 0) {
		write(s.c, line, strlen(line));
		shutdown(s.c, SHUT_WR);
	}
	sleep(3);	/* the host reads the line and ends the run */
	return n;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "net"))
		return test_with_host();
	test_abi();
	test_create();
	test_ctl_errors();
	test_wait_errors();
	test_timeouts();
	test_epollout_level_edge_oneshot();
	test_two_threads_one_set();
	test_smp_pingpong();
	return tap_done();
}
