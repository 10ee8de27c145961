/*
 * ARP and the neighbour cache as packet traces: requests answered,
 * learning, malformed packets, resolution with its bounded queue,
 * retransmission and failure on a clock the test moves, and a flood from
 * ten thousand addresses that must not grow the table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "host/net_shim.h"
#include <net/ipv4/arp.h>

static int64_t skb_base;
static const uint8_t other_mac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x77 };

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
	assert_int_equal(neigh_count(), 0);
	assert_int_equal(skb_outstanding(), skb_base);
	return 0;
}

static const struct arphdr *tx_arp(const struct sk_buff *skb)
{
	assert_int_equal(skb->len, ETH_HLEN + sizeof(struct arphdr));
	assert_int_equal(skb->data[12], 0x08);
	assert_int_equal(skb->data[13], 0x06);
	return (const struct arphdr *)(skb->data + ETH_HLEN);
}

/* Pop one frame and check it is an ARP request for @tip, to @dst. */
static void expect_request(uint32_t tip, const uint8_t *dst)
{
	struct sk_buff *skb = shim_tx_pop();
	const struct arphdr *a;

	assert_non_null(skb);
	a = tx_arp(skb);
	assert_memory_equal(tx_eth(skb), dst, ETH_ALEN);
	assert_int_equal(ntohs(a->ar_op), ARPOP_REQUEST);
	assert_memory_equal(a->ar_sha, shim_mac, ETH_ALEN);
	assert_int_equal(a->ar_sip, SHIM_IP);
	assert_int_equal(a->ar_tip, tip);
	consume_skb(skb);
}

static struct sk_buff *ip_payload(unsigned char tag)
{
	struct sk_buff *skb = alloc_skb(MAX_HEADER + 4);

	skb_reserve(skb, MAX_HEADER);
	memset(skb_put(skb, 4), tag, 4);
	return skb;
}

static int send_ip(uint32_t daddr, unsigned char tag)
{
	return ip_build_and_send_pkt(ip_payload(tag), 0, daddr, 253, 0, 0);
}

/* ---- answering ---- */

static void test_request_for_us_is_answered(void **state)
{
	uint64_t replies = arp_mib_read(ARP_MIB_OUTREPLIES);
	struct sk_buff *skb;
	const struct arphdr *a;
	uint8_t ha[ETH_ALEN];

	(void)state;
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, peer_mac, PEER_IP, NULL, SHIM_IP));
	skb = shim_tx_pop();
	assert_non_null(skb);
	a = tx_arp(skb);
	assert_memory_equal(tx_eth(skb), peer_mac, ETH_ALEN);
	assert_memory_equal(tx_eth(skb) + ETH_ALEN, shim_mac, ETH_ALEN);
	assert_int_equal(ntohs(a->ar_hrd), ARPHRD_ETHER);
	assert_int_equal(ntohs(a->ar_pro), ETH_P_IP);
	assert_int_equal(ntohs(a->ar_op), ARPOP_REPLY);
	assert_memory_equal(a->ar_sha, shim_mac, ETH_ALEN);
	assert_int_equal(a->ar_sip, SHIM_IP);
	assert_memory_equal(a->ar_tha, peer_mac, ETH_ALEN);
	assert_int_equal(a->ar_tip, PEER_IP);
	consume_skb(skb);
	assert_int_equal(arp_mib_read(ARP_MIB_OUTREPLIES), replies + 1);
	/* The asker is remembered, unconfirmed (Linux's neigh_event_ns). */
	assert_int_equal(neigh_state(PEER_IP, ha), NUD_STALE);
	assert_memory_equal(ha, peer_mac, ETH_ALEN);
}

static void test_request_for_others_learns_nothing(void **state)
{
	(void)state;
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, peer_mac, PEER_IP, NULL, IP4(10, 0, 0, 9)));
	assert_int_equal(shim_tx_count(), 0);
	assert_int_equal(neigh_state(PEER_IP, NULL), NUD_NONE);
	/* An unsolicited reply makes no entry either (Linux's arp_accept = 0). */
	net_rx(forge_arp(shim_mac, ARPOP_REPLY, peer_mac, PEER_IP, shim_mac, SHIM_IP));
	assert_int_equal(neigh_state(PEER_IP, NULL), NUD_NONE);
	assert_int_equal(neigh_count(), 0);
}

