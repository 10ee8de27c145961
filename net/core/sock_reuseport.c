/*
 * SO_REUSEPORT groups (Linux's net/core/sock_reuseport.c, without BPF
 * programs); see sock_reuseport.h for the interface and the locking.
 * Callers: inet_hashtables.c (inet_hash, inet_unhash, the listener
 * lookup), with the lhash2 bucket lock held. Portable: the host tests
 * build it.
 */
#include <net/core/sock_reuseport.h>
#include <net/core/sock.h>
#include <kernel/errno.h>
#include <kernel/params.h>
#include <stdlib.h>
#include <string.h>

#define INIT_SOCKS 4			/* Linux starts at 128; most groups here are one per CPU */
#define MAX_SOCKS 65535			/* num_socks is 16 bits, as Linux's */

int sysctl_reuseport_select = REUSEPORT_SELECT_HASH;

static const char *set_reuseport(const char *val)
{
	if (val && !strcmp(val, "hash"))
		sysctl_reuseport_select = REUSEPORT_SELECT_HASH;
	else if (val && !strcmp(val, "cpu"))
		sysctl_reuseport_select = REUSEPORT_SELECT_CPU;
	else
		return "must be hash or cpu";
	return NULL;
}
KERNEL_PARAM("reuseport", set_reuseport,
	     "reuseport=hash|cpu: SO_REUSEPORT group member by flow hash (default) or by receiving CPU");

static struct sock_reuseport *reuseport_new(unsigned int max_socks)
{
	struct sock_reuseport *reuse =
		calloc(1, sizeof(*reuse) + max_socks * sizeof(reuse->socks[0]));

	if (reuse)
		reuse->max_socks = (uint16_t)max_socks;
	return reuse;
}

int reuseport_alloc(struct sock *sk)
{
	struct sock_reuseport *reuse = reuseport_new(INIT_SOCKS);

	if (!reuse)
		return -ENOMEM;
	reuse->socks[0] = sk;
	reuse->num_socks = 1;
	sk->sk_reuseport_cb = reuse;
	return 0;
}

/* Twice the room; every member is pointed at the new copy (Linux's reuseport_grow). */
static struct sock_reuseport *reuseport_grow(struct sock_reuseport *reuse)
{
	unsigned int more = (unsigned int)reuse->max_socks * 2;
	struct sock_reuseport *bigger;

	if (reuse->max_socks == MAX_SOCKS)
		return NULL;
	bigger = reuseport_new(more > MAX_SOCKS ? MAX_SOCKS : more);
	if (!bigger)
		return NULL;
	bigger->num_socks = reuse->num_socks;
	memcpy(bigger->socks, reuse->socks, reuse->num_socks * sizeof(reuse->socks[0]));
	for (unsigned int i = 0; i < bigger->num_socks; i++)
		bigger->socks[i]->sk_reuseport_cb = bigger;
	free(reuse);
	return bigger;
}

int reuseport_add_sock(struct sock *sk, struct sock *sk2)
{
	struct sock_reuseport *reuse;

	/* As Linux: a member that somehow has no group gets one first. */
	if (!sk2->sk_reuseport_cb && reuseport_alloc(sk2))
		return -ENOMEM;
	reuse = sk2->sk_reuseport_cb;
	if (reuse->num_socks == reuse->max_socks && !(reuse = reuseport_grow(reuse)))
		return -ENOMEM;
	reuse->socks[reuse->num_socks++] = sk;
	sk->sk_reuseport_cb = reuse;
	return 0;
}

void reuseport_detach_sock(struct sock *sk)
{
	struct sock_reuseport *reuse = sk->sk_reuseport_cb;

	if (!reuse)
		return;
	sk->sk_reuseport_cb = NULL;
	for (unsigned int i = 0; i < reuse->num_socks; i++) {
		if (reuse->socks[i] == sk) {
			reuse->socks[i] = reuse->socks[--reuse->num_socks];
			break;
		}
	}
	if (!reuse->num_socks)
		free(reuse);
}

/* Linux's reciprocal_scale: @val onto [0, @n) without a division. */
static unsigned int reciprocal_scale(uint32_t val, unsigned int n)
{
	return (unsigned int)(((uint64_t)val * n) >> 32);
}

static int reuseport_owner_cpu(const struct sock *sk)
{
	int cpu = __atomic_load_n(&sk->sk_incoming_cpu, __ATOMIC_RELAXED);

	return cpu >= 0 ? cpu : sk->sk_listen_cpu;
}

/* From the hash's slot round the group: the first member owned by @cpu (Linux 6.1's loop). */
static struct sock *select_by_cpu(struct sock_reuseport *reuse, unsigned int first, int cpu)
{
	unsigned int i = first;

	do {
		if (reuseport_owner_cpu(reuse->socks[i]) == cpu)
			return reuse->socks[i];
		if (++i == reuse->num_socks)
			i = 0;
	} while (i != first);
	return reuse->socks[first];
}

struct sock *reuseport_select_sock(struct sock *sk, uint32_t hash, int cpu)
{
	struct sock_reuseport *reuse = sk->sk_reuseport_cb;
	unsigned int first;

	if (!reuse || !reuse->num_socks)
		return NULL;
	first = reciprocal_scale(hash, reuse->num_socks);
	if (sysctl_reuseport_select == REUSEPORT_SELECT_CPU)
		return select_by_cpu(reuse, first, cpu);
	return reuse->socks[first];
}
