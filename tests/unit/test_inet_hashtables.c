/* Established/listening/bind hashes and port selection, with hand-made sockets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <kernel/errno.h>
#include <kernel/random.h>
#include <net/ipv4/inet_hashtables.h>
#include <net/ipv4/inet_sock.h>
#include <net/ipv4/tcp_states.h>

#define IP(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define NS(p) ((uint16_t)((p) << 8 | (p) >> 8))
#define NSOCK 64

static struct inet_hashinfo h;
static struct inet_sock socks[NSOCK];

/* The hosted build has no sock.c: the hash's references are plain counts here. */
void sock_put(struct sock *sk)
{
	__atomic_sub_fetch(&sk->sk_refcnt, 1, __ATOMIC_RELAXED);
}

static struct sock *mk(int i, uint32_t laddr, int reuse, int reuseport)
{
	struct inet_sock *s = &socks[i];

	memset(s, 0, sizeof(*s));
	s->sk.sk_refcnt = 1;
	s->sk.sk_state = TCP_CLOSE;
	s->sk.sk_reuse = (uint8_t)reuse;
	s->sk.sk_reuseport = (uint8_t)reuseport;
	s->sk.sk_incoming_cpu = -1;
	s->inet_rcv_saddr = s->inet_saddr = laddr;
	INIT_LIST_HEAD(&s->sk.sk_node);
	INIT_LIST_HEAD(&s->sk.sk_bind_node);
	return &s->sk;
}

static int setup(void **state)
{
	(void)state;
	prandom_seed(42);
	return inet_hashinfo_init(&h, 64, 16, 8, 0, 0x1234567);
}

static int setup_global(void **state)
{
	(void)state;
	prandom_seed(7);
	return inet_hashinfo_init(&h, 64, 16, 8, 1, 0x7654321);
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NSOCK; i++)
		if (socks[i].inet_num)
			inet_put_port(&h, &socks[i].sk);
	assert_int_equal(inet_bind_bucket_count(&h), 0);	/* no bucket leaks */
	inet_hashinfo_free(&h);
	return 0;
}

static void test_bind_conflicts(void **state)
{
	(void)state;
	assert_int_equal(inet_csk_get_port(&h, mk(0, 0, 0, 0), 8080), 0);
	assert_int_equal(socks[0].inet_num, 8080);
	assert_int_equal(socks[0].inet_sport, NS(8080));
	assert_int_equal(inet_csk_get_port(&h, mk(1, 0, 0, 0), 8080), -EADDRINUSE);
	assert_int_equal(inet_csk_get_port(&h, mk(2, IP(10, 0, 0, 1), 0, 0), 8080), -EADDRINUSE);
	/* two specific, different addresses share a port */
	assert_int_equal(inet_csk_get_port(&h, mk(3, IP(10, 0, 0, 1), 0, 0), 9090), 0);
	assert_int_equal(inet_csk_get_port(&h, mk(4, IP(10, 0, 0, 2), 0, 0), 9090), 0);
	assert_int_equal(inet_csk_get_port(&h, mk(5, IP(10, 0, 0, 2), 0, 0), 9090), -EADDRINUSE);
	assert_int_equal(inet_bind_bucket_count(&h), 2);
}

static void test_reuseaddr_and_listen(void **state)
{
	(void)state;
	assert_int_equal(inet_csk_get_port(&h, mk(0, 0, 1, 0), 7000), 0);
	assert_int_equal(inet_csk_get_port(&h, mk(1, 0, 1, 0), 7000), 0);	/* both SO_REUSEADDR */
	assert_int_equal(inet_csk_get_port(&h, mk(2, 0, 0, 0), 7000), -EADDRINUSE);	/* not this one */
	socks[0].sk.sk_state = TCP_LISTEN;	/* a listener among them: REUSEADDR no longer shares */
	assert_int_equal(inet_csk_listen_get_port(&h, &socks[0].sk), 0);
	assert_int_equal(inet_csk_get_port(&h, mk(3, 0, 1, 0), 7000), -EADDRINUSE);
	socks[1].sk.sk_state = TCP_LISTEN;	/* a second listener on the port: refused */
	assert_int_equal(inet_csk_listen_get_port(&h, &socks[1].sk), -EADDRINUSE);
	assert_int_equal(inet_csk_listen_get_port(&h, mk(4, 0, 1, 0)), -EINVAL);	/* unbound */
}

