/*
 * stats_http_parse(): the stats endpoint's request parser, on good
 * requests, requests that arrive in pieces, and every kind of bad input
 * the endpoint must answer (400, 404, 405, 414, 431, 505) or wait on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/core/stats_http.h>

/* Parse @s whole (no NUL passed); the status, or 0 for MORE. */
static int status_of(const char *s, size_t len, enum stats_http_path *path)
{
	struct stats_http_req req = { .status = -1, .path = STATS_PATH_NONE };

	if (stats_http_parse(s, len, &req) == STATS_HTTP_MORE)
		return 0;
	if (path)
		*path = req.path;
	return req.status;
}

static int st(const char *s)
{
	return status_of(s, strlen(s), NULL);
}

static void test_good_requests(void **state)
{
	enum stats_http_path path;
	const char *json = "GET /stats HTTP/1.1\r\nHost: guest\r\nConnection: close\r\n\r\n";

	(void)state;
	assert_int_equal(status_of(json, strlen(json), &path), 200);
	assert_int_equal(path, STATS_PATH_JSON);
	assert_int_equal(status_of("GET / HTTP/1.0\r\n\r\n", 18, &path), 200);
	assert_int_equal(path, STATS_PATH_TEXT);
	/* bare LF line ends, a query string, leading empty lines, a tab in a value */
	assert_int_equal(status_of("GET /stats?x=1 HTTP/1.1\n\n", 25, &path), 200);
	assert_int_equal(path, STATS_PATH_JSON);
	assert_int_equal(st("\r\n\r\nGET / HTTP/1.1\r\nA:\tb\r\n\r\n"), 200);
	assert_int_equal(status_of("GET /profile HTTP/1.1\r\n\r\n", 25, &path), 200);
	assert_int_equal(path, STATS_PATH_PROFILE);
	assert_int_equal(st("GET /profiles HTTP/1.1\r\n\r\n"), 404);
	assert_int_equal(st("GET /prof HTTP/1.1\r\n\r\n"), 404);
}

static void test_incomplete_waits(void **state)
{
	const char *req = "GET /stats HTTP/1.1\r\nHost: guest\r\n\r\n";
	size_t len = strlen(req);

	(void)state;
	/* Every proper prefix is MORE; only the whole head is DONE. */
	for (size_t i = 0; i < len; i++)
		assert_int_equal(status_of(req, i, NULL), 0);
	assert_int_equal(status_of(req, len, NULL), 200);
	/* no CRLF at all: wait (the server's deadline ends it) */
	assert_int_equal(st("GET /stats HTTP/1.1"), 0);
	assert_int_equal(st(""), 0);
}

static void test_eof_before_the_end_is_400(void **state)
{
	struct stats_http_req req;

	(void)state;
	stats_http_eof("GET /stats HTTP/1.1\r\n", 21, &req);
	assert_int_equal(req.status, 400);
	assert_int_equal(req.path, STATS_PATH_NONE);
	stats_http_eof("", 0, &req);
	assert_int_equal(req.status, 400);
	stats_http_eof("GET / HTTP/1.1\r\n\r\n", 18, &req);
	assert_int_equal(req.status, 200);
}

static void test_methods_paths_versions(void **state)
{
	(void)state;
	assert_int_equal(st("POST /stats HTTP/1.1\r\n\r\n"), 405);
	assert_int_equal(st("HEAD / HTTP/1.1\r\n\r\n"), 405);
	assert_int_equal(st("get / HTTP/1.1\r\n\r\n"), 405);	/* methods are case-sensitive */
	assert_int_equal(st("GET /nope HTTP/1.1\r\n\r\n"), 404);
	assert_int_equal(st("GET /stats/ HTTP/1.1\r\n\r\n"), 404);
	assert_int_equal(st("GET /statsx HTTP/1.1\r\n\r\n"), 404);
	assert_int_equal(st("GET / HTTP/2.0\r\n\r\n"), 505);
	/* a well-formed request line waits for its headers before the answer */
	assert_int_equal(st("POST /stats HTTP/1.1\r\n"), 0);
}

