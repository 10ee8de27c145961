/* Wait-queue wakeup rules (__wake_up_common), with recording wake functions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <kernel/wait.h>

static int woken[16], nwoken;
static int busy[16];	/* a waiter that is already running: its wake returns 0 */

static int rec(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	int id = (int)(intptr_t)e->private;

	(void)mode;
	(void)flags;
	(void)key;
	if (busy[id])
		return 0;
	woken[nwoken++] = id;
	return 1;
}

/* The hosted build has no scheduler: autoremove's inner wake is this. */
int default_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	return rec(e, mode, flags, key);
}

static struct wait_queue_head wq;
static struct wait_queue_entry ent[16];

static void add(int id, int exclusive)
{
	init_waitqueue_func_entry(&ent[id], rec);
	ent[id].private = (void *)(intptr_t)id;
	if (exclusive)
		add_wait_queue_exclusive(&wq, &ent[id]);
	else
		add_wait_queue(&wq, &ent[id]);
}

static int setup(void **state)
{
	(void)state;
	init_waitqueue_head(&wq);
	nwoken = 0;
	for (int i = 0; i < 16; i++)
		busy[i] = 0;
	return 0;
}

static void test_exclusive_wakes_exactly_one(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++)
		add(i, 1);
	wake_up(&wq);
	assert_int_equal(nwoken, 1);
	assert_int_equal(woken[0], 0);	/* FIFO among exclusive waiters */
}

static void test_non_exclusive_all_woken_plus_one_exclusive(void **state)
{
	(void)state;
	add(0, 1);
	add(1, 0);
	add(2, 1);
	add(3, 0);	/* non-exclusive go to the front */
	wake_up(&wq);
	assert_int_equal(nwoken, 3);
	assert_int_equal(woken[0], 3);
	assert_int_equal(woken[1], 1);
	assert_int_equal(woken[2], 0);
}

static void test_running_exclusive_does_not_count(void **state)
{
	(void)state;
	add(0, 1);
	add(1, 1);
	busy[0] = 1;	/* already awake: the wakeup passes to the next one */
	wake_up(&wq);
	assert_int_equal(nwoken, 1);
	assert_int_equal(woken[0], 1);
}

static void test_wake_all_and_remove(void **state)
{
	(void)state;
	for (int i = 0; i < 5; i++)
		add(i, 1);
	remove_wait_queue(&wq, &ent[2]);
	wake_up_all(&wq);
	assert_int_equal(nwoken, 4);
	remove_wait_queue(&wq, &ent[2]);	/* already off: harmless */
	assert_true(list_empty(&ent[2].entry));
}

static void test_autoremove(void **state)
{
	(void)state;
	add(0, 1);
	ent[0].func = autoremove_wake_function;
	wake_up(&wq);
	assert_true(list_empty(&wq.head));
	wake_up(&wq);
	assert_int_equal(nwoken, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_exclusive_wakes_exactly_one, setup),
		cmocka_unit_test_setup(test_non_exclusive_all_woken_plus_one_exclusive, setup),
		cmocka_unit_test_setup(test_running_exclusive_does_not_count, setup),
		cmocka_unit_test_setup(test_wake_all_and_remove, setup),
		cmocka_unit_test_setup(test_autoremove, setup),
	};

	return cmocka_run_group_tests_name("wait", tests, NULL, NULL);
}
