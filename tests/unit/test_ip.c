/*
 * IPv4 input, reassembly, ICMP and output as packet traces: forge a frame,
 * feed it to the driver's entry (netif_receive_skb), then assert on the
 * counters, on the drop reasons and on what the fake NIC transmitted.
 * Every test ends with skb_outstanding() back at its baseline.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "host/net_shim.h"
#include <net/ipv4/arp.h>
#include <net/ipv4/icmp.h>
#include <net/ipv4/udp.h>
#include <net/socket.h>
#include <kernel/errno.h>

static int64_t skb_base;

static int setup(void **state)
{
	(void)state;
	net_shim_init();
	net_shim_reset();
	skb_base = skb_outstanding();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	net_shim_reset();
	assert_int_equal(skb_outstanding(), skb_base);
	assert_int_equal(ipfrag_mem(), 0);
	return 0;
}

/* The peer's MAC known and confirmed, so replies go out at once. */
static void prime_peer(void)
{
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, peer_mac, PEER_IP, NULL, SHIM_IP));
	net_rx(forge_arp(shim_mac, ARPOP_REPLY, peer_mac, PEER_IP, shim_mac, SHIM_IP));
	shim_tx_purge();
	assert_int_equal(neigh_state(PEER_IP, NULL), NUD_REACHABLE);
}

/* Feed an IPv4 datagram and expect it dropped for @reason, nothing sent. */
static void expect_drop(const struct ip_templ *t, const void *p, unsigned int len,
			enum skb_drop_reason reason)
{
	uint64_t before = skb_drop_count(reason);

	net_rx(forge_ipv4(t, p, len));
	assert_int_equal(skb_drop_count(reason), before + 1);
	assert_int_equal(shim_tx_count(), 0);
}

static struct sk_buff *echo_request(const struct ip_templ *t, uint16_t id, uint16_t seq,
				    const void *data, unsigned int len)
{
	uint8_t *buf = malloc(8 + len);
	struct sk_buff *skb;
	struct ip_templ tt = *t;
	unsigned int n;

	n = build_icmp(buf, ICMP_ECHO, 0, htons(id) | (uint32_t)htons(seq) << 16, data, len);
	tt.protocol = IPPROTO_ICMP;
	skb = forge_ipv4(&tt, buf, n);
	free(buf);
	return skb;
}

/* Check one sent frame: to the peer's MAC, a valid IPv4 header from us. */
static const struct iphdr *expect_ip_frame(const struct sk_buff *skb, uint8_t protocol)
{
	const struct iphdr *iph = tx_iph(skb);

	assert_non_null(iph);
	assert_memory_equal(tx_eth(skb), peer_mac, ETH_ALEN);
	assert_memory_equal(tx_eth(skb) + ETH_ALEN, shim_mac, ETH_ALEN);
	assert_int_equal(iph->ihl_version, 0x45);
	assert_int_equal(ip_fast_csum(iph, 5), 0);
	assert_int_equal(iph->saddr, SHIM_IP);
	assert_int_equal(iph->daddr, PEER_IP);
	assert_int_equal(iph->protocol, protocol);
	assert_true(iph->ttl > 0);
	return iph;
}

/* ---- a well-formed exchange ---- */

static void test_echo_reply(void **state)
{
	struct ip_templ t = { 0 };
	uint64_t inechos = icmp_mib_read(ICMP_MIB_INECHOS), reps = icmp_mib_read(ICMP_MIB_OUTECHOREPS);
	uint64_t inrcv = ip_mib_read(IPSTATS_MIB_INRECEIVES), deliv = ip_mib_read(IPSTATS_MIB_INDELIVERS);
	struct sk_buff *skb;
	const struct iphdr *iph;
	const struct icmphdr *ih;

	(void)state;
	prime_peer();
	net_rx(echo_request(&t, 0x1234, 7, "squall ping", 11));
	assert_int_equal(shim_tx_count(), 1);
	skb = shim_tx_pop();
	iph = expect_ip_frame(skb, IPPROTO_ICMP);
	assert_int_equal(ntohs(iph->tot_len), 20 + 8 + 11);
	assert_int_equal(iph->ttl, IPDEFTTL);
	ih = (const struct icmphdr *)tx_l4(skb);
	assert_int_equal(ih->type, ICMP_ECHOREPLY);
	assert_int_equal(ih->code, 0);
	assert_int_equal(ntohs(ih->un.echo.id), 0x1234);
	assert_int_equal(ntohs(ih->un.echo.sequence), 7);
	assert_memory_equal(ih + 1, "squall ping", 11);
	assert_int_equal(csum_fold(csum_partial(ih, 19, 0)), 0);
	consume_skb(skb);
	assert_int_equal(icmp_mib_read(ICMP_MIB_INECHOS), inechos + 1);
	assert_int_equal(icmp_mib_read(ICMP_MIB_OUTECHOREPS), reps + 1);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_INRECEIVES), inrcv + 1);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_INDELIVERS), deliv + 1);
}

