/*
 * libFuzzer: cmdline_parse() on arbitrary bytes. Checks, beyond "no crash
 * under ASan/UBSan": every delivered key and value lies inside the buffer
 * and is NUL-terminated there, and no word is delivered empty-keyed with no
 * value (that would be the split producing nothing).
 */
#include <kernel/cmdline.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
	const char *lo, *hi;
};

static void check(const char *key, const char *val, void *arg)
{
	const struct ctx *c = arg;

	if (key < c->lo || key >= c->hi || key + strlen(key) >= c->hi)
		abort();
	if (val && (val < c->lo || val + strlen(val) >= c->hi))
		abort();
	if (!*key && !val)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct ctx c = { buf, buf + size + 1 };
	int rc;

	memcpy(buf, data, size);
	buf[size] = '\0';
	rc = cmdline_parse(buf, check, &c);
	if (rc < CMDLINE_ERR_CTRL || (rc >= 0 && (size_t)rc > size))
		abort();
	free(buf);
	return 0;
}
