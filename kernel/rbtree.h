/*
 * Red-black trees with Linux's interface (include/linux/rbtree.h): the
 * node is embedded in the caller's structure, the caller walks down to
 * find the link where a new node belongs (rb_link_node), and the tree
 * rebalances itself (rb_insert_color, rb_erase). Searching is the
 * caller's own loop, so there is no comparison callback.
 *
 * Written here because no packaged rbtree fits a freestanding kernel that
 * also builds hosted; kernel/ and net/ had none. The algorithm is the
 * textbook one (CLRS ch. 13) with parent pointers and a colour field.
 *
 * Locking: none inside; the owner's lock guards the whole tree.
 */
#ifndef SQUALL_RBTREE_H
#define SQUALL_RBTREE_H

#include <stddef.h>

#define RB_RED 0
#define RB_BLACK 1

struct rb_node {
	struct rb_node *rb_parent;
	struct rb_node *rb_left;
	struct rb_node *rb_right;
	int rb_color;
};

struct rb_root {
	struct rb_node *rb_node;
};

#define RB_ROOT ((struct rb_root){ NULL })
#define rb_entry(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* Put @node (fresh) at *@link, a NULL child pointer of @parent found by the caller's search. */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent, struct rb_node **link)
{
	node->rb_parent = parent;
	node->rb_left = node->rb_right = NULL;
	node->rb_color = RB_RED;
	*link = node;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root);	/* after rb_link_node */
void rb_erase(struct rb_node *node, struct rb_root *root);
struct rb_node *rb_first(const struct rb_root *root);	/* leftmost, or NULL */
struct rb_node *rb_next(const struct rb_node *node);	/* in order, or NULL */

#endif