static void test_link_padding_trimmed(void **state)
{
	uint8_t frame[20 + 8 + 4 + 16];
	struct ip_templ t = { .protocol = IPPROTO_ICMP };
	uint8_t icmp[12];
	struct sk_buff *skb;
	unsigned int n;

	(void)state;
	prime_peer();
	n = build_icmp(icmp, ICMP_ECHO, 0, 0, "abcd", 4);
	n = build_ipv4(frame, &t, icmp, n);
	memset(frame + n, 0xee, 16);	/* Ethernet padding after the datagram */
	net_rx(forge_frame(shim_mac, peer_mac, ETH_P_IP, frame, n + 16));
	skb = shim_tx_pop();
	assert_non_null(skb);
	assert_int_equal(ntohs(tx_iph(skb)->tot_len), 32);	/* the padding is not echoed */
	consume_skb(skb);
}

static void test_options_are_skipped(void **state)
{
	struct ip_templ t = { .ihl_words = 8 };	/* 12 bytes of NOP options */
	struct sk_buff *skb;

	(void)state;
	prime_peer();
	net_rx(echo_request(&t, 1, 1, "opt", 3));
	skb = shim_tx_pop();
	assert_non_null(skb);
	assert_int_equal(tx_iph(skb)->ihl_version, 0x45);	/* the reply carries none */
	assert_memory_equal(tx_l4(skb) + 8, "opt", 3);
	consume_skb(skb);
}

/* ---- malformed headers ---- */

static void test_runts(void **state)
{
	uint8_t junk[19];
	uint64_t hdrerr = ip_mib_read(IPSTATS_MIB_INHDRERRORS);
	uint64_t small = skb_drop_count(SKB_DROP_REASON_PKT_TOO_SMALL);
	uint64_t unhandled = skb_drop_count(SKB_DROP_REASON_UNHANDLED_PROTO);

	(void)state;
	memset(junk, 0x45, sizeof(junk));
	for (unsigned int len = 0; len < 20; len++)
		net_rx(forge_frame(shim_mac, peer_mac, ETH_P_IP, junk, len));
	assert_int_equal(ip_mib_read(IPSTATS_MIB_INHDRERRORS), hdrerr + 20);
	assert_int_equal(skb_drop_count(SKB_DROP_REASON_PKT_TOO_SMALL), small + 20);
	/* Shorter than an Ethernet header: no ethertype, nobody's packet. */
	for (unsigned int len = 0; len < ETH_HLEN; len++) {
		struct sk_buff *skb = netdev_alloc_skb(&shim_dev, 16);

		memset(skb_put(skb, len), 0x08, len);
		net_rx(skb);
	}
	assert_int_equal(skb_drop_count(SKB_DROP_REASON_UNHANDLED_PROTO), unhandled + ETH_HLEN);
	assert_int_equal(shim_tx_count(), 0);
}

static void test_bad_version_and_ihl(void **state)
{
	uint64_t hdrerr = ip_mib_read(IPSTATS_MIB_INHDRERRORS);
	struct ip_templ v6 = { .version = 6, .protocol = IPPROTO_ICMP };
	struct ip_templ ihl4 = { .ihl_words = 4, .protocol = IPPROTO_ICMP };
	struct ip_templ ihl15 = { .ihl_words = 15, .protocol = IPPROTO_ICMP };
	uint8_t frame[64];

	(void)state;
	expect_drop(&v6, "12345678", 8, SKB_DROP_REASON_IP_INHDR);
	expect_drop(&ihl4, "12345678", 8, SKB_DROP_REASON_IP_INHDR);
	/* IHL says 60 bytes, the frame holds 40. */
	build_ipv4(frame, &ihl15, NULL, 0);
	net_rx(forge_frame(shim_mac, peer_mac, ETH_P_IP, frame, 40));
	assert_int_equal(ip_mib_read(IPSTATS_MIB_INHDRERRORS), hdrerr + 3);
	assert_int_equal(shim_tx_count(), 0);
}

