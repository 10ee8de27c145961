/*
 * Established, listening and bind hashes (Linux's net/ipv4/
 * inet_hashtables.c and the port half of inet_connection_sock.c); see
 * inet_hashtables.h. Portable: the host tests drive it with hand-made
 * sockets.
 */
#include <net/ipv4/inet_hashtables.h>
#include <net/ipv4/inet_sock.h>
#include <net/core/sock_reuseport.h>
#include <net/ipv4/tcp_states.h>
#include <kernel/errno.h>
#include <kernel/random.h>
#include <stdlib.h>

static DEFINE_LOCK_CLASS(ehash_class, "ehash_bucket");
static DEFINE_LOCK_CLASS(ehash_global_class, "ehash_global");
static DEFINE_LOCK_CLASS(bhash_class, "bhash_bucket");
static DEFINE_LOCK_CLASS(lhash2_class, "lhash2_bucket");

#define rol32(x, k) (((x) << (k)) | ((x) >> (32 - (k))))

/* Bob Jenkins' lookup3 final mix (public domain), as Linux's jhash_3words. */
static uint32_t jhash_3words(uint32_t a, uint32_t b, uint32_t c, uint32_t initval)
{
	a += 0xdeadbeef + (3 << 2) + initval;
	b += 0xdeadbeef + (3 << 2) + initval;
	c += 0xdeadbeef + (3 << 2) + initval;
	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

static unsigned int roundup_pow2(unsigned int n)
{
	unsigned int p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

int inet_hashinfo_init(struct inet_hashinfo *h, unsigned int ehash_size,
		       unsigned int bhash_size, unsigned int lhash2_size,
		       int global_ehash_lock, uint32_t secret)
{
	ehash_size = roundup_pow2(ehash_size);
	lhash2_size = roundup_pow2(lhash2_size);
	*h = (struct inet_hashinfo){ .ehash_mask = ehash_size - 1, .bhash_size = bhash_size,
				     .lhash2_mask = lhash2_size - 1, .port_low = 32768,
				     .port_high = 60999, .secret = secret };
	h->ehash = calloc(ehash_size, sizeof(*h->ehash));
	h->bhash = calloc(bhash_size, sizeof(*h->bhash));
	h->lhash2 = calloc(lhash2_size, sizeof(*h->lhash2));
	if (global_ehash_lock && (h->global_lock = malloc(sizeof(*h->global_lock))))
		spin_lock_init(h->global_lock, &ehash_global_class);
	if (!h->ehash || !h->bhash || !h->lhash2 || (global_ehash_lock && !h->global_lock)) {
		inet_hashinfo_free(h);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < ehash_size; i++) {
		spin_lock_init(&h->ehash[i].lock, &ehash_class);
		INIT_LIST_HEAD(&h->ehash[i].chain);
	}
	for (unsigned int i = 0; i < bhash_size; i++) {
		spin_lock_init(&h->bhash[i].lock, &bhash_class);
		INIT_LIST_HEAD(&h->bhash[i].chain);
	}
	for (unsigned int i = 0; i < lhash2_size; i++) {
		spin_lock_init(&h->lhash2[i].lock, &lhash2_class);
		INIT_LIST_HEAD(&h->lhash2[i].head);
	}
	return 0;
}

void inet_hashinfo_free(struct inet_hashinfo *h)
{
	free(h->ehash);
	free(h->bhash);
	free(h->lhash2);
	free(h->global_lock);
	h->ehash = NULL;
	h->bhash = NULL;
	h->lhash2 = NULL;
	h->global_lock = NULL;
}

uint32_t inet_ehashfn(const struct inet_hashinfo *h, uint32_t laddr, uint16_t lport,
		      uint32_t faddr, uint16_t fport)
{
	return jhash_3words(laddr, faddr, (uint32_t)lport << 16 | fport, h->secret);
}

/* ---- established hash ---- */

static struct inet_ehash_bucket *ehash_bucket(struct inet_hashinfo *h, uint32_t hash)
{
	return &h->ehash[hash & h->ehash_mask];
}

static struct spinlock *ehash_lock(struct inet_hashinfo *h, struct inet_ehash_bucket *b)
{
	return h->global_lock ? h->global_lock : &b->lock;
}

static uint32_t sk_ehashfn(struct inet_hashinfo *h, const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

	return inet_ehashfn(h, inet->inet_rcv_saddr, inet->inet_num, inet->inet_daddr,
			    inet->inet_dport);
}

/* @sk matches a segment from saddr:sport to daddr:hnum (Linux's INET_MATCH). */
static int inet_match(const struct sock *sk, uint32_t saddr, uint16_t sport, uint32_t daddr,
		      uint16_t hnum)
{
	const struct inet_sock *inet = inet_sk(sk);

	return inet->inet_num == hnum && inet->inet_dport == sport &&
	       inet->inet_daddr == saddr && inet->inet_rcv_saddr == daddr;
}

static struct sock *ehash_find(struct inet_ehash_bucket *b, uint32_t saddr, uint16_t sport,
			       uint32_t daddr, uint16_t hnum)
{
	struct list_head *pos, *n;

	list_for_each_safe(pos, n, &b->chain) {
		struct sock *sk = list_entry(pos, struct sock, sk_node);

		if (inet_match(sk, saddr, sport, daddr, hnum))
			return sk;
	}
	return NULL;
}

struct sock *__inet_lookup_established(struct inet_hashinfo *h, uint32_t saddr, uint16_t sport,
				       uint32_t daddr, uint16_t hnum)
{
	struct inet_ehash_bucket *b = ehash_bucket(h, inet_ehashfn(h, daddr, hnum, saddr, sport));
	struct spinlock *lock = ehash_lock(h, b);
	uint64_t f = spin_lock_irqsave(lock);
	struct sock *sk = ehash_find(b, saddr, sport, daddr, hnum);

	if (sk)
		sock_hold(sk);
	spin_unlock_irqrestore(lock, f);
	return sk;
}

int inet_ehash_insert(struct inet_hashinfo *h, struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);
	struct inet_ehash_bucket *b = ehash_bucket(h, sk_ehashfn(h, sk));
	struct spinlock *lock = ehash_lock(h, b);
	uint64_t f = spin_lock_irqsave(lock);
	int taken = ehash_find(b, inet->inet_daddr, inet->inet_dport, inet->inet_rcv_saddr,
			       inet->inet_num) != NULL;

	if (!taken) {
		list_add(&sk->sk_node, &b->chain);
		sock_hold(sk);		/* the hash's reference */
	}
	spin_unlock_irqrestore(lock, f);
	return taken ? -EADDRINUSE : 0;
}

int inet_ehash_del(struct inet_hashinfo *h, struct sock *sk)
{
	struct spinlock *lock = ehash_lock(h, ehash_bucket(h, sk_ehashfn(h, sk)));
	uint64_t f = spin_lock_irqsave(lock);
	int was_hashed = !list_empty(&sk->sk_node);

	if (was_hashed)
		list_del_init(&sk->sk_node);
	spin_unlock_irqrestore(lock, f);
	return was_hashed;
}

/* @sk and @osk share the 4-tuple, so they share the bucket. */
int inet_ehash_insert_replace(struct inet_hashinfo *h, struct sock *sk, struct sock *osk)
{
	struct spinlock *lock = ehash_lock(h, ehash_bucket(h, sk_ehashfn(h, osk)));
	uint64_t f = spin_lock_irqsave(lock);
	int ok = !list_empty(&osk->sk_node);

	if (ok) {
		list_add(&sk->sk_node, &osk->sk_node);
		list_del_init(&osk->sk_node);
		__atomic_add_fetch(&sk->sk_refcnt, 1, __ATOMIC_RELAXED);	/* the hash's reference */
	}
	spin_unlock_irqrestore(lock, f);
	return ok ? 0 : -ENOENT;
}

/* ---- listening hash ---- */

static struct inet_listen_hashbucket *lhash2_bucket(struct inet_hashinfo *h, uint32_t addr,
						    uint16_t hnum)
{
	return &h->lhash2[jhash_3words(addr, hnum, 0, h->secret) & h->lhash2_mask];
}

/*
 * Linux's compute_score: -1 no match; a listener whose SO_INCOMING_CPU is
 * the receiving CPU scores higher. The address must be @addr exactly: the
 * lookup asks for the segment's address, then for INADDR_ANY.
 */
static int compute_score(const struct sock *sk, uint32_t addr, uint16_t hnum, int cpu)
{
	const struct inet_sock *inet = inet_sk(sk);
	int score = 1;

	if (inet->inet_num != hnum || sk->sk_state != TCP_LISTEN || inet->inet_rcv_saddr != addr)
		return -1;
	if (__atomic_load_n(&sk->sk_incoming_cpu, __ATOMIC_RELAXED) == cpu)
		score++;
	return score;
}

/*
 * Linux's inet_lhash2_lookup: the best listener on (@addr, @hnum) in one
 * bucket. As in Linux, the first listener that beats the score so far
 * and belongs to a reuseport group hands the choice to its group. Bucket
 * lock held.
 */
static struct sock *lhash2_lookup(struct inet_listen_hashbucket *b, uint32_t addr,
				  uint16_t hnum, int cpu, uint32_t phash)
{
	struct sock *best = NULL, *result;
	struct list_head *pos, *n;
	int hiscore = 0;

	list_for_each_safe(pos, n, &b->head) {
		struct sock *sk = list_entry(pos, struct sock, sk_node);
		int score = compute_score(sk, addr, hnum, cpu);

		if (score > hiscore) {
			result = reuseport_select_sock(sk, phash, cpu);
			if (result)
				return result;
			best = sk;
			hiscore = score;
		}
	}
	return best;
}

/*
 * The segment's address first, then the wildcard (an exact bind wins).
 * The reference is taken under the bucket lock, so the listener cannot
 * be freed, nor its group changed, while it is chosen.
 */
struct sock *__inet_lookup_listener(struct inet_hashinfo *h, uint32_t saddr, uint16_t sport,
				    uint32_t daddr, uint16_t hnum, int cpu)
{
	uint32_t addrs[2] = { daddr, 0 };
	uint32_t phash = inet_ehashfn(h, daddr, hnum, saddr, sport);

	for (int i = 0; i < (daddr ? 2 : 1); i++) {
		struct inet_listen_hashbucket *b = lhash2_bucket(h, addrs[i], hnum);
		uint64_t f = spin_lock_irqsave(&b->lock);
		struct sock *sk = lhash2_lookup(b, addrs[i], hnum, cpu, phash);

		if (sk)
			sock_hold(sk);
		spin_unlock_irqrestore(&b->lock, f);
		if (sk)
			return sk;
	}
	return NULL;
}

/*
 * Linux's inet_reuseport_add_sock: join the group of a listener with the
 * same port, exactly the same bound address, the same bound device, the
 * same owner and SO_REUSEPORT on both; else start a group. bind() already
 * refused a same-address listener that breaks these rules, so a listener
 * that finds none simply starts its own group. Bucket lock held.
 */
static int inet_reuseport_add_sock(struct sock *sk, struct inet_listen_hashbucket *b)
{
	struct list_head *pos, *n;

	list_for_each_safe(pos, n, &b->head) {
		struct sock *sk2 = list_entry(pos, struct sock, sk_node);

		if (sk2 != sk && sk2->sk_family == sk->sk_family &&
		    sk2->sk_bound_dev_if == sk->sk_bound_dev_if &&
		    inet_sk(sk2)->inet_num == inet_sk(sk)->inet_num && sk2->sk_reuseport &&
		    sk2->sk_uid == sk->sk_uid &&
		    inet_sk(sk2)->inet_rcv_saddr == inet_sk(sk)->inet_rcv_saddr)
			return reuseport_add_sock(sk, sk2);
	}
	return reuseport_alloc(sk);
}

/* Process context (listen, connect). 0, or -ENOMEM (no group) / -EADDRINUSE (4-tuple taken). */
int inet_hash(struct inet_hashinfo *h, struct sock *sk)
{
	struct inet_listen_hashbucket *b;
	uint64_t f;
	int err = 0;

	if (sk->sk_state != TCP_LISTEN)
		return inet_ehash_insert(h, sk);
	b = lhash2_bucket(h, inet_sk(sk)->inet_rcv_saddr, inet_sk(sk)->inet_num);
	f = spin_lock_irqsave(&b->lock);
	if (sk->sk_reuseport)
		err = inet_reuseport_add_sock(sk, b);
	if (!err) {
		list_add_tail(&sk->sk_node, &b->head);
		b->count++;
		sock_hold(sk);
	}
	spin_unlock_irqrestore(&b->lock, f);
	return err;
}

void inet_unhash(struct inet_hashinfo *h, struct sock *sk)
{
	struct spinlock *lock;
	uint64_t f;
	int was_hashed;

	if (sk->sk_state == TCP_LISTEN) {
		struct inet_listen_hashbucket *b =
			lhash2_bucket(h, inet_sk(sk)->inet_rcv_saddr, inet_sk(sk)->inet_num);

		lock = &b->lock;
		f = spin_lock_irqsave(lock);
		was_hashed = !list_empty(&sk->sk_node);
		if (was_hashed)
			b->count--;
		/* Out of the group under the same lock as out of the chain: no lookup can pick it after. */
		reuseport_detach_sock(sk);
	} else {
		lock = ehash_lock(h, ehash_bucket(h, sk_ehashfn(h, sk)));
		f = spin_lock_irqsave(lock);
		was_hashed = !list_empty(&sk->sk_node);
	}
	if (was_hashed)
		list_del_init(&sk->sk_node);
	spin_unlock_irqrestore(lock, f);
	if (was_hashed)
		sock_put(sk);
}
