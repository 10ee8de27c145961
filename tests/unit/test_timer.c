/* The cascading timer wheel, driven with made-up jiffies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <kernel/timer.h>

static struct timer_base base;
static uint64_t fired_at[64];
static int fired[64], order[64], nfired;
static uint64_t now;

struct timer_base *timer_this_base(void) { return &base; }

struct tt {
	struct timer_list t;
	int id;
};
static struct tt timers[64];

static void fn(struct timer_list *t)
{
	struct tt *x = (struct tt *)t;

	fired[x->id]++;
	fired_at[x->id] = now;
	order[nfired++] = x->id;
}

static int setup(void **state)
{
	(void)state;
	now = 1000;
	timer_base_init(&base, now);
	nfired = 0;
	for (int i = 0; i < 64; i++) {
		timer_setup_on(&timers[i].t, fn, &base);
		timers[i].id = i;
		fired[i] = 0;
	}
	return 0;
}

static void advance_to(uint64_t to)
{
	while (now < to) {
		now++;
		__run_timers(&base, now);
	}
}

static void test_fires_at_expiry_not_before(void **state)
{
	static const uint64_t delays[] = { 1, 2, 255, 256, 257, 1000, 16383, 16384,
					   16385, 70000, 1 << 20, (1 << 26) + 5 };
	int n = sizeof(delays) / sizeof(delays[0]);

	(void)state;
	for (int i = 0; i < n; i++)
		mod_timer(&timers[i].t, now + delays[i]);
	advance_to(1000 + (1 << 26) + 10);
	for (int i = 0; i < n; i++) {
		assert_int_equal(fired[i], 1);
		assert_int_equal(fired_at[i], 1000 + delays[i]);	/* exactly on time */
	}
	assert_int_equal(base.nr_pending, 0);
}

static void test_order_and_same_jiffy(void **state)
{
	(void)state;
	mod_timer(&timers[0].t, now + 300);
	mod_timer(&timers[1].t, now + 10);
	mod_timer(&timers[2].t, now + 300);
	mod_timer(&timers[3].t, now + 5);
	advance_to(now + 400);
	assert_int_equal(nfired, 4);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 1);
	assert_true((order[2] == 0 && order[3] == 2) || (order[2] == 2 && order[3] == 0));
}

static void test_mod_and_del(void **state)
{
	(void)state;
	assert_int_equal(mod_timer(&timers[0].t, now + 50), 0);
	assert_int_equal(mod_timer(&timers[0].t, now + 500), 1);	/* re-arm: was pending */
	assert_true(timer_pending(&timers[0].t));
	mod_timer(&timers[1].t, now + 20);
	assert_int_equal(del_timer(&timers[1].t), 1);
	assert_int_equal(del_timer(&timers[1].t), 0);
	assert_int_equal(del_timer_sync(&timers[2].t), 0);	/* never armed */
	advance_to(now + 499);
	assert_int_equal(fired[0], 0);
	assert_int_equal(fired[1], 0);
	advance_to(now + 1);
	assert_int_equal(fired[0], 1);
	assert_false(timer_pending(&timers[0].t));
}

static void test_expired_when_armed(void **state)
{
	(void)state;
	mod_timer(&timers[0].t, now - 10);	/* in the past: next jiffy */
	advance_to(now + 1);
	assert_int_equal(fired[0], 1);
	assert_int_equal(fired_at[0], 1001);
}

static void rearm(struct timer_list *t)
{
	fn(t);
	if (fired[((struct tt *)t)->id] < 3)
		mod_timer(t, now + 7);
}

static void test_rearm_from_function(void **state)
{
	(void)state;
	timer_setup_on(&timers[5].t, rearm, &base);
	mod_timer(&timers[5].t, now + 7);
	advance_to(now + 100);
	assert_int_equal(fired[5], 3);
	assert_int_equal(fired_at[5], 1021);
}

static void test_msecs_round_up(void **state)
{
	(void)state;
	HZ = 250;
	assert_int_equal(msecs_to_jiffies(0), 0);
	assert_int_equal(msecs_to_jiffies(1), 1);	/* never early */
	assert_int_equal(msecs_to_jiffies(4), 1);
	assert_int_equal(msecs_to_jiffies(5), 2);
	assert_int_equal(msecs_to_jiffies(1000), 250);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fires_at_expiry_not_before, setup),
		cmocka_unit_test_setup(test_order_and_same_jiffy, setup),
		cmocka_unit_test_setup(test_mod_and_del, setup),
		cmocka_unit_test_setup(test_expired_when_armed, setup),
		cmocka_unit_test_setup(test_rearm_from_function, setup),
		cmocka_unit_test_setup(test_msecs_round_up, setup),
	};

	return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
