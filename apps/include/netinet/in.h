/*
 * Internet addresses, as glibc's <netinet/in.h> on Linux x86-64 (IPv4
 * only): struct sockaddr_in and in_addr in Linux's layout, the protocol
 * numbers, the INADDR_* constants, the IP-level options Squall knows,
 * and the byte-order functions.
 */
#ifndef SQUALL_NETINET_IN_H
#define SQUALL_NETINET_IN_H

#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _IN_ADDR_T_DECLARED
typedef uint32_t in_addr_t;
#define _IN_ADDR_T_DECLARED
#endif
#ifndef _IN_PORT_T_DECLARED
typedef uint16_t in_port_t;
#define _IN_PORT_T_DECLARED
#endif

struct in_addr {
	in_addr_t s_addr;		/* network byte order */
};

struct sockaddr_in {
	sa_family_t sin_family;		/* AF_INET */
	in_port_t sin_port;		/* network byte order */
	struct in_addr sin_addr;
	unsigned char sin_zero[8];
};

enum {
	IPPROTO_IP = 0,
#define IPPROTO_IP IPPROTO_IP
	IPPROTO_ICMP = 1,
#define IPPROTO_ICMP IPPROTO_ICMP
	IPPROTO_TCP = 6,
#define IPPROTO_TCP IPPROTO_TCP
	IPPROTO_UDP = 17,
#define IPPROTO_UDP IPPROTO_UDP
	IPPROTO_RAW = 255,
#define IPPROTO_RAW IPPROTO_RAW
	IPPROTO_MAX = 256
#define IPPROTO_MAX IPPROTO_MAX
};

#define INADDR_ANY		((in_addr_t)0x00000000)
#define INADDR_BROADCAST	((in_addr_t)0xffffffff)
#define INADDR_NONE		((in_addr_t)0xffffffff)
#define INADDR_LOOPBACK		((in_addr_t)0x7f000001)	/* host byte order, as glibc */

#define INET_ADDRSTRLEN 16

#define IP_TOS		1
#define IP_TTL		2

static inline uint16_t htons(uint16_t x) { return __builtin_bswap16(x); }
static inline uint16_t ntohs(uint16_t x) { return __builtin_bswap16(x); }
static inline uint32_t htonl(uint32_t x) { return __builtin_bswap32(x); }
static inline uint32_t ntohl(uint32_t x) { return __builtin_bswap32(x); }
#define htons htons
#define ntohs ntohs
#define htonl htonl
#define ntohl ntohl

#ifdef __cplusplus
}
#endif

#endif /* SQUALL_NETINET_IN_H */
