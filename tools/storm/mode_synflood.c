/*
 * synflood: raw TCP SYNs to the target from spoofed sources, the way a
 * flood looks to a listener: each SYN has a random source address from
 * --source-addrs, a random port and a random sequence number, and carries
 * an MSS option like a real client's. Nothing is answered or awaited; an
 * operation is one SYN handed to the kernel. Needs CAP_NET_RAW (root).
 *
 *   open loop:   SYNs at --rate.
 *   closed loop: as fast as the kernel takes them (bounded by --duration
 *                and --count); ENOBUFS/EAGAIN backs off for a millisecond.
 *
 * The sources should be addresses of the test namespace's subnet that no
 * host answers for, so the target's SYN-ACKs go nowhere (as in a real
 * flood) instead of drawing RSTs.
 */
#include "storm.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH		64
#define TICK_BUDGET	4096
#define SYN_LEN		44	/* IPv4 20 + TCP 20 + MSS option 4 */
#define BACKOFF_NS	NSEC_PER_MSEC

struct syn {
	struct iphdr ip;
	struct tcphdr tcp;
	uint8_t mss[4];
} __attribute__((packed));

_Static_assert(sizeof(struct syn) == SYN_LEN, "SYN layout");

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint32_t csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* The TCP checksum over the RFC 793 pseudo-header and the segment. */
static uint16_t tcp_csum(const struct syn *s)
{
	uint8_t pseudo[12];
	uint16_t tcplen = htons(SYN_LEN - sizeof(struct iphdr));

	memcpy(pseudo, &s->ip.saddr, 4);
	memcpy(pseudo + 4, &s->ip.daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	memcpy(pseudo + 10, &tcplen, 2);
	return csum_fold(csum_add(csum_add(0, pseudo, sizeof(pseudo)), &s->tcp,
				  SYN_LEN - sizeof(struct iphdr)));
}

static void syn_build(struct worker *w, struct syn *s)
{
	const struct storm_opts *o = w->run->o;
	uint64_t r = xorshift(&w->rng);

	memset(s, 0, sizeof(*s));
	s->ip.version = 4;
	s->ip.ihl = 5;
	s->ip.tot_len = htons(SYN_LEN);	/* the kernel fills it in too */
	s->ip.id = htons((uint16_t)(r | 1));
	s->ip.frag_off = htons(IP_DF);
	s->ip.ttl = 64;
	s->ip.protocol = IPPROTO_TCP;
	s->ip.saddr = o->sources[(r >> 16) % o->nsources];
	s->ip.daddr = o->target_addr;
	s->tcp.source = htons((uint16_t)(1024 + (r >> 40) % 64512));
	s->tcp.dest = htons(o->target_port);
	s->tcp.seq = htonl((uint32_t)xorshift(&w->rng));
	s->tcp.doff = 6;
	s->tcp.syn = 1;
	s->tcp.window = htons(64240);
	s->mss[0] = 2;		/* kind MSS, length 4, 1460 */
	s->mss[1] = 4;
	s->mss[2] = 1460 >> 8;
	s->mss[3] = 1460 & 255;
	s->tcp.check = tcp_csum(s);
}

static int synflood_setup(struct worker *w)
{
	int sz = 4 << 20;

	w->raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (w->raw < 0)
		return -1;
	setsockopt(w->raw, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	w->rng = (now_ns() ^ 0x9e3779b97f4a7c15ull * (w->id + 1)) | 1;
	return 0;
}

/* Send up to @n SYNs; the number the kernel took, or -1 to back off. */
static int syn_send_batch(struct worker *w, unsigned int n)
{
	const struct storm_opts *o = w->run->o;
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct syn pkt[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr msg[BATCH];
	unsigned int i;
	int sent;

	to.sin_addr.s_addr = o->target_addr;
	memset(msg, 0, sizeof(msg));
	for (i = 0; i < n; i++) {
		syn_build(w, &pkt[i]);
		iov[i].iov_base = &pkt[i];
		iov[i].iov_len = SYN_LEN;
		msg[i].msg_hdr.msg_name = &to;
		msg[i].msg_hdr.msg_namelen = sizeof(to);
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	sent = sendmmsg(w->raw, msg, n, MSG_DONTWAIT);
	if (sent < 0) {
		if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
			return -1;
		/* Not transient: count one SYN as failed so the run moves on. */
		record_error(w, err_classify(errno), errno, "sendmmsg (raw SYN)");
		w->c.started++;
		w->c.failed++;
		return 0;
	}
	w->c.started += (uint64_t)sent;
	w->c.ops += (uint64_t)sent;
	w->iv.ops += (uint64_t)sent;
	w->c.bytes_tx += (uint64_t)sent * SYN_LEN;
	return sent;
}

static uint64_t syn_due(const struct worker *w, uint64_t now)
{
	uint64_t due = w->open_loop ? pacer_due(&w->pace, now) : UINT64_MAX;

	return w->limit && due > w->limit ? w->limit : due;
}

static void synflood_tick(struct worker *w, uint64_t now)
{
	uint64_t due = syn_due(w, now), budget = TICK_BUDGET, want;
	int sent;

	if (now < w->backoff_until)
		return;
	while (budget && w->c.started < due) {
		want = due - w->c.started;
		if (want > budget)
			want = budget;
		if (want > BATCH)
			want = BATCH;
		sent = syn_send_batch(w, (unsigned int)want);
		if (sent < 0) {
			w->backoff_until = now + BACKOFF_NS;
			return;
		}
		budget -= want;
	}
}

static void synflood_event(struct worker *w, struct conn *c, uint32_t ev)
{
	(void)w;
	(void)c;
	(void)ev;
}

static void synflood_expire(struct worker *w, struct conn *c)
{
	(void)w;
	(void)c;
}

static bool synflood_finished(const struct worker *w)
{
	return w->limit && w->c.started >= w->limit;
}

static uint64_t synflood_next_wake(const struct worker *w, uint64_t now)
{
	if (w->backoff_until > now)
		return w->backoff_until;
	if (w->limit && w->c.started >= w->limit)
		return UINT64_MAX;
	return w->open_loop ? pacer_due_at(&w->pace, w->c.started) : now;
}

static void synflood_stop(struct worker *w, uint64_t now)
{
	if (w->raw >= 0)
		close(w->raw);
	w->raw = -1;
	w->c.scheduled = w->open_loop ? syn_due(w, now) : w->c.started;
}

const struct mode_ops synflood_ops = {
	.setup = synflood_setup,
	.tick = synflood_tick,
	.event = synflood_event,
	.expire = synflood_expire,
	.finished = synflood_finished,
	.next_wake = synflood_next_wake,
	.stop = synflood_stop,
};
