/*
 * The transport protocol table (Linux's net/ipv4/protocol.c): one handler
 * per IP protocol number. Registered at init (icmp_init, udp_init, TCP's
 * init), read locklessly by ip_local_deliver() and icmp_rcv()'s error
 * dispatch on every CPU: entries are written once with a release store
 * and never change after ([I] in practice).
 */
#include <net/ipv4/ipv4.h>
#include <kernel/errno.h>

static const struct net_protocol *inet_protos[256];	/* [a] set once */

/* 0, or -EBUSY if @protocol already has a handler. Init only. */
int inet_add_protocol(const struct net_protocol *prot, uint8_t protocol)
{
	const struct net_protocol *none = NULL;

	if (!__atomic_compare_exchange_n(&inet_protos[protocol], &none, prot, 0,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return -EBUSY;
	return 0;
}

const struct net_protocol *inet_protocol_get(uint8_t protocol)
{
	return __atomic_load_n(&inet_protos[protocol], __ATOMIC_ACQUIRE);
}

void inet_del_protocol_all(void)
{
	for (unsigned int i = 0; i < 256; i++)
		__atomic_store_n(&inet_protos[i], NULL, __ATOMIC_RELEASE);
}
