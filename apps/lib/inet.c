/*
 * IPv4 address text conversion for apps, as glibc's: inet_pton (strict
 * dotted quad), inet_aton/inet_addr (the classic forms a, a.b, a.b.c,
 * a.b.c.d with octal and hex parts), inet_ntop, inet_ntoa. AF_INET6 is
 * not supported (EAFNOSUPPORT).
 *
 * Interface: <arpa/inet.h>; callers are apps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* glibc's inet_pton4: four decimal parts 0-255, no leading zeros. 1 or 0. */
static int inet_pton4(const char *src, uint8_t out[4])
{
	int parts = 0, saw_digit = 0;
	unsigned int val = 0;

	for (; *src; src++) {
		if (*src >= '0' && *src <= '9') {
			if (saw_digit && val == 0)
				return 0;	/* "01" */
			val = val * 10 + (unsigned int)(*src - '0');
			if (val > 255)
				return 0;
			saw_digit = 1;
		} else if (*src == '.' && saw_digit && parts < 3) {
			out[parts++] = (uint8_t)val;
			val = 0;
			saw_digit = 0;
		} else {
			return 0;
		}
	}
	if (!saw_digit || parts != 3)
		return 0;
	out[3] = (uint8_t)val;
	return 1;
}

int inet_pton(int af, const char *src, void *dst)
{
	uint8_t a[4];

	if (af != AF_INET) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (!inet_pton4(src, a))
		return 0;
	memcpy(dst, a, sizeof(a));
	return 1;
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
	const uint8_t *a = src;
	char tmp[INET_ADDRSTRLEN];
	int n;

	if (af != AF_INET) {
		errno = EAFNOSUPPORT;
		return NULL;
	}
	n = snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	if (n < 0 || (socklen_t)n >= size) {
		errno = ENOSPC;
		return NULL;
	}
	memcpy(dst, tmp, (size_t)n + 1);
	return dst;
}

/* The BSD forms: the last part fills the bytes the earlier ones left. */
int inet_aton(const char *cp, struct in_addr *inp)
{
	unsigned long parts[4];
	int n = 0;
	uint32_t val;

	for (;;) {
		char *end;

		if (*cp < '0' || *cp > '9')
			return 0;	/* strtoul would take signs and spaces */
		parts[n++] = strtoul(cp, &end, 0);
		cp = end;
		if (*cp != '.')
			break;
		if (n == 4)
			return 0;
		cp++;
	}
	if (*cp && *cp != ' ' && *cp != '\t' && *cp != '\n')
		return 0;
	for (int i = 0; i < n - 1; i++)
		if (parts[i] > 255)
			return 0;
	if (parts[n - 1] > (0xffffffffUL >> (8 * (n - 1))))
		return 0;
	val = (uint32_t)parts[n - 1];
	for (int i = 0; i < n - 1; i++)
		val |= (uint32_t)parts[i] << (24 - 8 * i);
	if (inp)
		inp->s_addr = htonl(val);
	return 1;
}

in_addr_t inet_addr(const char *cp)
{
	struct in_addr a;

	return inet_aton(cp, &a) ? a.s_addr : INADDR_NONE;
}

char *inet_ntoa(struct in_addr in)
{
	static __thread char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &in.s_addr, buf, sizeof(buf));
	return buf;
}
