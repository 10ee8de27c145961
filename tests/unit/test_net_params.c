/*
 * The network stack's experiment switches, set by name as the kernel
 * command line would (kparam_set, tests/unit/host/shim.c):
 *  - reuseport=hash|cpu (net/core/sock_reuseport.c),
 *  - wakeup=all|exclusive (inet_connection_sock_accept.c): how many of a
 *    listener's blocked acceptors one new connection wakes,
 *  - ehash_lock=global|bucket (tcp_ipv4.c): which lock class the
 *    established-hash lookups count against.
 * The first test must run before tcp_init(): ehash_lock is read there.
 */
#include "tcp_harness.h"
#include <net/core/sock_reuseport.h>
#include <kernel/params.h>
#include <kernel/wait.h>
#include <cmocka.h>
#include <string.h>

static const char *const bad_values[] = { NULL, "", "Hash", "cpu ", "all1", "globalx", "1" };

/* Every bad value is refused with a reason, and the setting stays @get()'s @before. */
static void refuses_bad(const char *key, int (*get)(void))
{
	int before = get();

	for (unsigned int i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		const char *why = kparam_set(key, bad_values[i]);

		assert_non_null(why);
		assert_string_not_equal(why, "unknown");
		assert_int_equal(get(), before);
	}
}

static int ehash_is_global(void) { return tcp_hashinfo.global_lock != NULL; }
static int reuseport_mode(void) { return sysctl_reuseport_select; }
static int wake_all(void) { return sysctl_accept_wake_all; }

static uint64_t acquired(struct spinlock *l)
{
	struct lock_stat st;

	lockstat_read(l->cls, &st);
	return st.acquired;
}

/* ehash_lock=global before boot: one lock, its own class, and every lookup counts there. */
static void test_ehash_lock_global(void **state)
{
	uint64_t global0, bucket0;

	(void)state;
	assert_null(kparam_set("ehash_lock", "bucket"));
	assert_null(kparam_set("ehash_lock", "global"));
	net_shim_init();
	tcp_init();
	assert_non_null(tcp_hashinfo.global_lock);
	assert_string_equal(tcp_hashinfo.global_lock->cls->name, "ehash_global");
	global0 = acquired(tcp_hashinfo.global_lock);
	bucket0 = acquired(&tcp_hashinfo.ehash[0].lock);
	for (uint16_t p = 0; p < 100; p++)
		assert_null(__inet_lookup_established(&tcp_hashinfo, REMOTE_IP, htons(p), LOCAL_IP, 80));
	assert_int_equal(acquired(tcp_hashinfo.global_lock) - global0, 100);
	assert_int_equal(acquired(&tcp_hashinfo.ehash[0].lock) - bucket0, 0);
	refuses_bad("ehash_lock", ehash_is_global);
}

/* The default, per bucket: the lookups count against "ehash_bucket". */
static void test_ehash_lock_bucket(void **state)
{
	struct inet_hashinfo h;
	uint64_t before;

	(void)state;
	assert_int_equal(inet_hashinfo_init(&h, 64, 16, 8, 0, 1), 0);
	assert_null(h.global_lock);
	assert_string_equal(h.ehash[0].lock.cls->name, "ehash_bucket");
	before = acquired(&h.ehash[0].lock);
	for (uint16_t p = 0; p < 50; p++)
		assert_null(__inet_lookup_established(&h, REMOTE_IP, htons(p), LOCAL_IP, 80));
	assert_int_equal(acquired(&h.ehash[0].lock) - before, 50);
	inet_hashinfo_free(&h);
}

static void test_reuseport_switch(void **state)
{
	(void)state;
	assert_int_equal(sysctl_reuseport_select, REUSEPORT_SELECT_HASH);	/* the default */
	assert_null(kparam_set("reuseport", "cpu"));
	assert_int_equal(sysctl_reuseport_select, REUSEPORT_SELECT_CPU);
	refuses_bad("reuseport", reuseport_mode);
	assert_null(kparam_set("reuseport", "hash"));
	assert_int_equal(sysctl_reuseport_select, REUSEPORT_SELECT_HASH);
	refuses_bad("reuseport", reuseport_mode);
	assert_string_equal(kparam_set("reuseports", "hash"), "unknown");
}

static int woken;

static int count_wake(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	(void)e, (void)mode, (void)flags, (void)key;
	woken++;
	return 1;
}

/* Three acceptors asleep on one listener; one connection queued (sk_data_ready). */
static int acceptors_woken(void)
{
	struct sock *sk = sk_alloc(AF_INET, &tcp_prot);
	struct wait_queue_entry w[3];

	sock_init_data(NULL, sk);
	for (int i = 0; i < 3; i++) {
		init_waitqueue_func_entry(&w[i], count_wake);
		inet_csk_add_accept_waiter(sk, &w[i]);
	}
	woken = 0;
	sk->sk_data_ready(sk);
	for (int i = 0; i < 3; i++)
		remove_wait_queue(&sk->sk_wq, &w[i]);
	sock_put(sk);
	return woken;
}

static void test_wakeup_switch(void **state)
{
	(void)state;
	assert_int_equal(sysctl_accept_wake_all, 0);	/* the default: exclusive */
	assert_int_equal(acceptors_woken(), 1);
	assert_null(kparam_set("wakeup", "all"));
	assert_int_equal(sysctl_accept_wake_all, 1);
	assert_int_equal(acceptors_woken(), 3);		/* the herd */
	refuses_bad("wakeup", wake_all);
	assert_null(kparam_set("wakeup", "exclusive"));
	assert_int_equal(acceptors_woken(), 1);
	refuses_bad("wakeup", wake_all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ehash_lock_global),	/* first: before tcp_init */
		cmocka_unit_test(test_ehash_lock_bucket),
		cmocka_unit_test(test_reuseport_switch),
		cmocka_unit_test(test_wakeup_switch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
