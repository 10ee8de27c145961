/*
 * The stats endpoint's HTTP request parser (net/core/stats_http.c): one
 * request per connection, GET only, no body. Portable, so it runs on the
 * host under cmocka and libFuzzer (tests/unit/test_stats_http.c,
 * tests/fuzz/fuzz_stats_http.c).
 *
 * Call stats_http_parse() on everything received so far. It answers
 * STATS_HTTP_MORE until it has a whole request head (up to a blank line)
 * or can tell the request is bad from what it has; then req->status says
 * what to answer. A client that stops early is the server's business:
 * stats_http_eof() turns an unfinished request into 400.
 */
#ifndef SQUALL_STATS_HTTP_H
#define SQUALL_STATS_HTTP_H

#include <stddef.h>

#define STATS_HTTP_LINE_MAX 1024	/* request line, CRLF included: longer is 414 */
#define STATS_HTTP_HEAD_MAX 4096	/* request line + headers + blank line: longer is 431 */

enum stats_http_result { STATS_HTTP_MORE = 0, STATS_HTTP_DONE = 1 };

enum stats_http_path { STATS_PATH_NONE, STATS_PATH_TEXT, STATS_PATH_JSON, STATS_PATH_PROFILE };

struct stats_http_req {
	int status;			/* 200, 400, 404, 405, 414, 431 or 505 once DONE */
	enum stats_http_path path;	/* for 200: "/" (text) or "/stats" (JSON) */
};

/* Parse @len bytes of @buf (not NUL-terminated); MORE or DONE with @req filled. */
enum stats_http_result stats_http_parse(const char *buf, size_t len, struct stats_http_req *req);

/* The peer sent EOF (or the buffer is full) after @len bytes: always DONE. */
void stats_http_eof(const char *buf, size_t len, struct stats_http_req *req);

/* "Bad Request" for 400, ...; "Unknown" for a status it does not use. */
const char *stats_http_reason(int status);

#endif
