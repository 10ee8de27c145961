/*
 * SO_REUSEPORT groups (net/core/sock_reuseport.c) through the real hosted
 * stack: bind and listen rules (Linux's inet_csk_bind_conflict and
 * inet_reuseport_add_sock), leaving a group, and choosing a member by
 * flow hash or by receiving CPU. Sockets are real (sk_alloc), so ASan
 * catches a lookup that touches a freed listener or group, and the
 * harness's teardown checks that every sock is gone.
 */
#include "tcp_harness.h"
#include <net/core/sock_reuseport.h>
#include <kernel/errno.h>
#include <kernel/percpu.h>
#include <kernel/random.h>
#include <cmocka.h>

#define PORT 8080

/* A socket with SO_REUSEPORT @rp, owner @uid, bound to @addr:PORT; NULL if bind() refused. */
static struct sock *bound(uint32_t addr, int rp, uint32_t uid, int *err)
{
	struct sock *sk = harness_socket();

	sk->sk_reuseport = (uint8_t)rp;
	sk->sk_uid = uid;
	sk->sk_rcv_saddr = addr;
	inet_sk(sk)->inet_saddr = addr;
	lock_sock(sk);
	*err = sk->sk_prot->get_port(sk, PORT);
	release_sock(sk);
	if (*err) {
		harness_close(sk);
		return NULL;
	}
	return sk;
}

static int do_listen(struct sock *sk)
{
	int err;

	lock_sock(sk);
	err = inet_csk_listen_start(sk, 16);
	release_sock(sk);
	return err;
}

/* bind() and listen() must both succeed. */
static struct sock *listener(uint32_t addr, uint32_t uid)
{
	int err;
	struct sock *sk = bound(addr, 1, uid, &err);

	assert_non_null(sk);
	assert_int_equal(do_listen(sk), 0);
	return sk;
}

/* The listener a SYN from REMOTE_IP:@sport to LOCAL_IP:PORT would find, received on @cpu. */
static struct sock *lookup(uint16_t sport, int cpu)
{
	struct sock *sk = __inet_lookup_listener(&tcp_hashinfo, REMOTE_IP, htons(sport), LOCAL_IP,
						 PORT, cpu);

	if (sk)
		sock_put(sk);	/* the test's own references keep it alive */
	return sk;
}

static int setup(void **state)
{
	sysctl_reuseport_select = REUSEPORT_SELECT_HASH;
	percpu_area[0].cpu = 0;
	return tcp_harness_setup(state);
}

static int teardown(void **state)
{
	sysctl_reuseport_select = REUSEPORT_SELECT_HASH;
	percpu_area[0].cpu = 0;
	return tcp_harness_teardown(state);
}

/* ---- joining ---- */

static void test_join_same_owner(void **state)
{
	struct sock *a = listener(0, 0), *b = listener(0, 0);

	(void)state;
	assert_non_null(a->sk_reuseport_cb);
	assert_ptr_equal(a->sk_reuseport_cb, b->sk_reuseport_cb);
	assert_int_equal(a->sk_reuseport_cb->num_socks, 2);
	harness_close(a);
	harness_close(b);
}

static void test_join_other_owner_refused(void **state)
{
	struct sock *a = listener(0, 0);
	int err;

	(void)state;
	assert_null(bound(0, 1, 1000, &err));
	assert_int_equal(err, -EADDRINUSE);
	/* Same address given explicitly overlaps the wildcard: refused too. */
	assert_null(bound(LOCAL_IP, 1, 1000, &err));
	assert_int_equal(err, -EADDRINUSE);
	/* Bound but not yet listening: the owner rule holds already at bind(). */
	harness_close(a);
	a = bound(0, 1, 0, &err);
	assert_non_null(a);
	assert_null(bound(0, 1, 7, &err));
	assert_int_equal(err, -EADDRINUSE);
	assert_int_equal(a->sk_reuseport_cb == NULL, 1);	/* not listening: in no group */
	harness_close(a);
}

static void test_join_without_option_refused(void **state)
{
	struct sock *a = listener(0, 0), *c;
	int err;

	(void)state;
	assert_null(bound(0, 0, 0, &err));
	assert_int_equal(err, -EADDRINUSE);
	harness_close(a);
	/* The other way round: the first has no SO_REUSEPORT. */
	a = bound(0, 0, 0, &err);
	assert_non_null(a);
	assert_int_equal(do_listen(a), 0);
	assert_null(a->sk_reuseport_cb);
	assert_null(bound(0, 1, 0, &err));
	assert_int_equal(err, -EADDRINUSE);
	harness_close(a);
	/* After the refusals the port is free again for a group. */
	a = listener(0, 0);
	c = listener(0, 0);
	assert_ptr_equal(a->sk_reuseport_cb, c->sk_reuseport_cb);
	harness_close(a);
	harness_close(c);
}

