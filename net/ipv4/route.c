/*
 * Routing for one interface (a tiny Linux net/ipv4/route.c): the address
 * and subnet from ip=A.B.C.D/N, the default gateway from gw=A.B.C.D.
 *
 *  - ip_route_output(daddr): the device, next hop and source address; a
 *    destination inside the subnet is on-link, a broadcast needs no ARP,
 *    anything else goes to the gateway, and with no gateway it is
 *    -ENETUNREACH (RFC 1122 §3.3.1.1).
 *  - inet_local_addr / inet_addr_is_local / inet_addr_is_broadcast: the
 *    input path's "is this datagram for us" (ip_input.c, udp.c).
 *
 * The configuration is written at boot (params, before any CPU receives)
 * or by a test between packets, and read locklessly after: [I].
 */
#include <net/ipv4/ipv4.h>
#include <kernel/errno.h>
#include <kernel/params.h>
#include <stdlib.h>

static struct ip_config ip_cfg;		/* [I] after boot */

void ip_config_set(uint32_t addr, uint32_t mask, uint32_t gw)
{
	ip_cfg.addr = addr;
	ip_cfg.mask = mask;
	ip_cfg.gw = gw;
}

void ip_config_get(struct ip_config *out)
{
	*out = ip_cfg;
}

uint32_t inet_local_addr(void)
{
	return ip_cfg.addr;
}

uint32_t inet_subnet_broadcast(void)
{
	if (!ip_cfg.addr || ip_cfg.mask == INADDR_BROADCAST)
		return 0;	/* a /32 has no directed broadcast */
	return ip_cfg.addr | ~ip_cfg.mask;
}

int inet_addr_is_broadcast(uint32_t addr)
{
	return ipv4_is_lbcast(addr) || (addr && addr == inet_subnet_broadcast());
}

int inet_addr_is_local(uint32_t addr)
{
	return (ip_cfg.addr && addr == ip_cfg.addr) || inet_addr_is_broadcast(addr);
}

int ip_route_output(uint32_t daddr, struct rtable *rt)
{
	struct net_device *dev = netdev_get();

	rt->flags = 0;
	rt->dev = dev;
	rt->saddr = ip_cfg.addr;
	if (!dev)
		return -ENETUNREACH;
	if (inet_addr_is_broadcast(daddr)) {
		rt->nexthop = daddr;
		rt->flags = RTF_BROADCAST;
		return 0;
	}
	/* No loopback device: our own address and 0/8, 127/8, 224/4 are unreachable. */
	if (!ip_cfg.addr || daddr == ip_cfg.addr || ipv4_is_zeronet(daddr) ||
	    ipv4_is_loopback(daddr) || ipv4_is_multicast(daddr))
		return -ENETUNREACH;
	if (((daddr ^ ip_cfg.addr) & ip_cfg.mask) == 0) {
		rt->nexthop = daddr;
		return 0;
	}
	/* The gateway must itself be on-link (Linux refuses such a route). */
	if (!ip_cfg.gw || ((ip_cfg.gw ^ ip_cfg.addr) & ip_cfg.mask))
		return -ENETUNREACH;
	rt->nexthop = ip_cfg.gw;
	return 0;
}

/* ---- ip= and gw= ---- */

/* Dotted quad to network order; NULL on success, else why not. */
static const char *parse_addr(const char *s, const char **end, uint32_t *out)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		char *e;
		unsigned long v;

		if (*s < '0' || *s > '9')
			return "expected A.B.C.D";
		v = strtoul(s, &e, 10);
		if (v > 255 || e - s > 3)
			return "each part of A.B.C.D must be 0-255";
		a = a << 8 | (uint32_t)v;
		s = e;
		if (i < 3) {
			if (*s != '.')
				return "expected A.B.C.D";
			s++;
		}
	}
	*end = s;
	*out = htonl(a);
	return NULL;
}

static uint32_t prefix_to_mask(unsigned int len)
{
	return htonl(len ? 0xffffffffu << (32 - len) : 0);
}

static const char *set_ip(const char *val)
{
	const char *end, *err;
	uint32_t addr, mask = prefix_to_mask(24);

	if (!val)
		return "needs a value: ip=A.B.C.D/N";
	if ((err = parse_addr(val, &end, &addr)))
		return err;
	if (*end == '/') {
		char *e;
		unsigned long len = strtoul(end + 1, &e, 10);

		if (e == end + 1 || *e || len < 1 || len > 32)
			return "the prefix length must be 1-32";
		mask = prefix_to_mask((unsigned int)len);
	} else if (*end) {
		return "expected A.B.C.D/N";
	}
	if (ipv4_is_zeronet(addr) || ipv4_is_loopback(addr) || ipv4_is_multicast(addr) ||
	    ipv4_is_lbcast(addr))
		return "not a unicast host address";
	ip_cfg.addr = addr;
	ip_cfg.mask = mask;
	return NULL;
}
KERNEL_PARAM("ip", set_ip, "ip=A.B.C.D/N: the interface's IPv4 address and prefix (default /24)");

static const char *set_gw(const char *val)
{
	const char *end, *err;
	uint32_t gw;

	if (!val)
		return "needs a value: gw=A.B.C.D";
	if ((err = parse_addr(val, &end, &gw)))
		return err;
	if (*end)
		return "expected A.B.C.D";
	ip_cfg.gw = gw;
	return NULL;
}
KERNEL_PARAM("gw", set_gw, "gw=A.B.C.D: the default gateway (on the ip= subnet)");

/* For tests of the parsers: apply "ip"/"gw" words as the command line would. */
const char *ip_param_set(const char *key, const char *val)
{
	return key[0] == 'i' ? set_ip(val) : set_gw(val);
}