static void test_total_length_disagrees(void **state)
{
	struct ip_templ longer = { .protocol = IPPROTO_ICMP, .tot_len_delta = 1 };
	struct ip_templ below_ihl = { .protocol = IPPROTO_ICMP, .tot_len_delta = -9 };
	uint64_t hdrerr = ip_mib_read(IPSTATS_MIB_INHDRERRORS);

	(void)state;
	/* More than arrived: truncated on the way. */
	expect_drop(&longer, "12345678", 8, SKB_DROP_REASON_PKT_TOO_SMALL);
	/* Less than its own header. */
	expect_drop(&below_ihl, "12345678", 8, SKB_DROP_REASON_IP_INHDR);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_INHDRERRORS), hdrerr + 2);
}

static void test_bad_header_checksum(void **state)
{
	struct ip_templ t = { .protocol = IPPROTO_ICMP, .bad_csum = 1 };
	struct sk_buff *skb;
	uint64_t hdrerr = ip_mib_read(IPSTATS_MIB_INHDRERRORS);

	(void)state;
	expect_drop(&t, "12345678", 8, SKB_DROP_REASON_IP_CSUM);
	/* CHECKSUM_UNNECESSARY covers the transport only: still dropped. */
	skb = forge_ipv4(&t, "12345678", 8);
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	net_rx(skb);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_INHDRERRORS), hdrerr + 2);
}

/* ---- addressing ---- */

static void test_martians(void **state)
{
	static const uint32_t bad_src[] = { 0, 0x0100007f /* 127.0.0.1 */, 0x010000e0 /* 224.0.0.1 */,
					    0xffffffff, 0 /* ours */, 0 /* subnet bcast */ };
	static const uint32_t bad_dst[] = { 0x0100007f, 0x05000000 /* 0.0.0.5 */ };
	uint64_t addrerr = ip_mib_read(IPSTATS_MIB_INADDRERRORS);
	unsigned int n = 0;

	(void)state;
	for (unsigned int i = 0; i < 6; i++, n++) {
		struct ip_templ t = { .protocol = IPPROTO_ICMP, .saddr = bad_src[i] };

		if (i == 0)
			t.saddr = IP4(0, 0, 0, 0);
		if (i == 4)
			t.saddr = SHIM_IP;
		if (i == 5)
			t.saddr = SHIM_BCAST;
		if (!t.saddr) {
			/* The template's 0 means "default": forge 0.0.0.0 by hand. */
			uint8_t frame[28];

			build_ipv4(frame, &t, "12345678", 8);
			memset(frame + 12, 0, 4);
			((struct iphdr *)frame)->check = 0;
			((struct iphdr *)frame)->check = ip_fast_csum(frame, 5);
			net_rx(forge_frame(shim_mac, peer_mac, ETH_P_IP, frame, 28));
			continue;
		}
		expect_drop(&t, "12345678", 8, SKB_DROP_REASON_IP_MARTIAN);
	}
	for (unsigned int i = 0; i < 2; i++, n++) {
		struct ip_templ t = { .protocol = IPPROTO_ICMP, .daddr = bad_dst[i] };

		expect_drop(&t, "12345678", 8, SKB_DROP_REASON_IP_MARTIAN);
	}
	assert_int_equal(ip_mib_read(IPSTATS_MIB_INADDRERRORS), addrerr + n);
	assert_int_equal(shim_tx_count(), 0);
}

static void test_not_for_us(void **state)
{
	struct ip_templ other = { .protocol = IPPROTO_ICMP, .daddr = IP4(10, 0, 0, 3) };
	struct ip_templ mcast = { .protocol = IPPROTO_ICMP, .daddr = IP4(239, 1, 1, 1) };
	struct ip_templ uni = { .protocol = IPPROTO_ICMP };
	uint64_t inrcv = ip_mib_read(IPSTATS_MIB_INRECEIVES);
	uint64_t other_drops = skb_drop_count(SKB_DROP_REASON_OTHERHOST);
	uint8_t frame[28];

	(void)state;
	expect_drop(&other, "12345678", 8, SKB_DROP_REASON_OTHERHOST);
	expect_drop(&mcast, "12345678", 8, SKB_DROP_REASON_OTHERHOST);
	/* Another station's MAC: not counted as received at all. */
	build_ipv4(frame, &uni, "12345678", 8);
	net_rx(forge_frame(peer_mac, peer_mac, ETH_P_IP, frame, 28));
	/* RFC 1122 §3.3.6: a link broadcast carrying a unicast datagram. */
	net_rx(forge_frame(bcast_mac, peer_mac, ETH_P_IP, frame, 28));
	assert_int_equal(skb_drop_count(SKB_DROP_REASON_OTHERHOST), other_drops + 4);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_INRECEIVES), inrcv + 3);
	assert_int_equal(shim_tx_count(), 0);
}

