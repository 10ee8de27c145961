/*
 * SYN cookies (Linux's net/ipv4/syncookies.c): when a listener's SYN
 * queue is full, answer a SYN without keeping state, encoding what the
 * handshake needs in our ISN; the ACK that echoes it rebuilds the
 * request (RFC 4987 §3.6).
 *
 *  - cookie_v4_init_sequence(): tcp_conn_request() with a full SYN queue.
 *    ISN = H0(4-tuple) + peer ISN + count·2^24 + (H1(4-tuple, count) + mss
 *    index) mod 2^24, count = minutes since boot; valid for 2 minutes.
 *  - cookie_v4_check(): an ACK to a listener (tcp_v4_do_rcv). Returns the
 *    listener (not a cookie: the caller goes on and resets), the child, or
 *    NULL (drop).
 *  - tcp_synack_tsval(): with timestamps, the low 6 bits of our TSval carry
 *    the peer's window scale and SACK-permitted (Linux's
 *    cookie_init_timestamp); without them a cookie loses those options.
 * Softirq context; the secrets are set at boot, the overflow time atomic.
 */
#include <net/ipv4/tcp.h>
#include <net/ipv4/tcp_input.h>
#include <net/ipv4/ipv4.h>

#define COOKIEBITS 24
#define COOKIEMASK ((1u << COOKIEBITS) - 1)
#define MAX_SYNCOOKIE_AGE 2		/* minutes a cookie stays valid */
#define TSBITS 6
#define TSMASK ((1u << TSBITS) - 1)
#define TS_OPT_WSCALE_MASK 0xf		/* all ones: no window scaling */
#define TS_OPT_SACK (1u << 4)

/* The MSS values a cookie can carry (Linux's msstab). */
static const uint16_t msstab[] = { 536, 1300, 1440, 1460 };

static uint64_t last_overflow;		/* [a] jiffies of the last cookie sent, 0 = never */

static uint32_t tcp_cookie_time(void)
{
	return (uint32_t)(jiffies / ((uint64_t)HZ * 60));
}

static uint32_t cookie_hash(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
			    uint32_t count, int c)
{
	return tcp_keyed_hash(saddr, daddr, (uint32_t)sport << 16 | dport, count, 2 + c);
}

static uint32_t secure_tcp_syn_cookie(uint32_t saddr, uint32_t daddr, uint16_t sport,
				      uint16_t dport, uint32_t sseq, uint32_t data)
{
	uint32_t count = tcp_cookie_time();

	return cookie_hash(saddr, daddr, sport, dport, 0, 0) + sseq + (count << COOKIEBITS) +
	       ((cookie_hash(saddr, daddr, sport, dport, count, 1) + data) & COOKIEMASK);
}

/* The data (mss index) inside @cookie, or (uint32_t)-1 if it is too old. */
static uint32_t check_tcp_syn_cookie(uint32_t cookie, uint32_t saddr, uint32_t daddr,
				     uint16_t sport, uint16_t dport, uint32_t sseq)
{
	uint32_t diff, count = tcp_cookie_time();

	cookie -= cookie_hash(saddr, daddr, sport, dport, 0, 0) + sseq;
	diff = (count - (cookie >> COOKIEBITS)) & ((uint32_t)-1 >> COOKIEBITS);
	if (diff >= MAX_SYNCOOKIE_AGE)
		return (uint32_t)-1;
	return (cookie - cookie_hash(saddr, daddr, sport, dport, count - diff, 1)) & COOKIEMASK;
}

void syncookie_note_overflow(void)
{
	uint64_t now = jiffies ? jiffies : 1;

	if (__atomic_load_n(&last_overflow, __ATOMIC_RELAXED) != now)
		__atomic_store_n(&last_overflow, now, __ATOMIC_RELAXED);
}

/* Was a cookie sent within their lifetime (Linux's !tcp_synq_no_recent_overflow)? */
int syncookie_recent_overflow(void)
{
	uint64_t last = __atomic_load_n(&last_overflow, __ATOMIC_RELAXED);

	return last && time_before(jiffies, last + (uint64_t)HZ * 60 * MAX_SYNCOOKIE_AGE);
}