static void test_other_address_other_group(void **state)
{
	struct sock *any = listener(0, 0), *exact = listener(LOCAL_IP, 0);
	struct sock *exact2 = listener(LOCAL_IP, 0);

	(void)state;
	assert_ptr_not_equal(any->sk_reuseport_cb, exact->sk_reuseport_cb);
	assert_ptr_equal(exact->sk_reuseport_cb, exact2->sk_reuseport_cb);
	assert_int_equal(any->sk_reuseport_cb->num_socks, 1);
	/* A segment to LOCAL_IP finds the exact group only. */
	for (uint16_t p = 1000; p < 1100; p++) {
		struct sock *sk = lookup(p, 0);

		assert_true(sk == exact || sk == exact2);
	}
	harness_close(exact);
	harness_close(exact2);
	for (uint16_t p = 1000; p < 1010; p++)
		assert_ptr_equal(lookup(p, 0), any);
	harness_close(any);
}

static void test_other_device_other_group(void **state)
{
	struct sock *a, *b;
	int err;

	(void)state;
	a = bound(0, 1, 0, &err);
	a->sk_bound_dev_if = 1;
	b = bound(0, 1, 0, &err);
	b->sk_bound_dev_if = 2;
	assert_int_equal(do_listen(a), 0);
	assert_int_equal(do_listen(b), 0);
	assert_ptr_not_equal(a->sk_reuseport_cb, b->sk_reuseport_cb);
	harness_close(a);
	harness_close(b);
}

/* A group outgrows its first allocation; every member still points at it. */
static void test_group_grows(void **state)
{
	struct sock *l[10];
	int seen[10] = { 0 };

	(void)state;
	for (int i = 0; i < 10; i++)
		l[i] = listener(0, 0);
	assert_int_equal(l[0]->sk_reuseport_cb->num_socks, 10);
	for (int i = 1; i < 10; i++)
		assert_ptr_equal(l[i]->sk_reuseport_cb, l[0]->sk_reuseport_cb);
	for (uint16_t p = 0; p < 2000; p++) {
		struct sock *sk = lookup((uint16_t)(20000 + p), 0);

		for (int i = 0; i < 10; i++)
			seen[i] += sk == l[i];
	}
	for (int i = 0; i < 10; i++) {
		assert_true(seen[i] > 0);
		harness_close(l[i]);
	}
}

/* ---- leaving ---- */

static void test_leave_never_returned(void **state)
{
	struct sock *l[4];

	(void)state;
	for (int i = 0; i < 4; i++)
		l[i] = listener(0, 0);
	sock_hold(l[1]);	/* to look at it after close */
	harness_close(l[1]);
	assert_null(l[1]->sk_reuseport_cb);
	assert_int_equal(l[0]->sk_reuseport_cb->num_socks, 3);
	for (uint16_t p = 0; p < 1000; p++) {
		struct sock *sk = lookup((uint16_t)(30000 + p), 0);

		assert_non_null(sk);
		assert_ptr_not_equal(sk, l[1]);
	}
	sock_put(l[1]);		/* freed now: ASan reports any later touch */
	for (uint16_t p = 0; p < 1000; p++)
		assert_ptr_not_equal(lookup((uint16_t)(30000 + p), 0), l[1]);
	harness_close(l[0]);
	harness_close(l[2]);
	harness_close(l[3]);
	/* Group gone with its last member (a leak would fail LeakSanitizer); nobody listens. */
	assert_null(lookup(30000, 0));
}

/* A lookup's reference outlives the listener's close: the sock stays valid until it is put. */
static void test_lookup_reference_outlives_close(void **state)
{
	struct sock *a = listener(0, 0), *b = listener(0, 0);
	struct sock *got = __inet_lookup_listener(&tcp_hashinfo, REMOTE_IP, htons(4242), LOCAL_IP,
						  PORT, 0);
	struct sock *other;

	(void)state;
	assert_true(got == a || got == b);
	other = got == a ? b : a;
	harness_close(got);
	assert_int_equal(got->sk_state, TCP_CLOSE);	/* still readable: we hold a reference */
	assert_null(got->sk_reuseport_cb);
	assert_ptr_equal(lookup(4242, 0), other);
	sock_put(got);
	harness_close(other);
}

/* ---- selection ---- */