static void test_unknown_protocol(void **state)
{
	struct ip_templ t = { .protocol = 99, .id = 0x4242 };
	struct ip_templ bc = { .protocol = 99, .daddr = 0xffffffff };
	uint64_t unknown = ip_mib_read(IPSTATS_MIB_INUNKNOWNPROTOS);
	uint8_t orig[28];
	struct sk_buff *skb;
	const struct icmphdr *ih;

	(void)state;
	prime_peer();
	build_ipv4(orig, &t, "payload!", 8);
	net_rx(forge_ipv4(&t, "payload!", 8));
	assert_int_equal(ip_mib_read(IPSTATS_MIB_INUNKNOWNPROTOS), unknown + 1);
	skb = shim_tx_pop();
	assert_non_null(skb);
	expect_ip_frame(skb, IPPROTO_ICMP);
	ih = (const struct icmphdr *)tx_l4(skb);
	assert_int_equal(ih->type, ICMP_DEST_UNREACH);
	assert_int_equal(ih->code, ICMP_PROT_UNREACH);
	assert_memory_equal(ih + 1, orig, 28);	/* the header and 8 bytes, as received */
	assert_int_equal(ntohs(tx_iph(skb)->tot_len), 20 + 8 + 28);
	consume_skb(skb);
	/* To a broadcast: counted, but nothing is said. */
	net_rx(forge_ipv4(&bc, "payload!", 8));
	assert_int_equal(ip_mib_read(IPSTATS_MIB_INUNKNOWNPROTOS), unknown + 2);
	assert_int_equal(shim_tx_count(), 0);
}

/* ---- ICMP ---- */

static void test_icmp_malformed(void **state)
{
	struct ip_templ t = { .protocol = IPPROTO_ICMP };
	uint64_t inerr = icmp_mib_read(ICMP_MIB_INERRORS), csum = icmp_mib_read(ICMP_MIB_CSUMERRORS);
	uint8_t icmp[16];
	unsigned int n;

	(void)state;
	prime_peer();
	/* Shorter than an ICMP header. */
	expect_drop(&t, "\x08\x00\xf7", 3, SKB_DROP_REASON_PKT_TOO_SMALL);
	/* Wrong checksum. */
	n = build_icmp(icmp, ICMP_ECHO, 0, 0, "abcd", 4);
	icmp[9] ^= 0xff;
	expect_drop(&t, icmp, n, SKB_DROP_REASON_IP_CSUM);
	/* Unknown type. */
	n = build_icmp(icmp, 42, 0, 0, "abcd", 4);
	expect_drop(&t, icmp, n, SKB_DROP_REASON_UNHANDLED_PROTO);
	/* An error quoting less than a header + 8 bytes. */
	n = build_icmp(icmp, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, "\x45\x00", 2);
	expect_drop(&t, icmp, n, SKB_DROP_REASON_PKT_TOO_SMALL);
	assert_int_equal(icmp_mib_read(ICMP_MIB_CSUMERRORS), csum + 1);
	assert_int_equal(icmp_mib_read(ICMP_MIB_INERRORS), inerr + 4);
}

static void test_echo_to_broadcast_ignored(void **state)
{
	struct ip_templ t = { .daddr = 0xffffffff };
	struct ip_templ sub = { .daddr = SHIM_BCAST };
	uint64_t inerr = icmp_mib_read(ICMP_MIB_INERRORS);

	(void)state;
	prime_peer();
	net_rx(echo_request(&t, 1, 1, "x", 1));
	net_rx(echo_request(&sub, 1, 2, "x", 1));
	assert_int_equal(shim_tx_count(), 0);
	assert_int_equal(icmp_mib_read(ICMP_MIB_INERRORS), inerr + 2);
}

static void test_icmp_errors_are_not_answered(void **state)
{
	struct ip_templ t = { .protocol = IPPROTO_ICMP };
	uint8_t quoted[28], icmp[64];
	struct ip_templ q = { .saddr = SHIM_IP, .daddr = PEER_IP, .protocol = 77 };
	uint64_t indest = icmp_mib_read(ICMP_MIB_INDESTUNREACHS);
	unsigned int n;

	(void)state;
	prime_peer();
	/* A well-formed destination unreachable about a protocol nobody handles. */
	build_ipv4(quoted, &q, "12345678", 8);
	n = build_icmp(icmp, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0, quoted, 28);
	net_rx(forge_ipv4(&t, icmp, n));
	assert_int_equal(icmp_mib_read(ICMP_MIB_INDESTUNREACHS), indest + 1);
	assert_int_equal(shim_tx_count(), 0);
}