/* The ISN for a SYN answered with a cookie; *mssp in: the peer's MSS, out: the one encoded. */
uint32_t cookie_v4_init_sequence(const struct sk_buff *skb, uint16_t *mssp)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	uint32_t mssind;

	for (mssind = sizeof(msstab) / sizeof(msstab[0]) - 1; mssind; mssind--)
		if (*mssp >= msstab[mssind])
			break;
	*mssp = msstab[mssind];
	syncookie_note_overflow();
	tcp_mib_inc(LINUX_MIB_SYNCOOKIESSENT);
	return secure_tcp_syn_cookie(iph->saddr, iph->daddr, th->source, th->dest, ntohl(th->seq),
				     mssind);
}

uint32_t tcp_synack_tsval(const struct request_sock *req)
{
	const struct sock_common *c = &req->__req_common;
	uint32_t now = tcp_clock_ms();

	if (req->cookie && req->tstamp_ok) {
		uint32_t opts = req->wscale_ok ? req->snd_wscale : TS_OPT_WSCALE_MASK;
		uint32_t ts;

		if (req->sack_ok)
			opts |= TS_OPT_SACK;
		ts = (now & ~TSMASK) | opts;
		if (after(ts, now))
			ts -= 1u << TSBITS;	/* never a TSval from the future */
		now = ts;
	}
	return now + secure_tcp_ts_off(c->skc_rcv_saddr, c->skc_daddr);
}

/* The options our cookie SYN-ACK's TSval carried, back from the echo. 0 if impossible. */
static int cookie_timestamp_decode(struct tcp_options_received *opt, uint32_t tsoff)
{
	uint32_t options = (opt->rcv_tsecr - tsoff) & TSMASK;

	if (!opt->saw_tstamp) {
		opt->wscale_ok = 0;
		opt->snd_wscale = 0;
		return 1;
	}
	if ((options & TS_OPT_WSCALE_MASK) == TS_OPT_WSCALE_MASK)
		return 1;
	if ((options & TS_OPT_WSCALE_MASK) > TCP_MAX_WSCALE)
		return 0;
	opt->wscale_ok = 1;
	opt->snd_wscale = options & TS_OPT_WSCALE_MASK;
	return 1;
}

/* Fill a request from a valid cookie ACK (Linux's cookie_v4_check, the middle part). */
static struct request_sock *cookie_req(struct sock *sk, const struct sk_buff *skb, int mss,
				       const struct tcp_options_received *opt)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct request_sock *req = reqsk_alloc(sk);

	if (!req)
		return NULL;
	req->__req_common.skc_daddr = iph->saddr;
	req->__req_common.skc_dport = th->source;
	req->__req_common.skc_rcv_saddr = iph->daddr;
	req->__req_common.skc_num = ntohs(th->dest);
	req->rcv_isn = ntohl(th->seq) - 1;
	req->snt_isn = ntohl(th->ack_seq) - 1;
	req->mss = (uint16_t)mss;
	req->tstamp_ok = opt->saw_tstamp;
	req->ts_recent = opt->saw_tstamp ? opt->rcv_tsval : 0;
	req->wscale_ok = opt->wscale_ok;
	req->snd_wscale = opt->snd_wscale;
	req->cookie = 1;
	tcp_openreq_init_rwin(req, sk);
	return req;
}

struct sock *cookie_v4_check(struct sock *sk, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	uint32_t cookie = ntohl(th->ack_seq) - 1, mssind;
	struct tcp_options_received opt = { 0 };
	struct request_sock *req;
	struct sock *child;
	int own_req, stolen = 0;

	if (!sysctl_tcp_syncookies || (th->flags & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN)) != TCPHDR_ACK)
		return sk;
	if (!syncookie_recent_overflow())
		return sk;
	mssind = check_tcp_syn_cookie(cookie, iph->saddr, iph->daddr, th->source, th->dest,
				      ntohl(th->seq) - 1);
	if (mssind >= sizeof(msstab) / sizeof(msstab[0])) {
		tcp_mib_inc(LINUX_MIB_SYNCOOKIESFAILED);
		return sk;
	}
	tcp_mib_inc(LINUX_MIB_SYNCOOKIESRECV);
	tcp_parse_options(th, 0, &opt);
	if (!cookie_timestamp_decode(&opt, secure_tcp_ts_off(iph->daddr, iph->saddr)))
		return sk;
	req = cookie_req(sk, skb, msstab[mssind], &opt);
	if (!req)
		return sk;
	child = tcp_v4_syn_recv_sock(sk, skb, req, &own_req);
	if (child)
		child = tcp_complete_hashdance(sk, child, req, own_req, &stolen);
	reqsk_put(req);		/* ours; the accept queue holds its own */
	return child;
}
