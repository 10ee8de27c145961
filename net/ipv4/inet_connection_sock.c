/*
 * Local ports (Linux's inet_csk_get_port, inet_csk_bind_conflict,
 * __inet_hash_connect): the bind hash of inet_hashtables.h.
 *
 * bind(port): the port's bucket, then the conflict rules (relaxed, as
 * Linux's bind path): two sockets may share a port if both set
 * SO_REUSEADDR and the other is not listening, or both set SO_REUSEPORT
 * and have the same owner (sk_uid); otherwise only if their local
 * addresses differ (neither a wildcard) or they are bound to different
 * devices.
 * bind(0): an ephemeral port from a random start. As Linux 2.6.30 does
 * (the seed text), a port whose owners all allow SO_REUSEADDR sharing is
 * remembered if it has the fewest owners so far, and used when no free
 * port turns up or when more sockets are bound than the range holds;
 * a conflict there retries from a new random start at most 5 times.
 * connect() of an unbound socket: a port bound by connect() only may be
 * shared as long as the 4-tuple is unique (__inet_check_established).
 */
#include <net/ipv4/inet_hashtables.h>
#include <net/ipv4/inet_sock.h>
#include <net/ipv4/tcp_states.h>
#include <kernel/errno.h>
#include <kernel/random.h>
#include <stdlib.h>

#define GET_PORT_ATTEMPTS 5

static struct inet_bind_hashbucket *bhash_bucket(struct inet_hashinfo *h, uint16_t port)
{
	return &h->bhash[port % h->bhash_size];
}

static struct inet_bind_bucket *bucket_find(struct inet_bind_hashbucket *head, uint16_t port)
{
	struct list_head *pos, *n;

	list_for_each_safe(pos, n, &head->chain) {
		struct inet_bind_bucket *tb = list_entry(pos, struct inet_bind_bucket, node);

		if (tb->port == port)
			return tb;
	}
	return NULL;
}

static struct inet_bind_bucket *bucket_create(struct inet_bind_hashbucket *head, uint16_t port)
{
	struct inet_bind_bucket *tb = calloc(1, sizeof(*tb));

	if (tb) {
		tb->port = port;
		INIT_LIST_HEAD(&tb->owners);
		list_add(&tb->node, &head->chain);
	}
	return tb;
}

static int reuseaddr_ok(const struct sock *sk)
{
	return sk->sk_reuse && sk->sk_state != TCP_LISTEN;
}

/* Linux's sk_reuseport_match: every owner shares with @sk through SO_REUSEPORT. */
static int reuseport_match(const struct inet_bind_bucket *tb, const struct sock *sk)
{
	return tb->fastreuseport > 0 && sk->sk_reuseport && tb->fastuid == sk->sk_uid;
}

/*
 * Attach @sk to @tb and keep the bucket's fast-path flags true to its
 * owners. A reuseport owner of another user joins only by the slow path
 * (different addresses), and then the fast path is off for good: Linux
 * narrows it to one address (FASTREUSEPORT_STRICT), Squall just drops it.
 */
static void inet_bind_hash(struct inet_hashinfo *h, struct sock *sk, struct inet_bind_bucket *tb)
{
	if (!tb->num_owners) {
		tb->fastreuse = (int8_t)reuseaddr_ok(sk);
		tb->fastreuseport = (int8_t)(sk->sk_reuseport != 0);
		tb->fastuid = sk->sk_uid;
	} else {
		if (tb->fastreuse > 0 && !reuseaddr_ok(sk))
			tb->fastreuse = 0;
		if (tb->fastreuseport > 0 && !reuseport_match(tb, sk))
			tb->fastreuseport = 0;
	}
	list_add(&sk->sk_bind_node, &tb->owners);
	tb->num_owners++;
	inet_sk(sk)->inet_num = tb->port;
	inet_sk(sk)->inet_sport = (uint16_t)(tb->port << 8 | tb->port >> 8);
	__atomic_add_fetch(&h->bsockets, 1, __ATOMIC_RELAXED);
}

static int rcv_saddr_equal(const struct sock *a, const struct sock *b)
{
	uint32_t x = inet_sk(a)->inet_rcv_saddr, y = inet_sk(b)->inet_rcv_saddr;

	return !x || !y || x == y;	/* a wildcard overlaps every address */
}

/* Bound to different devices, two sockets never meet (either unbound: they do). */
static int bound_dev_overlap(const struct sock *sk, const struct sock *sk2)
{
	return !sk->sk_bound_dev_if || !sk2->sk_bound_dev_if ||
	       sk->sk_bound_dev_if == sk2->sk_bound_dev_if;
}