static void test_address_probe_is_answered(void **state)
{
	struct sk_buff *skb;
	const struct arphdr *a;

	(void)state;
	/* RFC 5227: "who has 10.0.0.2?" from 0.0.0.0 while the asker configures. */
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, other_mac, 0, NULL, SHIM_IP));
	skb = shim_tx_pop();
	assert_non_null(skb);
	a = tx_arp(skb);
	assert_int_equal(ntohs(a->ar_op), ARPOP_REPLY);
	assert_memory_equal(tx_eth(skb), other_mac, ETH_ALEN);
	assert_int_equal(a->ar_tip, 0);
	consume_skb(skb);
	assert_int_equal(neigh_count(), 0);
}

/* ---- refusing ---- */

static void feed_raw_arp(const void *a, unsigned int len)
{
	net_rx(forge_frame(bcast_mac, peer_mac, ETH_P_ARP, a, len));
}

static void test_malformed(void **state)
{
	uint64_t inerr = arp_mib_read(ARP_MIB_INERRORS), drops = skb_drop_count(SKB_DROP_REASON_ARP);
	struct arphdr good = {
		.ar_hrd = htons(ARPHRD_ETHER), .ar_pro = htons(ETH_P_IP), .ar_hln = 6, .ar_pln = 4,
		.ar_op = htons(ARPOP_REQUEST), .ar_sip = PEER_IP, .ar_tip = SHIM_IP,
	};
	struct arphdr a;

	(void)state;
	memcpy(good.ar_sha, peer_mac, ETH_ALEN);
	a = good, a.ar_hrd = htons(6);		/* IEEE 802 */
	feed_raw_arp(&a, sizeof(a));
	a = good, a.ar_pro = htons(0x86dd);
	feed_raw_arp(&a, sizeof(a));
	a = good, a.ar_hln = 8;
	feed_raw_arp(&a, sizeof(a));
	a = good, a.ar_pln = 16;
	feed_raw_arp(&a, sizeof(a));
	a = good, a.ar_op = htons(3);		/* RARP request */
	feed_raw_arp(&a, sizeof(a));
	for (unsigned int len = 0; len < sizeof(good); len += 3)
		feed_raw_arp(&good, len);	/* truncated */
	assert_int_equal(arp_mib_read(ARP_MIB_INERRORS), inerr + 5 + 10);
	assert_int_equal(skb_drop_count(SKB_DROP_REASON_ARP), drops + 5 + 10);
	assert_int_equal(shim_tx_count(), 0);
	assert_int_equal(neigh_count(), 0);
}

static void test_refused_senders(void **state)
{
	uint64_t disc = arp_mib_read(ARP_MIB_INDISCARDS);
	uint8_t mcast_mac[ETH_ALEN] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

	(void)state;
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, peer_mac, IP4(127, 0, 0, 1), NULL, SHIM_IP));
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, peer_mac, IP4(224, 0, 0, 1), NULL, SHIM_IP));
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, peer_mac, 0xffffffff, NULL, SHIM_IP));
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, mcast_mac, PEER_IP, NULL, SHIM_IP));
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, bcast_mac, PEER_IP, NULL, SHIM_IP));
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, peer_mac, PEER_IP, NULL, IP4(224, 0, 0, 5)));
	/* Someone else claiming our address. */
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, other_mac, SHIM_IP, NULL, PEER_IP));
	assert_int_equal(arp_mib_read(ARP_MIB_INDISCARDS), disc + 7);
	/* A frame for another station's MAC. */
	net_rx(forge_arp(other_mac, ARPOP_REQUEST, peer_mac, PEER_IP, NULL, SHIM_IP));
	assert_int_equal(arp_mib_read(ARP_MIB_INDISCARDS), disc + 8);
	assert_int_equal(shim_tx_count(), 0);
	assert_int_equal(neigh_count(), 0);
}

/* ---- resolving ---- */