static void test_select_by_hash(void **state)
{
	struct sock *l[4];
	unsigned int hits[4] = { 0 };
	struct sock_reuseport *reuse;

	(void)state;
	for (int i = 0; i < 4; i++)
		l[i] = listener(0, 0);
	reuse = l[0]->sk_reuseport_cb;
	/* One 4-tuple, one member, every time; and it is Linux's reciprocal_scale slot. */
	for (int n = 0; n < 100; n++) {
		uint32_t h = inet_ehashfn(&tcp_hashinfo, LOCAL_IP, PORT, REMOTE_IP, htons(5555));

		assert_ptr_equal(lookup(5555, n % 4), reuse->socks[((uint64_t)h * 4) >> 32]);
	}
	prandom_seed(2026);
	for (int n = 0; n < 10000; n++) {
		uint32_t saddr = prandom_u32();
		uint16_t sport = (uint16_t)prandom_u32();
		struct sock *sk = __inet_lookup_listener(&tcp_hashinfo, saddr, sport, LOCAL_IP, PORT, 0);

		for (int i = 0; i < 4; i++)
			hits[i] += sk == l[i];
		sock_put(sk);
	}
	for (int i = 0; i < 4; i++) {
		assert_true(hits[i] >= 10000 / 8);
		harness_close(l[i]);
	}
}

/* reuseport=cpu: each member listened on its own (faked) CPU. */
static void test_select_by_cpu(void **state)
{
	struct sock *l[4];
	int cpu = 5, len = sizeof(cpu);

	(void)state;
	sysctl_reuseport_select = REUSEPORT_SELECT_CPU;
	for (int i = 0; i < 4; i++) {
		percpu_area[0].cpu = (unsigned int)i;	/* smp_processor_id() in listen() */
		l[i] = listener(0, 0);
		assert_int_equal(l[i]->sk_listen_cpu, i);
	}
	percpu_area[0].cpu = 0;
	for (uint16_t p = 0; p < 200; p++)
		for (int c = 0; c < 4; c++)
			assert_ptr_equal(lookup((uint16_t)(40000 + p), c), l[c]);
	/* No member on CPU 7: the flow hash decides, as in reuseport=hash. */
	for (uint16_t p = 0; p < 200; p++) {
		struct sock *by_cpu = lookup((uint16_t)(40000 + p), 7);

		sysctl_reuseport_select = REUSEPORT_SELECT_HASH;
		assert_ptr_equal(by_cpu, lookup((uint16_t)(40000 + p), 7));
		sysctl_reuseport_select = REUSEPORT_SELECT_CPU;
	}
	/* SO_INCOMING_CPU overrides the listen() CPU, and reads back. */
	assert_int_equal(sock_setsockopt(l[0], SO_INCOMING_CPU, &cpu, sizeof(cpu)), 0);
	cpu = -2;
	assert_int_equal(sock_getsockopt(l[0], SO_INCOMING_CPU, &cpu, &len), 0);
	assert_int_equal(cpu, 5);
	for (uint16_t p = 0; p < 50; p++) {
		assert_ptr_equal(lookup((uint16_t)(40000 + p), 5), l[0]);
		assert_ptr_equal(lookup((uint16_t)(40000 + p), 3), l[3]);
	}
	for (int i = 0; i < 4; i++)
		harness_close(l[i]);
}

/* The whole receive path: SYNs from many ports end up on both members' queues. */
static void test_syns_spread_over_group(void **state)
{
	struct sock *a = listener(0, 0), *b = listener(0, 0);
	struct seg out;
	int synacks = 0;

	(void)state;
	for (int p = 0; p < 16; p++) {
		struct seg s = { SEG_TEMPL, .dport = PORT, .sport = (uint16_t)(REMOTE_PORT + p),
				 .flags = TCPHDR_SYN, .seq = REMOTE_ISN };

		inject(&s);
	}
	while (next_seg(&out))
		synacks += out.flags == (TCPHDR_SYN | TCPHDR_ACK);
	assert_int_equal(synacks, 16);
	assert_int_equal(inet_csk(a)->icsk_accept_queue.qlen + inet_csk(b)->icsk_accept_queue.qlen, 16);
	assert_true(inet_csk(a)->icsk_accept_queue.qlen > 0);
	assert_true(inet_csk(b)->icsk_accept_queue.qlen > 0);
	harness_close(a);
	harness_close(b);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_join_same_owner),
		T(test_join_other_owner_refused),
		T(test_join_without_option_refused),
		T(test_other_address_other_group),
		T(test_other_device_other_group),
		T(test_group_grows),
		T(test_leave_never_returned),
		T(test_lookup_reference_outlives_close),
		T(test_select_by_hash),
		T(test_select_by_cpu),
		T(test_syns_spread_over_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