static void test_reuseport_group(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++) {
		mk(i, 0, 0, 1)->sk_state = TCP_LISTEN;
		assert_int_equal(inet_csk_get_port(&h, &socks[i].sk, 8080), 0);
	}
	assert_int_equal(inet_csk_get_port(&h, mk(4, 0, 0, 0), 8080), -EADDRINUSE);	/* no option */
}

static void test_ephemeral_exhaustion_and_fallback(void **state)
{
	(void)state;
	h.port_low = 40000;
	h.port_high = 40009;
	for (int i = 0; i < 10; i++) {
		assert_int_equal(inet_csk_get_port(&h, mk(i, 0, 0, 0), 0), 0);
		assert_true(socks[i].inet_num >= 40000 && socks[i].inet_num <= 40009);
	}
	assert_int_equal(inet_csk_get_port(&h, mk(10, 0, 0, 0), 0), -EADDRINUSE);
	assert_int_equal(inet_csk_get_port(&h, mk(11, 0, 1, 0), 0), -EADDRINUSE);	/* owners don't allow it */
	for (int i = 0; i < 10; i++)
		inet_put_port(&h, &socks[i].sk);
	assert_int_equal(inet_bind_bucket_count(&h), 0);
	/*
	 * All SO_REUSEADDR: a full range still binds (the fewest-owners
	 * fallback). With the range exactly full the scan sees every port and
	 * takes a least-shared one; once more sockets are bound than there are
	 * ports, it stops at the first shareable port (2.6.30's shortcut).
	 */
	for (int i = 0; i < 10; i++)
		assert_int_equal(inet_csk_get_port(&h, mk(i, 0, 1, 0), 0), 0);
	assert_int_equal(inet_bind_bucket_count(&h), 10);	/* a free port is always taken first */
	assert_int_equal(inet_csk_get_port(&h, mk(10, 0, 1, 0), 0), 0);	/* full, not crowded */
	for (int i = 11; i < 30; i++) {
		assert_int_equal(inet_csk_get_port(&h, mk(i, 0, 1, 0), 0), 0);
		assert_true(socks[i].inet_num >= 40000 && socks[i].inet_num <= 40009);
	}
	assert_int_equal(inet_bind_bucket_count(&h), 10);
}

static void test_established_lookup(void **state)
{
	struct sock *a = mk(0, IP(10, 77, 0, 2), 0, 0), *found;

	(void)state;
	socks[0].inet_num = 8080;
	socks[0].inet_daddr = IP(10, 77, 0, 1);
	socks[0].inet_dport = NS(40001);
	a->sk_state = TCP_ESTABLISHED;
	assert_int_equal(inet_hash(&h, a), 0);
	assert_int_equal(a->sk_refcnt, 2);	/* the hash holds one */
	found = __inet_lookup_established(&h, IP(10, 77, 0, 1), NS(40001), IP(10, 77, 0, 2), 8080);
	assert_ptr_equal(found, a);
	sock_put(found);
	assert_null(__inet_lookup_established(&h, IP(10, 77, 0, 1), NS(40002), IP(10, 77, 0, 2), 8080));
	assert_null(__inet_lookup_established(&h, IP(10, 77, 0, 9), NS(40001), IP(10, 77, 0, 2), 8080));
	/* the same 4-tuple again is refused */
	mk(1, IP(10, 77, 0, 2), 0, 0)->sk_state = TCP_ESTABLISHED;
	socks[1].inet_num = 8080;
	socks[1].inet_daddr = IP(10, 77, 0, 1);
	socks[1].inet_dport = NS(40001);
	assert_int_equal(inet_ehash_insert(&h, &socks[1].sk), -EADDRINUSE);
	inet_unhash(&h, a);
	assert_int_equal(a->sk_refcnt, 1);
	inet_unhash(&h, a);	/* twice: harmless */
	assert_null(__inet_lookup_established(&h, IP(10, 77, 0, 1), NS(40001), IP(10, 77, 0, 2), 8080));
	socks[0].inet_num = socks[1].inet_num = 0;
}