/* ---- reassembly ---- */

/* One fragment of @data: bytes [off, off + len) of the datagram's payload. */
static void send_frag(uint16_t id, uint8_t proto, const uint8_t *data, unsigned int off,
		      unsigned int len, int more)
{
	struct ip_templ t = { .protocol = proto, .id = id,
			      .frag = (uint16_t)((more ? IP_MF : 0) | off / 8) };

	net_rx(forge_ipv4(&t, data + off, len));
}

static uint8_t *echo_payload(unsigned int len, uint16_t id)
{
	uint8_t *data = malloc(8 + len), body[4000];

	for (unsigned int i = 0; i < len; i++)
		body[i] = (uint8_t)(i * 7 + 3);
	build_icmp(data, ICMP_ECHO, 0, htons(id) | (uint32_t)htons(1) << 16, body, len);
	return data;
}

/* The reply to a reassembled echo arrives in MTU-sized fragments: put it together. */
static unsigned int collect_reply(uint8_t *out, unsigned int max)
{
	struct sk_buff *skb;
	unsigned int total = 0, nfrags = 0;
	uint16_t id = 0;

	while ((skb = shim_tx_pop())) {
		const struct iphdr *iph = expect_ip_frame(skb, IPPROTO_ICMP);
		unsigned int off = (ntohs(iph->frag_off) & IP_OFFSET) * 8u;
		unsigned int len = ntohs(iph->tot_len) - 20u;

		assert_true(skb->len - ETH_HLEN <= shim_dev.mtu);
		assert_int_equal(ntohs(iph->frag_off) & IP_DF, 0);
		if (nfrags++)
			assert_int_equal(iph->id, id);
		id = iph->id;
		assert_true(off + len <= max);
		memcpy(out + off, tx_l4(skb), len);
		if (!(ntohs(iph->frag_off) & IP_MF))
			total = off + len;
		consume_skb(skb);
	}
	assert_true(nfrags >= 2);
	return total;
}

static void check_echo_reply(const uint8_t *req, unsigned int len)
{
	uint8_t *reply = malloc(len + 64);
	unsigned int n = collect_reply(reply, len + 64);

	assert_int_equal(n, len);
	assert_int_equal(reply[0], ICMP_ECHOREPLY);
	assert_memory_equal(reply + 4, req + 4, len - 4);	/* id, sequence, data */
	assert_int_equal(csum_fold(csum_partial(reply, len, 0)), 0);
	free(reply);
}

static void test_reassembly_in_order_and_large_ping(void **state)
{
	uint8_t *d = echo_payload(3992, 9);
	uint64_t oks = ip_mib_read(IPSTATS_MIB_REASMOKS), reqds = ip_mib_read(IPSTATS_MIB_REASMREQDS);

	(void)state;
	prime_peer();
	send_frag(100, IPPROTO_ICMP, d, 0, 1480, 1);
	send_frag(100, IPPROTO_ICMP, d, 1480, 1480, 1);
	assert_int_equal(ipfrag_queues(), 1);
	assert_true(ipfrag_mem() > 0);
	send_frag(100, IPPROTO_ICMP, d, 2960, 4000 - 2960, 0);
	assert_int_equal(ipfrag_queues(), 0);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_REASMOKS), oks + 1);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_REASMREQDS), reqds + 3);
	check_echo_reply(d, 4000);
	free(d);
}

static void test_reassembly_out_of_order(void **state)
{
	uint8_t *d = echo_payload(2392, 10);

	(void)state;
	prime_peer();
	send_frag(101, IPPROTO_ICMP, d, 1600, 800, 0);
	send_frag(101, IPPROTO_ICMP, d, 800, 800, 1);
	assert_int_equal(shim_tx_count(), 0);
	send_frag(101, IPPROTO_ICMP, d, 0, 800, 1);
	check_echo_reply(d, 2400);
	free(d);
}

static void test_reassembly_duplicate_is_dropped_alone(void **state)
{
	uint8_t *d = echo_payload(1592, 11);
	uint64_t discards = ip_mib_read(IPSTATS_MIB_INDISCARDS);

	(void)state;
	prime_peer();
	send_frag(102, IPPROTO_ICMP, d, 0, 800, 1);
	send_frag(102, IPPROTO_ICMP, d, 0, 800, 1);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_INDISCARDS), discards + 1);
	send_frag(102, IPPROTO_ICMP, d, 800, 800, 0);
	check_echo_reply(d, 1600);
	free(d);
}

