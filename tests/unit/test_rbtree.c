/*
 * kernel/rbtree.c: after every insert and erase the tree must still be a
 * red-black tree (ordered, parent links right, black root, no red node
 * with a red child, one black height on every path) holding exactly the
 * keys put in and not yet taken out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <kernel/rbtree.h>

#define N 512

struct item {
	struct rb_node rb;
	int key;
	int in;
};

static struct item items[N];
static struct rb_root root;

static void insert(struct item *it)
{
	struct rb_node **link = &root.rb_node, *parent = NULL;

	while (*link) {
		struct item *cur = rb_entry(*link, struct item, rb);

		parent = *link;
		link = it->key < cur->key ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&it->rb, parent, link);
	rb_insert_color(&it->rb, &root);
	it->in = 1;
}

/* Black height of the subtree at @n, checking every rule on the way; -1 if broken. */
static int check(const struct rb_node *n, const struct rb_node *parent)
{
	int l, r;

	if (!n)
		return 1;
	if (n->rb_parent != parent)
		return -1;
	if (n->rb_color == RB_RED && ((n->rb_left && n->rb_left->rb_color == RB_RED) ||
				      (n->rb_right && n->rb_right->rb_color == RB_RED)))
		return -1;
	l = check(n->rb_left, n);
	r = check(n->rb_right, n);
	if (l < 0 || r < 0 || l != r)
		return -1;
	return l + (n->rb_color == RB_BLACK);
}

/* The in-order walk sees the keys still in, sorted, and nothing else. */
static void assert_valid(void)
{
	int count = 0, last = -1, want = 0;

	if (root.rb_node)
		assert_int_equal(root.rb_node->rb_color, RB_BLACK);
	assert_true(check(root.rb_node, NULL) > 0);
	for (struct rb_node *n = rb_first(&root); n; n = rb_next(n)) {
		struct item *it = rb_entry(n, struct item, rb);

		assert_true(it->key >= last);
		assert_true(it->in);
		last = it->key;
		count++;
	}
	for (int i = 0; i < N; i++)
		want += items[i].in;
	assert_int_equal(count, want);
}

static int setup(void **state)
{
	(void)state;
	root = RB_ROOT;
	for (int i = 0; i < N; i++)
		items[i] = (struct item){ .key = i };
	return 0;
}

static void test_empty_tree(void **state)
{
	(void)state;
	assert_null(rb_first(&root));
	assert_valid();
}

static void test_ascending_then_erase_all(void **state)
{
	(void)state;
	for (int i = 0; i < N; i++) {
		insert(&items[i]);
		if (i % 37 == 0)
			assert_valid();
	}
	assert_valid();
	assert_ptr_equal(rb_first(&root), &items[0].rb);
	for (int i = 0; i < N; i++) {
		rb_erase(&items[i].rb, &root);
		items[i].in = 0;
		if (i % 41 == 0)
			assert_valid();
	}
	assert_null(root.rb_node);
}

static void test_random_inserts_and_erases(void **state)
{
	unsigned int seed = 12345;

	(void)state;
	for (int i = 0; i < N; i++)
		items[i].key = (int)(rand_r(&seed) % 1000);	/* duplicates allowed */
	for (int round = 0; round < 4000; round++) {
		struct item *it = &items[rand_r(&seed) % N];

		if (it->in) {
			rb_erase(&it->rb, &root);
			it->in = 0;
		} else {
			insert(it);
		}
		if (round % 97 == 0)
			assert_valid();
	}
	assert_valid();
}

static void test_erase_root_and_inner_nodes(void **state)
{
	(void)state;
	for (int i = 0; i < 64; i++)
		insert(&items[i]);
	while (root.rb_node) {
		struct item *it = rb_entry(root.rb_node, struct item, rb);

		rb_erase(root.rb_node, &root);
		it->in = 0;
		assert_valid();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty_tree, setup),
		cmocka_unit_test_setup(test_ascending_then_erase_all, setup),
		cmocka_unit_test_setup(test_random_inserts_and_erases, setup),
		cmocka_unit_test_setup(test_erase_root_and_inner_nodes, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
