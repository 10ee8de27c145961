/*
 * Intrusive circular doubly-linked list, the subset of Linux's list.h that
 * storm needs. A connection sits on at most one list at a time (its
 * worker's timeout list or its idle list), so one link per conn suffices.
 */
#ifndef STORM_LIST_H
#define STORM_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_head {
	struct list_head *next, *prev;
};

static inline void list_init(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

/* True if @n is linked somewhere (list_del leaves it self-linked). */
static inline bool list_linked(const struct list_head *n)
{
	return n->next != n;
}

static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_init(n);
}

#define list_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define list_first_entry(h, type, member) list_entry((h)->next, type, member)

#endif
