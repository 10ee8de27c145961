/*
 * Ethernet framing (Linux's net/ethernet/eth.c): classify a received
 * frame and strip its header; build the header of an outgoing one.
 */
#include <net/core/netdevice.h>
#include <string.h>

static const uint8_t broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

uint16_t eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
	const uint8_t *eth = skb->data;

	skb->dev = dev;
	skb_reset_mac_header(skb);
	if (skb->len < ETH_HLEN) {	/* a runt: the caller's netif_receive_skb drops it */
		skb->protocol = 0;
		return 0;
	}
	if (eth[0] & 1)
		skb->pkt_type = memcmp(eth, broadcast, ETH_ALEN) ? PACKET_MULTICAST : PACKET_BROADCAST;
	else if (memcmp(eth, dev->dev_addr, ETH_ALEN))
		skb->pkt_type = PACKET_OTHERHOST;
	else
		skb->pkt_type = PACKET_HOST;
	skb->protocol = (uint16_t)(eth[12] | eth[13] << 8);	/* stays in network order */
	skb_pull(skb, ETH_HLEN);
	return skb->protocol;
}

void eth_header(struct sk_buff *skb, const uint8_t *dst, const uint8_t *src, uint16_t proto)
{
	uint8_t *eth = skb_push(skb, ETH_HLEN);

	memcpy(eth, dst, ETH_ALEN);
	memcpy(eth + ETH_ALEN, src, ETH_ALEN);
	memcpy(eth + 2 * ETH_ALEN, &proto, 2);	/* proto is in network order */
	skb_reset_mac_header(skb);
}
