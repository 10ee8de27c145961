/*
 * TCP option parsing (Linux's tcp_parse_options, net/ipv4/tcp_input.c):
 * RFC 9293 §3.1 (EOL, NOP, MSS), RFC 7323 (window scale, timestamps),
 * RFC 2018 (SACK-permitted, SACK).
 *
 *  - tcp_parse_options(th, syn, opt): called by every input path on a
 *    header whose data offset tcp_v4_rcv() already checked.
 *
 * Options are untrusted bytes: each is bounds-checked against the header
 * before it is read. A length below 2, an option running past the header,
 * or a known option with the wrong length ends parsing there (what was
 * parsed before stands) and is reported with -1. MSS, window scale and
 * SACK-permitted mean something on a SYN only and are ignored elsewhere.
 */
#include <net/ipv4/tcp.h>
#include <net/ipv4/ipv4.h>
#include <string.h>

#define TCPOLEN_MSS 4
#define TCPOLEN_WINDOW 3
#define TCPOLEN_SACK_PERM 2
#define TCPOLEN_TIMESTAMP 10
#define TCPOLEN_SACK_BASE 2
#define TCPOLEN_SACK_PERBLOCK 8

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One known option's body (@len bytes after kind and length). 0, or -1 on a wrong length. */
static int tcp_parse_one(int kind, const uint8_t *p, int len, int syn,
			 struct tcp_options_received *opt)
{
	switch (kind) {
	case TCPOPT_MSS:
		if (len != TCPOLEN_MSS - 2)
			return -1;
		if (syn) {
			uint16_t mss = get_be16(p);

			if (mss) {	/* RFC 9293 §3.7.1: zero is meaningless; keep the default */
				if (opt->user_mss && opt->user_mss < mss)
					mss = opt->user_mss;
				opt->mss_clamp = mss;
			}
		}
		return 0;
	case TCPOPT_WINDOW:
		if (len != TCPOLEN_WINDOW - 2)
			return -1;
		if (syn) {
			opt->wscale_ok = 1;
			/* RFC 7323 §2.3: a shift above 14 is used as 14. */
			opt->snd_wscale = p[0] > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : p[0];
		}
		return 0;
	case TCPOPT_SACK_PERM:
		if (len != TCPOLEN_SACK_PERM - 2)
			return -1;
		if (syn)
			opt->sack_ok = 1;
		return 0;
	case TCPOPT_TIMESTAMP:
		if (len != TCPOLEN_TIMESTAMP - 2)
			return -1;
		opt->saw_tstamp = 1;
		opt->rcv_tsval = get_be32(p);
		opt->rcv_tsecr = get_be32(p + 4);
		return 0;
	case TCPOPT_SACK:
		if (len < TCPOLEN_SACK_PERBLOCK || len % TCPOLEN_SACK_PERBLOCK)
			return -1;
		opt->saw_sack = 1;
		opt->num_sacks = 0;
		for (int i = 0; i < len / TCPOLEN_SACK_PERBLOCK && i < TCP_NUM_SACKS; i++) {
			opt->sack[i].start_seq = get_be32(p + i * 8);
			opt->sack[i].end_seq = get_be32(p + i * 8 + 4);
			opt->num_sacks++;
		}
		return 0;
	default:
		return 0;	/* unknown kinds are skipped (RFC 9293 §3.1, MUST-68) */
	}
}

int tcp_parse_options(const struct tcphdr *th, int syn, struct tcp_options_received *opt)
{
	const uint8_t *p = (const uint8_t *)(th + 1);
	int length = (int)tcp_hdrlen(th) - (int)sizeof(struct tcphdr);

	opt->saw_tstamp = 0;
	opt->saw_sack = 0;
	opt->num_sacks = 0;
	while (length > 0) {
		int kind = *p, size;

		if (kind == TCPOPT_EOL)
			return 0;
		if (kind == TCPOPT_NOP) {
			p++;
			length--;
			continue;
		}
		if (length < 2)
			return -1;	/* a kind byte with no length byte */
		size = p[1];
		if (size < 2 || size > length)
			return -1;	/* "silly options" (Linux) or running past the header */
		if (tcp_parse_one(kind, p + 2, size - 2, syn, opt))
			return -1;
		p += size;
		length -= size;
	}
	return 0;
}