static void test_resolution_queues_three_then_flushes(void **state)
{
	uint64_t qfull = skb_drop_count(SKB_DROP_REASON_NEIGH_QUEUEFULL);
	struct sk_buff *skb;

	(void)state;
	assert_int_equal(send_ip(PEER_IP, 1), 0);
	expect_request(PEER_IP, bcast_mac);
	assert_int_equal(neigh_state(PEER_IP, NULL), NUD_INCOMPLETE);
	for (unsigned char tag = 2; tag <= 4; tag++)
		assert_int_equal(send_ip(PEER_IP, tag), 0);
	/* Only NEIGH_UNRES_QLEN wait; the oldest went (Linux drops from the head). */
	assert_int_equal(skb_drop_count(SKB_DROP_REASON_NEIGH_QUEUEFULL), qfull + 1);
	assert_int_equal(shim_tx_count(), 0);
	net_rx(forge_arp(shim_mac, ARPOP_REPLY, peer_mac, PEER_IP, shim_mac, SHIM_IP));
	assert_int_equal(neigh_state(PEER_IP, NULL), NUD_REACHABLE);
	for (unsigned char tag = 2; tag <= 4; tag++) {
		skb = shim_tx_pop();
		assert_non_null(skb);
		assert_memory_equal(tx_eth(skb), peer_mac, ETH_ALEN);
		assert_int_equal(tx_l4(skb)[0], tag);	/* in order */
		consume_skb(skb);
	}
	/* Then straight out, with no further ARP. */
	send_ip(PEER_IP, 5);
	skb = shim_tx_pop();
	assert_int_equal(tx_l4(skb)[0], 5);
	consume_skb(skb);
	assert_int_equal(shim_tx_count(), 0);
}

static void test_retransmit_then_fail(void **state)
{
	uint64_t failed = skb_drop_count(SKB_DROP_REASON_NEIGH_FAILED);
	uint64_t resfail = arp_mib_read(NEIGH_MIB_RES_FAILED);

	(void)state;
	send_ip(PEER_IP, 1);
	send_ip(PEER_IP, 2);
	expect_request(PEER_IP, bcast_mac);
	net_shim_advance(990);
	assert_int_equal(shim_tx_count(), 0);
	net_shim_advance(10);
	expect_request(PEER_IP, bcast_mac);
	net_shim_advance(1000);
	expect_request(PEER_IP, bcast_mac);
	net_shim_advance(1000);
	/* Three requests unanswered: FAILED, and what waited is dropped. */
	assert_int_equal(shim_tx_count(), 0);
	assert_int_equal(neigh_state(PEER_IP, NULL), NUD_FAILED);
	assert_int_equal(skb_drop_count(SKB_DROP_REASON_NEIGH_FAILED), failed + 2);
	assert_int_equal(arp_mib_read(NEIGH_MIB_RES_FAILED), resfail + 1);
	net_shim_advance(10000);
	assert_int_equal(shim_tx_count(), 0);	/* no timer left running */
	/* The next packet starts a new round. */
	send_ip(PEER_IP, 3);
	expect_request(PEER_IP, bcast_mac);
	assert_int_equal(neigh_state(PEER_IP, NULL), NUD_INCOMPLETE);
}

static void resolve_peer(const uint8_t *mac)
{
	send_ip(PEER_IP, 0);
	expect_request(PEER_IP, bcast_mac);
	net_rx(forge_arp(shim_mac, ARPOP_REPLY, mac, PEER_IP, shim_mac, SHIM_IP));
	shim_tx_purge();
}

static void test_stale_entry_is_probed(void **state)
{
	struct sk_buff *skb;

	(void)state;
	resolve_peer(peer_mac);
	net_shim_advance(NEIGH_REACHABLE_MS + 100);
	/* Past its confirmation: still used, but asked about directly. */
	send_ip(PEER_IP, 7);
	expect_request(PEER_IP, peer_mac);
	skb = shim_tx_pop();
	assert_int_equal(tx_l4(skb)[0], 7);
	assert_memory_equal(tx_eth(skb), peer_mac, ETH_ALEN);
	consume_skb(skb);
	assert_int_equal(neigh_state(PEER_IP, NULL), NUD_PROBE);
	/* The answer confirms it again. */
	net_rx(forge_arp(shim_mac, ARPOP_REPLY, peer_mac, PEER_IP, shim_mac, SHIM_IP));
	assert_int_equal(neigh_state(PEER_IP, NULL), NUD_REACHABLE);
	net_shim_advance(5000);
	assert_int_equal(shim_tx_count(), 0);
}

