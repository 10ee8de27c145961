/*
 * User memory. Apps live in the user arena (kernel/mmap.c): one range of
 * the identity map whose 2 MiB pages carry the U bit. A user pointer is
 * valid iff the whole object lies inside the arena; the kernel then reads
 * and writes it directly (it is always mapped).
 */
#ifndef SQUALL_UACCESS_H
#define SQUALL_UACCESS_H

#include <stddef.h>
#include <stdint.h>

extern uint64_t user_arena_start, user_arena_end;	/* [I] 0 when the image has no app */

static inline int access_ok(const void *p, size_t len)
{
	uint64_t a = (uint64_t)(uintptr_t)p;

	return a >= user_arena_start && len <= user_arena_end - a && a < user_arena_end;
}

#endif