static void test_reassembly_overlap_discards_datagram(void **state)
{
	uint8_t *d = echo_payload(2392, 12);
	uint64_t fails = ip_mib_read(IPSTATS_MIB_REASMFAILS);

	(void)state;
	prime_peer();
	send_frag(103, IPPROTO_ICMP, d, 0, 800, 1);
	send_frag(103, IPPROTO_ICMP, d, 1600, 800, 0);
	send_frag(103, IPPROTO_ICMP, d, 400, 800, 1);	/* overlaps the first */
	assert_int_equal(ip_mib_read(IPSTATS_MIB_REASMFAILS), fails + 1);
	assert_int_equal(ipfrag_queues(), 0);
	/* The remaining pieces start a new queue that never completes: no reply. */
	send_frag(103, IPPROTO_ICMP, d, 800, 800, 1);
	assert_int_equal(ipfrag_queues(), 1);
	assert_int_equal(shim_tx_count(), 0);
	free(d);
}

static void test_reassembly_corrupt_ends(void **state)
{
	uint8_t *d = echo_payload(2392, 13);
	uint64_t fails = ip_mib_read(IPSTATS_MIB_REASMFAILS);
	uint64_t hdrerr = ip_mib_read(IPSTATS_MIB_INHDRERRORS);

	(void)state;
	/* Two different last fragments. */
	send_frag(104, IPPROTO_ICMP, d, 1600, 800, 0);
	send_frag(104, IPPROTO_ICMP, d, 800, 792, 0);
	/* Data beyond a known end. */
	send_frag(105, IPPROTO_ICMP, d, 800, 800, 0);
	send_frag(105, IPPROTO_ICMP, d, 1600, 800, 1);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_REASMFAILS), fails + 2);
	/* A middle fragment that is not a multiple of 8, and one ending past 64 KiB. */
	send_frag(106, IPPROTO_ICMP, d, 0, 801, 1);
	{
		struct ip_templ t = { .protocol = IPPROTO_ICMP, .id = 107, .frag = (65528 - 8) / 8 };

		net_rx(forge_ipv4(&t, d, 16));
	}
	assert_int_equal(ip_mib_read(IPSTATS_MIB_INHDRERRORS), hdrerr + 2);
	assert_int_equal(ipfrag_queues(), 0);
	assert_int_equal(shim_tx_count(), 0);
	free(d);
}

static void test_reassembly_timeout(void **state)
{
	uint8_t *d = echo_payload(2392, 14);
	uint64_t tmo = ip_mib_read(IPSTATS_MIB_REASMTIMEOUT), fails = ip_mib_read(IPSTATS_MIB_REASMFAILS);
	uint64_t texc = icmp_mib_read(ICMP_MIB_OUTTIMEEXCDS);
	uint8_t first[20];
	struct ip_templ t = { .protocol = IPPROTO_ICMP, .id = 108, .frag = IP_MF };
	struct sk_buff *skb;
	const struct icmphdr *ih;

	(void)state;
	prime_peer();
	build_ipv4(first, &t, NULL, 0);
	send_frag(108, IPPROTO_ICMP, d, 0, 800, 1);	/* the first, but never the rest */
	send_frag(109, IPPROTO_ICMP, d, 800, 800, 1);	/* a middle one only */
	net_shim_advance(29000);
	assert_int_equal(ipfrag_queues(), 2);
	net_shim_advance(1100);
	assert_int_equal(ipfrag_queues(), 0);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_REASMTIMEOUT), tmo + 2);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_REASMFAILS), fails + 2);
	/* One time exceeded, about the datagram whose fragment zero came (RFC 1122 §3.3.2). */
	assert_int_equal(icmp_mib_read(ICMP_MIB_OUTTIMEEXCDS), texc + 1);
	/* The peer's entry went stale meanwhile: a unicast ARP probe goes first. */
	skb = shim_tx_pop();
	assert_non_null(skb);
	assert_null(tx_iph(skb));
	assert_memory_equal(tx_eth(skb), peer_mac, ETH_ALEN);
	consume_skb(skb);
	skb = shim_tx_pop();
	assert_non_null(skb);
	expect_ip_frame(skb, IPPROTO_ICMP);
	ih = (const struct icmphdr *)tx_l4(skb);
	assert_int_equal(ih->type, ICMP_TIME_EXCEEDED);
	assert_int_equal(ih->code, ICMP_EXC_FRAGTIME);
	/* The quote is fragment zero's header (its length field says 820). */
	assert_memory_equal((const uint8_t *)(ih + 1) + 4, first + 4, 4);	/* id, flags */
	assert_memory_equal((const uint8_t *)(ih + 1) + 12, first + 12, 8);	/* addresses */
	assert_memory_equal((const uint8_t *)(ih + 1) + 20, d, 8);
	consume_skb(skb);
	assert_int_equal(shim_tx_count(), 0);
	free(d);
}