/*
 * Linux's inet_csk_bind_conflict with relax = reuseport_ok = true (the
 * bind path). SO_REUSEPORT shares only between sockets of one owner
 * (Linux's uid_eq), so a late joiner of another user, or one without the
 * option, conflicts on an overlapping address: EADDRINUSE.
 */
static int bind_conflict(const struct sock *sk, const struct inet_bind_bucket *tb)
{
	struct list_head *pos, *n;

	list_for_each_safe(pos, n, (struct list_head *)&tb->owners) {
		const struct sock *sk2 = list_entry(pos, struct sock, sk_bind_node);

		if (sk2 == sk || !bound_dev_overlap(sk, sk2))
			continue;
		if (sk->sk_reuse && sk2->sk_reuse && sk2->sk_state != TCP_LISTEN)
			continue;
		if (sk->sk_reuseport && sk2->sk_reuseport && sk->sk_uid == sk2->sk_uid)
			continue;
		if (rcv_saddr_equal(sk, sk2))
			return 1;
	}
	return 0;
}

/* Take @snum for @sk; @from_scan: chosen by the ephemeral scan (may retry). 0, -EADDRINUSE or -EAGAIN. */
static int get_port_locked(struct inet_hashinfo *h, struct sock *sk, uint16_t snum, int from_scan)
{
	struct inet_bind_hashbucket *head = bhash_bucket(h, snum);
	uint64_t f = spin_lock_irqsave(&head->lock);
	struct inet_bind_bucket *tb = bucket_find(head, snum);
	int ret = 0;

	if (!tb) {
		tb = bucket_create(head, snum);
		if (!tb)
			ret = -ENOMEM;
	} else if (tb->num_owners && !(tb->fastreuse > 0 && reuseaddr_ok(sk)) &&
		   !reuseport_match(tb, sk) && bind_conflict(sk, tb)) {
		ret = from_scan ? -EAGAIN : -EADDRINUSE;
	}
	if (!ret)
		inet_bind_hash(h, sk, tb);
	spin_unlock_irqrestore(&head->lock, f);
	return ret;
}

/* One pass over the ephemeral range; a free port, or the least shared one, or 0. */
static uint16_t ephemeral_scan(struct inet_hashinfo *h, const struct sock *sk)
{
	int low = h->port_low, high = h->port_high, span = high - low + 1;
	int rover = low + (int)prandom_u32_max((uint32_t)span), smallest_size = -1, smallest = 0;

	for (int remaining = span; remaining > 0; remaining--, rover = rover < high ? rover + 1 : low) {
		struct inet_bind_hashbucket *head = bhash_bucket(h, (uint16_t)rover);
		uint64_t f = spin_lock_irqsave(&head->lock);
		struct inet_bind_bucket *tb = bucket_find(head, (uint16_t)rover);
		int crowded;

		if (!tb) {
			spin_unlock_irqrestore(&head->lock, f);
			return (uint16_t)rover;
		}
		if (tb->fastreuse > 0 && reuseaddr_ok(sk) &&
		    (smallest_size == -1 || tb->num_owners < smallest_size)) {
			smallest_size = tb->num_owners;
			smallest = rover;
			/* More bound sockets than ports: scanning on is hopeless. */
			crowded = __atomic_load_n(&h->bsockets, __ATOMIC_RELAXED) > span;
			spin_unlock_irqrestore(&head->lock, f);
			if (crowded)
				return (uint16_t)smallest;
			continue;
		}
		spin_unlock_irqrestore(&head->lock, f);
	}
	return (uint16_t)smallest;
}

int inet_csk_get_port(struct inet_hashinfo *h, struct sock *sk, uint16_t snum)
{
	int ret;

	if (snum)
		return get_port_locked(h, sk, snum, 0) == 0 ? 0 : -EADDRINUSE;
	for (int attempt = 0; attempt <= GET_PORT_ATTEMPTS; attempt++) {
		uint16_t port = ephemeral_scan(h, sk);

		if (!port)
			return -EADDRINUSE;
		ret = get_port_locked(h, sk, port, 1);
		if (ret != -EAGAIN)
			return ret;
	}
	return -EADDRINUSE;
}

/*
 * listen(): the bound socket now listens. Check its port again with that
 * state (Linux re-runs get_port in inet_csk_listen_start) and refresh the
 * bucket's cached sharing flags, which assumed a non-listener.
 */
