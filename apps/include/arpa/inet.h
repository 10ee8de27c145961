/*
 * Address conversion, as glibc's <arpa/inet.h> (IPv4 only: AF_INET6
 * fails with EAFNOSUPPORT). Implemented in apps/lib/inet.c.
 */
#ifndef SQUALL_ARPA_INET_H
#define SQUALL_ARPA_INET_H

#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

int inet_pton(int af, const char *src, void *dst);
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);
in_addr_t inet_addr(const char *cp);
int inet_aton(const char *cp, struct in_addr *inp);
char *inet_ntoa(struct in_addr in);

#ifdef __cplusplus
}
#endif

#endif /* SQUALL_ARPA_INET_H */