static void test_reassembly_timeout_of_icmp_error_is_silent(void **state)
{
	uint8_t quoted[28], icmp[36];
	struct ip_templ q = { .saddr = SHIM_IP, .daddr = PEER_IP, .protocol = 77 };
	uint64_t texc = icmp_mib_read(ICMP_MIB_OUTTIMEEXCDS);

	(void)state;
	prime_peer();
	build_ipv4(quoted, &q, "12345678", 8);
	build_icmp(icmp, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0, quoted, 28);
	send_frag(110, IPPROTO_ICMP, icmp, 0, 16, 1);	/* fragment zero of an ICMP error */
	net_shim_advance(31000);
	assert_int_equal(ipfrag_queues(), 0);
	assert_int_equal(icmp_mib_read(ICMP_MIB_OUTTIMEEXCDS), texc);
	assert_int_equal(shim_tx_count(), 0);
}

static void test_reassembly_too_many_fragments(void **state)
{
	uint8_t *d = echo_payload(2000, 15);
	uint64_t fails = ip_mib_read(IPSTATS_MIB_REASMFAILS);

	(void)state;
	for (unsigned int i = 0; i < 129; i++)
		send_frag(111, IPPROTO_ICMP, d, i * 8, 8, 1);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_REASMFAILS), fails + 1);
	assert_int_equal(ipfrag_queues(), 0);
	free(d);
}

static void test_reassembly_memory_is_bounded(void **state)
{
	uint8_t *d = echo_payload(1600, 16);
	uint64_t fails = ip_mib_read(IPSTATS_MIB_REASMFAILS);
	unsigned int sent = 0;

	(void)state;
	/* Thousands of datagrams that never complete, each holding ~1 KiB. */
	for (unsigned int id = 0; id < 6000; id++, sent++) {
		send_frag((uint16_t)(1000 + id), IPPROTO_ICMP, d, 0, 800, 1);
		assert_true(ipfrag_mem() <= (4u << 20));
	}
	assert_true(ip_mib_read(IPSTATS_MIB_REASMFAILS) > fails);	/* some were refused */
	assert_true(ipfrag_queues() < sent);
	net_shim_advance(31000);	/* and all expire */
	assert_int_equal(ipfrag_queues(), 0);
	shim_tx_purge();		/* time exceeded messages (rate-limited) */
	free(d);
}

/* ---- output ---- */

static struct sk_buff *payload_skb(unsigned int len)
{
	struct sk_buff *skb = alloc_skb(MAX_HEADER + len);

	skb_reserve(skb, MAX_HEADER);
	memset(skb_put(skb, len), 0xab, len);
	return skb;
}

static void test_output_header(void **state)
{
	struct sk_buff *skb;
	const struct iphdr *iph;

	(void)state;
	prime_peer();
	assert_int_equal(ip_build_and_send_pkt(payload_skb(100), 0, PEER_IP, 253, 0x10, 0), 0);
	skb = shim_tx_pop();
	iph = expect_ip_frame(skb, 253);
	assert_int_equal(ntohs(iph->frag_off), IP_DF);
	assert_int_equal(iph->ttl, IPDEFTTL);
	assert_int_equal(iph->tos, 0x10);
	assert_int_equal(ntohs(iph->tot_len), 120);
	consume_skb(skb);
	/* Too big with DF: refused, not fragmented. */
	assert_int_equal(ip_build_and_send_pkt(payload_skb(1481), 0, PEER_IP, 253, 0, 9), -EMSGSIZE);
	assert_int_equal(shim_tx_count(), 0);
}