int inet_csk_listen_get_port(struct inet_hashinfo *h, struct sock *sk)
{
	uint16_t port = inet_sk(sk)->inet_num;
	struct inet_bind_hashbucket *head = bhash_bucket(h, port);
	uint64_t f = spin_lock_irqsave(&head->lock);
	struct inet_bind_bucket *tb = bucket_find(head, port);
	int ret = 0;

	if (!tb || list_empty(&sk->sk_bind_node))
		ret = -EINVAL;		/* not bound */
	else if (bind_conflict(sk, tb))
		ret = -EADDRINUSE;
	else {
		tb->fastreuse = 0;	/* a listener never shares through SO_REUSEADDR */
		if (tb->fastreuseport > 0 && !reuseport_match(tb, sk))
			tb->fastreuseport = 0;
	}
	spin_unlock_irqrestore(&head->lock, f);
	return ret;
}

/*
 * Linux's __inet_inherit_port: an accepted child owns its listener's port
 * too, so the port stays taken while connections live on it after the
 * listener closed: bind() then conflicts unless SO_REUSEADDR (inherited)
 * or SO_REUSEPORT (same owner) allow sharing, as on Linux. The bucket's
 * fast-path flags stay as they are (Linux updates them only on bind).
 * Softirq, listener locked. -ENOENT if the listener no longer has the port.
 */
int __inet_inherit_port(struct inet_hashinfo *h, const struct sock *sk, struct sock *child)
{
	uint16_t port = inet_sk(sk)->inet_num;
	struct inet_bind_hashbucket *head = bhash_bucket(h, port);
	uint64_t f = spin_lock_irqsave(&head->lock);
	struct inet_bind_bucket *tb = port ? bucket_find(head, port) : NULL;

	if (tb) {
		list_add(&child->sk_bind_node, &tb->owners);
		tb->num_owners++;
		inet_sk(child)->inet_num = port;
		__atomic_add_fetch(&h->bsockets, 1, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&head->lock, f);
	return tb ? 0 : -ENOENT;
}

void inet_put_port(struct inet_hashinfo *h, struct sock *sk)
{
	uint16_t port = inet_sk(sk)->inet_num;
	struct inet_bind_hashbucket *head = bhash_bucket(h, port);
	uint64_t f = spin_lock_irqsave(&head->lock);
	struct inet_bind_bucket *tb = bucket_find(head, port);

	if (tb && !list_empty(&sk->sk_bind_node)) {
		list_del_init(&sk->sk_bind_node);
		tb->num_owners--;
		__atomic_sub_fetch(&h->bsockets, 1, __ATOMIC_RELAXED);
		if (!tb->num_owners) {
			list_del_init(&tb->node);
			free(tb);
		}
	}
	inet_sk(sk)->inet_num = 0;
	spin_unlock_irqrestore(&head->lock, f);
}

int inet_hash_connect(struct inet_hashinfo *h, struct sock *sk)
{
	int low = h->port_low, span = h->port_high - low + 1;
	uint32_t offset;

	if (inet_sk(sk)->inet_num)	/* bound already: only the 4-tuple must be free */
		return inet_ehash_insert(h, sk);
	offset = prandom_u32_max((uint32_t)span);
	for (int i = 0; i < span; i++) {
		uint16_t port = (uint16_t)(low + (int)((offset + (uint32_t)i) % (uint32_t)span));
		struct inet_bind_hashbucket *head = bhash_bucket(h, port);
		uint64_t f = spin_lock_irqsave(&head->lock);
		struct inet_bind_bucket *tb = bucket_find(head, port);

		/* Ports that bind() took are off limits; connect()-only ports are shared. */
		if (tb && (tb->fastreuse >= 0 || tb->fastreuseport >= 0)) {
			spin_unlock_irqrestore(&head->lock, f);
			continue;
		}
		if (!tb && !(tb = bucket_create(head, port))) {
			spin_unlock_irqrestore(&head->lock, f);
			return -ENOMEM;
		}
		inet_sk(sk)->inet_num = port;
		inet_sk(sk)->inet_sport = (uint16_t)(port << 8 | port >> 8);
		if (inet_ehash_insert(h, sk) == 0) {	/* the 4-tuple is ours */
			int first = !tb->num_owners;

			inet_bind_hash(h, sk, tb);
			if (first) {
				tb->fastreuse = -1;
				tb->fastreuseport = -1;
			}
			spin_unlock_irqrestore(&head->lock, f);
			return 0;
		}
		inet_sk(sk)->inet_num = 0;
		if (!tb->num_owners) {
			list_del_init(&tb->node);
			free(tb);
		}
		spin_unlock_irqrestore(&head->lock, f);
	}
	return -EADDRNOTAVAIL;
}

unsigned int inet_bind_bucket_count(struct inet_hashinfo *h)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < h->bhash_size; i++) {
		uint64_t f = spin_lock_irqsave(&h->bhash[i].lock);
		struct list_head *pos, *tmp;

		list_for_each_safe(pos, tmp, &h->bhash[i].chain)
			n++;
		spin_unlock_irqrestore(&h->bhash[i].lock, f);
	}
	return n;
}
