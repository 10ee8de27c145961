/* newlib in the guest: formatting, malloc, string and stdio functions. */
#include <kernel/selftest.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

SELFTEST(newlib, 0)
{
	char buf[64];
	char *p, *q;

	snprintf(buf, sizeof(buf), "%d %s %#x %zu %lld %.2f", -7, "ok", 255, (size_t)42,
		 -1234567890123LL, 3.14159);
	ST_CHECK(!strcmp(buf, "-7 ok 0xff 42 -1234567890123 3.14"));
	ST_CHECK(strtol("-0x7f", NULL, 16) == -127);
	ST_CHECK(atoi("123abc") == 123);

	p = malloc(1000);
	ST_CHECK(p != NULL);
	memset(p, 'a', 1000);
	q = realloc(p, 100000);
	ST_CHECK(q != NULL && q[999] == 'a');
	free(q);
	p = calloc(128, 8);
	ST_CHECK(p != NULL && p[0] == 0 && p[1023] == 0);
	free(p);

	errno = 0;
	ST_CHECK(strtol("99999999999999999999", NULL, 10) == __LONG_MAX__ && errno == ERANGE);
	ST_CHECK(printf("selftest newlib: printf through stdout works\n") > 0);
	fflush(stdout);
	return 0;
}
