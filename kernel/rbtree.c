/*
 * Red-black trees (see rbtree.h): insertion and deletion fix-ups after
 * CLRS ch. 13, with NULL as the black leaf. Because a leaf has no parent
 * pointer, the erase fix-up carries the parent of the node it is fixing
 * alongside it.
 *
 * Callers: kernel/eventpoll.c (the interest set). Portable: built into
 * the kernel and on the host (tests/unit/test_rbtree.c).
 */
#include <kernel/rbtree.h>

static int is_red(const struct rb_node *n)
{
	return n && n->rb_color == RB_RED;
}

/* @new takes @old's place under @old's parent (or as the root). */
static void rb_replace_child(struct rb_node *old, struct rb_node *new, struct rb_node *parent,
			     struct rb_root *root)
{
	if (!parent)
		root->rb_node = new;
	else if (parent->rb_left == old)
		parent->rb_left = new;
	else
		parent->rb_right = new;
	if (new)
		new->rb_parent = parent;
}

static void rb_rotate_left(struct rb_node *x, struct rb_root *root)
{
	struct rb_node *y = x->rb_right;

	x->rb_right = y->rb_left;
	if (y->rb_left)
		y->rb_left->rb_parent = x;
	rb_replace_child(x, y, x->rb_parent, root);
	y->rb_left = x;
	x->rb_parent = y;
}

static void rb_rotate_right(struct rb_node *x, struct rb_root *root)
{
	struct rb_node *y = x->rb_left;

	x->rb_left = y->rb_right;
	if (y->rb_right)
		y->rb_right->rb_parent = x;
	rb_replace_child(x, y, x->rb_parent, root);
	y->rb_right = x;
	x->rb_parent = y;
}

void rb_insert_color(struct rb_node *z, struct rb_root *root)
{
	while (is_red(z->rb_parent)) {
		struct rb_node *p = z->rb_parent, *g = p->rb_parent;	/* a red parent is never the root */
		int left = p == g->rb_left;
		struct rb_node *uncle = left ? g->rb_right : g->rb_left;

		if (is_red(uncle)) {
			/* Recolour and push the violation two levels up. */
			p->rb_color = uncle->rb_color = RB_BLACK;
			g->rb_color = RB_RED;
			z = g;
			continue;
		}
		if (z == (left ? p->rb_right : p->rb_left)) {
			/* Inner grandchild: rotate it outward first. */
			z = p;
			if (left)
				rb_rotate_left(z, root);
			else
				rb_rotate_right(z, root);
			p = z->rb_parent;
		}
		p->rb_color = RB_BLACK;
		g->rb_color = RB_RED;
		if (left)
			rb_rotate_right(g, root);
		else
			rb_rotate_left(g, root);
	}
	root->rb_node->rb_color = RB_BLACK;
}

/* @x (maybe NULL) under @parent carries one extra black: push it up or absorb it. */
static void rb_erase_fixup(struct rb_node *x, struct rb_node *parent, struct rb_root *root)
{
	while (x != root->rb_node && !is_red(x)) {
		int left = x == parent->rb_left;
		struct rb_node *w = left ? parent->rb_right : parent->rb_left;	/* never NULL here */

		if (is_red(w)) {
			w->rb_color = RB_BLACK;
			parent->rb_color = RB_RED;
			if (left)
				rb_rotate_left(parent, root);
			else
				rb_rotate_right(parent, root);
			w = left ? parent->rb_right : parent->rb_left;
		}
		if (!is_red(w->rb_left) && !is_red(w->rb_right)) {
			w->rb_color = RB_RED;
			x = parent;
			parent = x->rb_parent;
			continue;
		}
		if (!is_red(left ? w->rb_right : w->rb_left)) {
			/* The near nephew is red: turn it into the far one. */
			(left ? w->rb_left : w->rb_right)->rb_color = RB_BLACK;
			w->rb_color = RB_RED;
			if (left)
				rb_rotate_right(w, root);
			else
				rb_rotate_left(w, root);
			w = left ? parent->rb_right : parent->rb_left;
		}
		w->rb_color = parent->rb_color;
		parent->rb_color = RB_BLACK;
		(left ? w->rb_right : w->rb_left)->rb_color = RB_BLACK;
		if (left)
			rb_rotate_left(parent, root);
		else
			rb_rotate_right(parent, root);
		x = root->rb_node;
		break;
	}
	if (x)
		x->rb_color = RB_BLACK;
}

void rb_erase(struct rb_node *z, struct rb_root *root)
{
	struct rb_node *x, *xparent;
	int removed_color = z->rb_color;

	if (!z->rb_left || !z->rb_right) {
		x = z->rb_left ? z->rb_left : z->rb_right;
		xparent = z->rb_parent;
		rb_replace_child(z, x, xparent, root);
	} else {
		/* Two children: z's successor y (no left child) takes z's place and colour. */
		struct rb_node *y = z->rb_right;

		while (y->rb_left)
			y = y->rb_left;
		removed_color = y->rb_color;
		x = y->rb_right;
		if (y->rb_parent == z) {
			xparent = y;
		} else {
			xparent = y->rb_parent;
			rb_replace_child(y, x, xparent, root);
			y->rb_right = z->rb_right;
			y->rb_right->rb_parent = y;
		}
		rb_replace_child(z, y, z->rb_parent, root);
		y->rb_left = z->rb_left;
		y->rb_left->rb_parent = y;
		y->rb_color = z->rb_color;
	}
	if (removed_color == RB_BLACK)
		rb_erase_fixup(x, xparent, root);
}

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	while (n && n->rb_left)
		n = n->rb_left;
	return n;
}

struct rb_node *rb_next(const struct rb_node *n)
{
	const struct rb_node *p;

	if (n->rb_right) {
		n = n->rb_right;
		while (n->rb_left)
			n = n->rb_left;
		return (struct rb_node *)n;
	}
	/* Up until we leave a left subtree. */
	while ((p = n->rb_parent) && n == p->rb_right)
		n = p;
	return (struct rb_node *)p;
}