static void test_malformed_request_lines(void **state)
{
	(void)state;
	assert_int_equal(st("garbage\r\n\r\n"), 400);
	assert_int_equal(st("GET /stats\r\n\r\n"), 400);		/* no version */
	assert_int_equal(st("GET  /stats HTTP/1.1\r\n\r\n"), 400);	/* two spaces */
	assert_int_equal(st("GET stats HTTP/1.1\r\n\r\n"), 400);	/* not origin-form */
	assert_int_equal(st("GET /stats HTTP/1.1 \r\n\r\n"), 400);
	assert_int_equal(st("GET /stats HTTX/1.1\r\n\r\n"), 400);
	assert_int_equal(st("GET /stats HTTP/1.1x\r\n\r\n"), 400);
	assert_int_equal(st(" GET / HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(st("GET /st\rats HTTP/1.1\r\n\r\n"), 400);	/* CR inside */
	/* bad bytes are refused at once, even before a line end */
	assert_int_equal(status_of("GET /\0", 6, NULL), 400);
	assert_int_equal(st("\x16\x03\x01\x02"), 400);		/* a TLS hello */
	assert_int_equal(st("GET /\x80 HTTP/1.1"), 400);
}

static void test_malformed_headers(void **state)
{
	(void)state;
	assert_int_equal(st("GET / HTTP/1.1\r\nno colon\r\n\r\n"), 400);
	assert_int_equal(st("GET / HTTP/1.1\r\n: empty name\r\n\r\n"), 400);
	assert_int_equal(st("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n"), 400);
	assert_int_equal(st("GET / HTTP/1.1\r\nA b: c\r\n\r\n"), 400);
	/* a bad header is refused as soon as its line is complete */
	assert_int_equal(st("GET / HTTP/1.1\r\nno colon\r\n"), 400);
}

static void test_oversize(void **state)
{
	char *buf = malloc(STATS_HTTP_HEAD_MAX + 64);
	size_t n;

	(void)state;
	/* a request line of LINE_MAX bytes with no end: 414 without waiting */
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', STATS_HTTP_LINE_MAX);
	assert_int_equal(status_of(buf, STATS_HTTP_LINE_MAX, NULL), 414);
	assert_int_equal(status_of(buf, STATS_HTTP_LINE_MAX - 1, NULL), 0);
	/* the longest line that fits, CRLF included, is fine (404: unknown path) */
	n = STATS_HTTP_LINE_MAX - strlen(" HTTP/1.1\r\n");
	memcpy(buf + n, " HTTP/1.1\r\n\r\n", 13);
	assert_int_equal(status_of(buf, n + 13, NULL), 404);
	/* one more byte is 414 */
	memset(buf + 5, 'a', STATS_HTTP_LINE_MAX);
	memcpy(buf + n + 1, " HTTP/1.1\r\n\r\n", 13);
	assert_int_equal(status_of(buf, n + 14, NULL), 414);
	/* headers that never end within HEAD_MAX: 431 */
	n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\n");
	while (n + 8 <= STATS_HTTP_HEAD_MAX)
		n += (size_t)sprintf(buf + n, "A: bcd\r\n");
	memset(buf + n, 'x', STATS_HTTP_HEAD_MAX - n);
	assert_int_equal(status_of(buf, STATS_HTTP_HEAD_MAX, NULL), 431);
	assert_int_equal(status_of(buf, STATS_HTTP_HEAD_MAX - 1, NULL), 0);
	free(buf);
}

static void test_reasons(void **state)
{
	(void)state;
	assert_string_equal(stats_http_reason(200), "OK");
	assert_string_equal(stats_http_reason(405), "Method Not Allowed");
	assert_string_equal(stats_http_reason(408), "Request Timeout");
	assert_string_equal(stats_http_reason(431), "Request Header Fields Too Large");
	assert_string_equal(stats_http_reason(299), "Unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_requests),
		cmocka_unit_test(test_incomplete_waits),
		cmocka_unit_test(test_eof_before_the_end_is_400),
		cmocka_unit_test(test_methods_paths_versions),
		cmocka_unit_test(test_malformed_request_lines),
		cmocka_unit_test(test_malformed_headers),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_reasons),
	};

	return cmocka_run_group_tests_name("stats_http", tests, NULL, NULL);
}
