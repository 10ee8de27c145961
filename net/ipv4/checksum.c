/*
 * The Internet checksum, RFC 1071 (Linux's lib/checksum.c and
 * arch/x86/include/asm/checksum_64.h, in portable C).
 *
 *  - csum_partial(buf, len, sum): the 32-bit one's-complement sum of
 *    @buf's 16-bit words added to @sum, not folded (Linux's __wsum).
 *  - csum_fold(sum): fold to 16 bits and complement: the field value.
 *  - ip_fast_csum(iph, ihl): an IP header's checksum (0 when valid).
 *  - csum_tcpudp_nofold(): the TCP/UDP pseudo-header (RFC 768, RFC 793
 *    §3.1) added to a partial sum.
 *
 * Words are read in host order: RFC 1071 §2(B) shows the sum is byte-order
 * independent, so the folded result is stored as is, with no swap. Callers
 * are IP, ICMP, UDP and TCP, in softirq and process context; no state.
 */
#include <net/ipv4/ipv4.h>
#include <string.h>

/* Fuzzers set this to reach past the checksum checks (lwIP's fuzz README). */
int net_csum_verify_disabled;

/* Add the carries back in until the value fits 32 bits. */
static uint32_t from64to32(uint64_t x)
{
	x = (x & 0xffffffffu) + (x >> 32);
	x = (x & 0xffffffffu) + (x >> 32);
	return (uint32_t)x;
}

uint32_t csum_partial(const void *buf, unsigned int len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = sum;

	/* Four bytes at a time; a 64-bit accumulator cannot overflow below 16 GiB. */
	while (len >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* RFC 1071: an odd last byte is padded with a zero byte after it. */
		uint8_t last[2] = { *p, 0 };
		uint16_t w;

		memcpy(&w, last, 2);
		acc += w;
	}
	return from64to32(acc);
}

uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t ip_fast_csum(const void *iph, unsigned int ihl_words)
{
	return csum_fold(csum_partial(iph, ihl_words * 4, 0));
}

uint32_t csum_tcpudp_nofold(uint32_t saddr, uint32_t daddr, uint32_t len, uint8_t proto,
			    uint32_t sum)
{
	uint64_t acc = sum;

	acc += saddr;
	acc += daddr;
	/* zero, protocol and length as they lie in the pseudo-header (network order) */
	acc += htons(proto);
	acc += htons((uint16_t)len);
	return from64to32(acc);
}
