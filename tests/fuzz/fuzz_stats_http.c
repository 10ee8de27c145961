/*
 * libFuzzer: stats_http_parse() on arbitrary bytes (what a client of port
 * 7070 may send). Checks, beyond "no crash under ASan/UBSan": a DONE
 * answer is one of the statuses the endpoint knows, a path comes only
 * with 200, a 200 was a complete head (it has a blank line), MORE only
 * below the head limit, and at EOF there is always an answer.
 */
#include <net/core/stats_http.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int known(int status)
{
	return status == 200 || status == 400 || status == 404 || status == 405 ||
	       status == 414 || status == 431 || status == 505;
}

/* A blank line somewhere: "\n\n" or "\n\r\n". */
static int has_blank_line(const char *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (p[i] == '\n' && (p[i + 1] == '\n' || (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly @size bytes, so ASan sees any read past the end. */
	char *buf = malloc(size ? size : 1);
	struct stats_http_req req = { .status = -1, .path = STATS_PATH_NONE };
	enum stats_http_result r;

	memcpy(buf, data, size);
	r = stats_http_parse(buf, size, &req);
	if (r == STATS_HTTP_DONE) {
		if (!known(req.status) || (req.status == 200) != (req.path != STATS_PATH_NONE))
			abort();
		if (req.status == 200 && !has_blank_line(buf, size))
			abort();
	} else if (r != STATS_HTTP_MORE || req.status != -1) {
		abort();
	}
	if (r == STATS_HTTP_MORE && size >= STATS_HTTP_HEAD_MAX)
		abort();
	stats_http_eof(buf, size, &req);
	if (!known(req.status))
		abort();
	free(buf);
	return 0;
}