static void test_output_routes(void **state)
{
	uint64_t noroute = ip_mib_read(IPSTATS_MIB_OUTNOROUTES);
	struct sk_buff *skb;

	(void)state;
	prime_peer();
	/* Off-link: to the gateway's MAC (the peer is the gateway). */
	assert_int_equal(ip_build_and_send_pkt(payload_skb(10), 0, IP4(192, 0, 2, 1), 253, 0, 0), 0);
	skb = shim_tx_pop();
	assert_memory_equal(tx_eth(skb), peer_mac, ETH_ALEN);
	assert_int_equal(tx_iph(skb)->daddr, IP4(192, 0, 2, 1));
	consume_skb(skb);
	/* Broadcasts need no ARP. */
	assert_int_equal(ip_build_and_send_pkt(payload_skb(10), 0, SHIM_BCAST, 253, 0, 0), 0);
	skb = shim_tx_pop();
	assert_memory_equal(tx_eth(skb), bcast_mac, ETH_ALEN);
	consume_skb(skb);
	/* No gateway, or ourselves, or loopback: unreachable. */
	ip_config_set(SHIM_IP, SHIM_MASK, 0);
	assert_int_equal(ip_build_and_send_pkt(payload_skb(10), 0, IP4(192, 0, 2, 1), 253, 0, 0),
			 -ENETUNREACH);
	assert_int_equal(ip_build_and_send_pkt(payload_skb(10), 0, SHIM_IP, 253, 0, 0), -ENETUNREACH);
	assert_int_equal(ip_build_and_send_pkt(payload_skb(10), 0, IP4(127, 0, 0, 1), 253, 0, 0),
			 -ENETUNREACH);
	/* A gateway off the subnet is no gateway. */
	ip_config_set(SHIM_IP, SHIM_MASK, IP4(10, 9, 9, 9));
	assert_int_equal(ip_build_and_send_pkt(payload_skb(10), 0, IP4(192, 0, 2, 1), 253, 0, 0),
			 -ENETUNREACH);
	assert_int_equal(ip_mib_read(IPSTATS_MIB_OUTNOROUTES), noroute + 4);
	assert_int_equal(shim_tx_count(), 0);
}

static void test_tx_ring_full_is_counted(void **state)
{
	uint64_t full = skb_drop_count(SKB_DROP_REASON_TX_RING_FULL);

	(void)state;
	prime_peer();
	shim_tx_busy = 1;
	assert_int_equal(ip_build_and_send_pkt(payload_skb(10), 0, PEER_IP, 253, 0, 0), 0);
	assert_int_equal(skb_drop_count(SKB_DROP_REASON_TX_RING_FULL), full + 1);
}

static void test_config_params(void **state)
{
	struct ip_config c;

	(void)state;
	assert_null(ip_param_set("ip", "10.77.0.2/24"));
	assert_null(ip_param_set("gw", "10.77.0.1"));
	ip_config_get(&c);
	assert_int_equal(c.addr, IP4(10, 77, 0, 2));
	assert_int_equal(c.mask, IP4(255, 255, 255, 0));
	assert_int_equal(c.gw, IP4(10, 77, 0, 1));
	assert_null(ip_param_set("ip", "192.168.1.9"));	/* /24 by default */
	assert_null(ip_param_set("ip", "172.16.0.1/12"));
	ip_config_get(&c);
	assert_int_equal(c.mask, IP4(255, 240, 0, 0));
	assert_non_null(ip_param_set("ip", NULL));
	assert_non_null(ip_param_set("ip", "10.0.0"));
	assert_non_null(ip_param_set("ip", "10.0.0.256/24"));
	assert_non_null(ip_param_set("ip", "10.0.0.1/33"));
	assert_non_null(ip_param_set("ip", "10.0.0.1/"));
	assert_non_null(ip_param_set("ip", "127.0.0.1/8"));
	assert_non_null(ip_param_set("ip", "224.0.0.1"));
	assert_non_null(ip_param_set("ip", " 10.0.0.1"));
	assert_non_null(ip_param_set("gw", "10.0.0.1x"));
	assert_non_null(ip_param_set("gw", "1.2.3.4.5"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_echo_reply),
		T(test_link_padding_trimmed),
		T(test_options_are_skipped),
		T(test_runts),
		T(test_bad_version_and_ihl),
		T(test_total_length_disagrees),
		T(test_bad_header_checksum),
		T(test_martians),
		T(test_not_for_us),
		T(test_unknown_protocol),
		T(test_icmp_malformed),
		T(test_echo_to_broadcast_ignored),
		T(test_icmp_errors_are_not_answered),
		T(test_reassembly_in_order_and_large_ping),
		T(test_reassembly_out_of_order),
		T(test_reassembly_duplicate_is_dropped_alone),
		T(test_reassembly_overlap_discards_datagram),
		T(test_reassembly_corrupt_ends),
		T(test_reassembly_timeout),
		T(test_reassembly_timeout_of_icmp_error_is_silent),
		T(test_reassembly_too_many_fragments),
		T(test_reassembly_memory_is_bounded),
		T(test_output_header),
		T(test_output_routes),
		T(test_tx_ring_full_is_counted),
		T(test_config_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