static void test_listener_scoring(void **state)
{
	struct sock *wild = mk(0, 0, 0, 1), *exact = mk(1, IP(10, 77, 0, 2), 0, 1), *got;

	(void)state;
	wild->sk_state = exact->sk_state = TCP_LISTEN;
	socks[0].inet_num = socks[1].inet_num = 8080;
	inet_hash(&h, wild);
	got = __inet_lookup_listener(&h, IP(10, 77, 0, 1), NS(5555), IP(10, 77, 0, 3), 8080, 0);
	assert_ptr_equal(got, wild);	/* another local address: only the wildcard fits */
	sock_put(got);
	inet_hash(&h, exact);
	got = __inet_lookup_listener(&h, IP(10, 77, 0, 1), NS(5555), IP(10, 77, 0, 2), 8080, 0);
	assert_ptr_equal(got, exact);	/* the exact address wins */
	sock_put(got);
	assert_null(__inet_lookup_listener(&h, IP(10, 77, 0, 1), NS(5555), IP(10, 77, 0, 2), 8081, 0));
	/* two wildcards: the one whose SO_INCOMING_CPU is the receiving CPU wins */
	struct sock *w2 = mk(2, 0, 0, 1);

	w2->sk_state = TCP_LISTEN;
	socks[2].inet_num = 8080;
	w2->sk_incoming_cpu = 3;
	inet_hash(&h, w2);
	got = __inet_lookup_listener(&h, IP(10, 77, 0, 1), NS(5555), IP(10, 77, 0, 9), 8080, 3);
	assert_ptr_equal(got, w2);
	sock_put(got);
	inet_unhash(&h, wild);
	inet_unhash(&h, exact);
	inet_unhash(&h, w2);
	assert_int_equal(wild->sk_refcnt + exact->sk_refcnt + w2->sk_refcnt, 3);
	socks[0].inet_num = socks[1].inet_num = socks[2].inet_num = 0;
}

static void test_hash_connect_unique_tuples(void **state)
{
	(void)state;
	h.port_low = 50000;
	h.port_high = 50000;	/* one port: sharing is all there is */
	/* a port that bind() holds is never used by connect() */
	assert_int_equal(inet_csk_get_port(&h, mk(0, 0, 0, 0), 50000), 0);
	mk(1, IP(10, 77, 0, 2), 0, 0);
	socks[1].inet_daddr = IP(10, 77, 0, 1);
	socks[1].inet_dport = NS(80);
	assert_int_equal(inet_hash_connect(&h, &socks[1].sk), -EADDRNOTAVAIL);
	inet_put_port(&h, &socks[0].sk);
	/* connect()-only: one local port, many peers, each 4-tuple once */
	for (int i = 1; i <= 3; i++) {
		mk(i, IP(10, 77, 0, 2), 0, 0)->sk_state = TCP_SYN_SENT;
		socks[i].inet_daddr = IP(10, 77, 0, 1);
		socks[i].inet_dport = NS(80 + i);
		assert_int_equal(inet_hash_connect(&h, &socks[i].sk), 0);
		assert_int_equal(socks[i].inet_num, 50000);
	}
	mk(4, IP(10, 77, 0, 2), 0, 0)->sk_state = TCP_SYN_SENT;
	socks[4].inet_daddr = IP(10, 77, 0, 1);
	socks[4].inet_dport = NS(81);	/* same 4-tuple as socket 1 */
	assert_int_equal(inet_hash_connect(&h, &socks[4].sk), -EADDRNOTAVAIL);
	/* and bind() cannot take a port connect() shares */
	assert_int_equal(inet_csk_get_port(&h, mk(5, 0, 0, 0), 50000), -EADDRINUSE);
	for (int i = 1; i <= 3; i++)
		inet_unhash(&h, &socks[i].sk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bind_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuseaddr_and_listen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuseport_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ephemeral_exhaustion_and_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_established_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_established_lookup, setup_global, teardown),
		cmocka_unit_test_setup_teardown(test_listener_scoring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash_connect_unique_tuples, setup, teardown),
	};

	return cmocka_run_group_tests_name("inet_hashtables", tests, NULL, NULL);
}
