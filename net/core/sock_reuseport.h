/*
 * SO_REUSEPORT groups (Linux's include/net/sock_reuseport.h): the
 * listeners that share one (local address, port) and one owner, so that
 * each may have its own accept queue and its own worker, and new flows
 * are spread over them.
 *
 *  - reuseport_alloc(sk): a group of one, for the first such listener;
 *  - reuseport_add_sock(sk, sk2): @sk joins @sk2's group (the caller,
 *    inet_reuseport_add_sock, checked port, address, device, owner and
 *    both SO_REUSEPORT flags);
 *  - reuseport_detach_sock(sk): leave; the last one out frees the group;
 *  - reuseport_select_sock(sk, hash, cpu): the member that gets a new flow.
 *
 * Selection, chosen at boot with `reuseport=hash|cpu`:
 *  - hash (default, Linux's reuseport_select_sock without a BPF program):
 *    the flow's 4-tuple hash scaled onto the members (reciprocal_scale),
 *    so every segment of a flow finds the same listener;
 *  - cpu (SO_INCOMING_CPU as Linux 6.1 honours it in a group, and
 *    Fastsocket's per-core listen table): from the hash's member on, the
 *    first whose owner CPU is the CPU that received the SYN; the owner CPU
 *    is SO_INCOMING_CPU if set, else the CPU that called listen(). No
 *    member on this CPU: the hash's member.
 *
 * Locking. Squall has no RCU, so a group is guarded by the lhash2 bucket
 * lock of the members' (address, port): every member hashes to that one
 * bucket, and all four calls run with it held ([b] below). A lookup
 * (softirq, any CPU) selects and takes its reference on the chosen sock
 * before it drops the bucket lock; a closing listener (process context)
 * detaches under the same lock before it loses the hash's reference. So a
 * lookup never sees a freed group or returns a sock that left its group.
 * The group holds no references of its own. Allocation happens under the
 * bucket lock (interrupts masked), as bucket_create does for bhash.
 */
#ifndef SQUALL_SOCK_REUSEPORT_H
#define SQUALL_SOCK_REUSEPORT_H

#include <stdint.h>

struct sock;

struct sock_reuseport {
	uint16_t max_socks;		/* [b] room in socks[] */
	uint16_t num_socks;		/* [b] members: socks[0 .. num_socks) */
	struct sock *socks[];		/* [b] in join order, except that a leaver's slot takes the last */
};

enum reuseport_select {
	REUSEPORT_SELECT_HASH,		/* reuseport=hash */
	REUSEPORT_SELECT_CPU,		/* reuseport=cpu */
};
extern int sysctl_reuseport_select;	/* [I] after boot (tests change it between cases) */

/* The lhash2 bucket lock is held for all four. 0 or -ENOMEM. */
int reuseport_alloc(struct sock *sk);
int reuseport_add_sock(struct sock *sk, struct sock *sk2);
void reuseport_detach_sock(struct sock *sk);
/* NULL if @sk is in no group; else a member (no reference taken: the caller takes it under the lock). */
struct sock *reuseport_select_sock(struct sock *sk, uint32_t hash, int cpu);

#endif
