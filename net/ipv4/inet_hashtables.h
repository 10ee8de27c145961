/*
 * The lookup tables of connection-oriented inet sockets (Linux's
 * include/net/inet_hashtables.h): how tcp_v4_rcv() finds the socket for a
 * segment, and how bind()/connect() choose local ports.
 *
 *  - ehash, established hash: every socket with a peer, keyed by the
 *    4-tuple; a spinlock per bucket (or one lock for all, `ehash_lock=
 *    global`, to reproduce the contended-table bottleneck).
 *  - lhash2, listening hash: listeners keyed by (local address, port);
 *    __inet_lookup_listener asks the (daddr, port) bucket, then the
 *    (INADDR_ANY, port) one, so an exact address beats the wildcard. In a
 *    bucket the best score wins (SO_INCOMING_CPU = the receiving CPU
 *    scores higher), and the first listener in an SO_REUSEPORT group
 *    hands the choice to reuseport_select_sock (net/core/sock_reuseport.h:
 *    by flow hash or by receiving CPU, `reuseport=hash|cpu`). Listeners
 *    join their group in inet_hash and leave it in inet_unhash.
 *  - bhash, bind hash: one inet_bind_bucket per local port in use, with its
 *    owners; inet_csk_get_port() applies the SO_REUSEADDR/SO_REUSEPORT
 *    conflict rules, and for port 0 picks from the ephemeral range with
 *    Linux 2.6.30's "fewest owners" fallback when the range is crowded.
 *
 * Locking: each bucket's lock guards its chain and the key fields of the
 * sockets on it, and an lhash2 bucket's lock also guards the SO_REUSEPORT
 * groups of its listeners; a lookup returns the socket with a reference
 * taken under that lock. Lock order: bhash bucket, then ehash/lhash2 bucket, then the
 * socket lock. Context: softirq (lookups) or process (bind/listen/connect).
 */
#ifndef SQUALL_INET_HASHTABLES_H
#define SQUALL_INET_HASHTABLES_H

#include <stdint.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <net/core/sock.h>

struct inet_bind_bucket {
	uint16_t port;			/* host order */
	int8_t fastreuse;		/* 1: every owner has SO_REUSEADDR and none listens; -1: connect() only */
	int8_t fastreuseport;		/* 1: every owner has SO_REUSEPORT and the owner fastuid */
	uint32_t fastuid;		/* the owners' sk_uid while fastreuseport > 0 */
	int num_owners;
	struct list_head node;		/* [bucket lock] the bhash chain */
	struct list_head owners;	/* [bucket lock] socks, through sk_bind_node */
};

struct inet_bind_hashbucket {
	struct spinlock lock;
	struct list_head chain;
};

struct inet_ehash_bucket {
	struct spinlock lock;		/* unused when hashinfo->global_lock is set */
	struct list_head chain;		/* socks, through sk_node */
};

struct inet_listen_hashbucket {
	struct spinlock lock;
	struct list_head head;		/* listeners, through sk_node; also guards their sk_reuseport_cb */
	unsigned int count;
};

struct inet_hashinfo {
	struct inet_ehash_bucket *ehash;	/* [I] */
	unsigned int ehash_mask;		/* [I] */
	struct spinlock *global_lock;		/* [I] non-NULL: one lock for all of ehash */
	struct inet_bind_hashbucket *bhash;	/* [I] */
	unsigned int bhash_size;		/* [I] */
	struct inet_listen_hashbucket *lhash2;	/* [I] */
	unsigned int lhash2_mask;		/* [I] */
	int bsockets;				/* [a] sockets bound through bhash */
	int port_low, port_high;		/* [I] the ephemeral range, inclusive */
	uint32_t secret;			/* [I] keys the hash functions */
};

/* Sizes are rounded up to powers of two; @global_ehash_lock: one lock for ehash. */
int inet_hashinfo_init(struct inet_hashinfo *h, unsigned int ehash_size,
		       unsigned int bhash_size, unsigned int lhash2_size,
		       int global_ehash_lock, uint32_t secret);
void inet_hashinfo_free(struct inet_hashinfo *h);

uint32_t inet_ehashfn(const struct inet_hashinfo *h, uint32_t laddr, uint16_t lport,
		      uint32_t faddr, uint16_t fport);

/* Lookups; addresses in network order, @hnum the local port in host order. With a reference, or NULL. */
struct sock *__inet_lookup_established(struct inet_hashinfo *h, uint32_t saddr, uint16_t sport,
				       uint32_t daddr, uint16_t hnum);
struct sock *__inet_lookup_listener(struct inet_hashinfo *h, uint32_t saddr, uint16_t sport,
				    uint32_t daddr, uint16_t hnum, int cpu);

/* Insert/remove by state: LISTEN into lhash2, anything else into ehash. */
int inet_hash(struct inet_hashinfo *h, struct sock *sk);
void inet_unhash(struct inet_hashinfo *h, struct sock *sk);
/* Insert into ehash unless the 4-tuple is taken: 0 or -EADDRINUSE. */
int inet_ehash_insert(struct inet_hashinfo *h, struct sock *sk);

/*
 * For TCP's mini-sockets (request and TIME_WAIT socks start with struct
 * sock_common; only those fields are touched here, and no reference is
 * put: the caller owns the hash's reference it gets back).
 *  - inet_ehash_del: 1 if @sk was on ehash and is now off (the caller puts
 *    the hash's reference), 0 if it was not hashed.
 *  - inet_ehash_insert_replace: put @sk where @osk is, in one critical
 *    section (request → child, socket → TIME_WAIT). 0 (@osk is off and
 *    its hash reference is the caller's), or -ENOENT if @osk was not
 *    hashed any more (someone else replaced it; @sk is not inserted).
 */
int inet_ehash_del(struct inet_hashinfo *h, struct sock *sk);
int inet_ehash_insert_replace(struct inet_hashinfo *h, struct sock *sk, struct sock *osk);

/* bind(): take port @snum (0: choose one). 0 or -EADDRINUSE. */
int inet_csk_get_port(struct inet_hashinfo *h, struct sock *sk, uint16_t snum);
/* listen(): re-check the bound port for a listener; 0, -EADDRINUSE, -EINVAL if unbound. */
int inet_csk_listen_get_port(struct inet_hashinfo *h, struct sock *sk);
/* close: give the port back (frees the bucket with its last owner). */
void inet_put_port(struct inet_hashinfo *h, struct sock *sk);
/* An accepted child joins its listener's bind bucket (Linux's __inet_inherit_port); -ENOENT if gone. */
int __inet_inherit_port(struct inet_hashinfo *h, const struct sock *sk, struct sock *child);
/* connect() of an unbound socket: a local port whose 4-tuple is unique, and ehash insertion. */
int inet_hash_connect(struct inet_hashinfo *h, struct sock *sk);

/* For tests and stats. */
unsigned int inet_bind_bucket_count(struct inet_hashinfo *h);

#endif