static void test_stale_entry_without_answer_fails(void **state)
{
	(void)state;
	resolve_peer(peer_mac);
	net_shim_advance(NEIGH_REACHABLE_MS + 100);
	send_ip(PEER_IP, 7);
	expect_request(PEER_IP, peer_mac);
	shim_tx_purge();
	net_shim_advance(1010);
	expect_request(PEER_IP, peer_mac);
	net_shim_advance(1000);
	expect_request(PEER_IP, peer_mac);
	net_shim_advance(1000);
	assert_int_equal(neigh_state(PEER_IP, NULL), NUD_FAILED);
	/* The per-CPU fast path must not keep using the dead address. */
	send_ip(PEER_IP, 8);
	expect_request(PEER_IP, bcast_mac);
	assert_int_equal(shim_tx_count(), 0);
}

static void test_new_address_takes_effect(void **state)
{
	struct sk_buff *skb;

	(void)state;
	resolve_peer(peer_mac);
	send_ip(PEER_IP, 1);	/* fills this CPU's fast path */
	shim_tx_purge();
	net_rx(forge_arp(shim_mac, ARPOP_REPLY, other_mac, PEER_IP, shim_mac, SHIM_IP));
	send_ip(PEER_IP, 2);
	skb = shim_tx_pop();
	assert_memory_equal(tx_eth(skb), other_mac, ETH_ALEN);
	consume_skb(skb);
}

/* ---- bounds ---- */

static void test_flood_stays_bounded(void **state)
{
	uint64_t gc = arp_mib_read(NEIGH_MIB_FORCED_GC_RUNS);
	uint64_t replies = arp_mib_read(ARP_MIB_OUTREPLIES);
	uint8_t mac[ETH_ALEN] = { 0x02, 0x10, 0, 0, 0, 0 };

	(void)state;
	/* One resolution in progress: it must survive the flood. */
	send_ip(PEER_IP, 1);
	shim_tx_purge();
	for (unsigned int i = 0; i < 10000; i++) {
		uint32_t sip = IP4(10, 1 + (i >> 16), (i >> 8) & 0xff, i & 0xff);

		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, mac, sip, NULL, SHIM_IP));
		shim_tx_purge();
		assert_true(neigh_count() <= NEIGH_MAX);
	}
	assert_int_equal(arp_mib_read(ARP_MIB_OUTREPLIES), replies + 10000);
	assert_true(arp_mib_read(NEIGH_MIB_FORCED_GC_RUNS) > gc);
	assert_int_equal(neigh_state(PEER_IP, NULL), NUD_INCOMPLETE);
	net_rx(forge_arp(shim_mac, ARPOP_REPLY, peer_mac, PEER_IP, shim_mac, SHIM_IP));
	assert_int_equal(shim_tx_count(), 1);	/* the packet that waited */
}

static void test_table_full_of_unresolved(void **state)
{
	uint64_t fulls = arp_mib_read(NEIGH_MIB_TABLE_FULLS);

	(void)state;
	ip_config_set(SHIM_IP, IP4(255, 255, 0, 0), PEER_IP);
	for (unsigned int i = 0; i < NEIGH_MAX + 40; i++)
		send_ip(IP4(10, 0, 1 + i / 200, 1 + i % 200), 1);
	/* Entries being resolved are never evicted: the rest are refused, counted. */
	assert_int_equal(neigh_count(), NEIGH_MAX);
	assert_int_equal(arp_mib_read(NEIGH_MIB_TABLE_FULLS), fulls + 40);
	shim_tx_purge();
	net_shim_advance(3500);		/* they all fail */
	assert_int_equal(shim_tx_count(), 2 * NEIGH_MAX);	/* two retransmissions each */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_request_for_us_is_answered),
		T(test_request_for_others_learns_nothing),
		T(test_address_probe_is_answered),
		T(test_malformed),
		T(test_refused_senders),
		T(test_resolution_queues_three_then_flushes),
		T(test_retransmit_then_fail),
		T(test_stale_entry_is_probed),
		T(test_stale_entry_without_answer_fails),
		T(test_new_address_takes_effect),
		T(test_flood_stays_bounded),
		T(test_table_full_of_unresolved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
