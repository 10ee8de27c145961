/*
 * The stats endpoint's HTTP/1.x request parser (RFC 9112 §2-3, §5, the
 * parts a GET with no body needs). See stats_http.h for the interface.
 *
 * Whatever arrives is untrusted: the request line must be
 * "METHOD SP /target SP HTTP/1.x", each header line "name: value", every
 * byte a visible character, space or tab (CR only before LF, a bare LF is
 * accepted as a line end, as most servers do). A request line that cannot
 * be a request is answered at once; otherwise the parser waits for the
 * blank line, so the server never closes on a request it has not read
 * (which would reset the connection and could lose the answer).
 */
#include <net/core/stats_http.h>
#include <string.h>

static int is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_vchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

static const char *find_lf(const char *p, const char *end)
{
	return memchr(p, '\n', (size_t)(end - p));
}

/* A byte that can appear nowhere in a request head. */
static int is_bad_byte(unsigned char c)
{
	return !(is_vchar(c) || c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

static enum stats_http_result done(struct stats_http_req *req, int status,
				   enum stats_http_path path)
{
	req->status = status;
	req->path = status == 200 ? path : STATS_PATH_NONE;
	return STATS_HTTP_DONE;
}

/* Strip the CR of a CRLF; 0 if a CR is left anywhere else in the line. */
static int line_body(const char *p, const char *lf, const char **end)
{
	*end = (lf > p && lf[-1] == '\r') ? lf - 1 : lf;
	return memchr(p, '\r', (size_t)(*end - p)) == NULL;
}

/* "HTTP/d.d": 1 for major 1, 0 for another major, -1 if it is not a version. */
static int parse_version(const char *p, const char *end)
{
	if (end - p != 8 || memcmp(p, "HTTP/", 5) || p[6] != '.')
		return -1;
	if (p[5] < '0' || p[5] > '9' || p[7] < '0' || p[7] > '9')
		return -1;
	return p[5] == '1';
}

static enum stats_http_path path_of(const char *t, const char *end)
{
	const char *q = memchr(t, '?', (size_t)(end - t));
	size_t n = (size_t)((q ? q : end) - t);

	if (n == 1 && t[0] == '/')
		return STATS_PATH_TEXT;
	if (n == 6 && !memcmp(t, "/stats", 6))
		return STATS_PATH_JSON;
	if (n == 8 && !memcmp(t, "/profile", 8))
		return STATS_PATH_PROFILE;
	return STATS_PATH_NONE;
}

/*
 * The request line [p, end) without its line end: the status it earns on
 * its own (400, 405, 404, 505, or 200 with *path set).
 */
static int parse_request_line(const char *p, const char *end, enum stats_http_path *path)
{
	const char *m = p, *t, *te;
	int v;

	while (p < end && is_tchar((unsigned char)*p))
		p++;
	if (p == m || p == end || *p != ' ')
		return 400;
	t = ++p;
	while (p < end && is_vchar((unsigned char)*p))
		p++;
	te = p;
	if (te == t || p == end || *p != ' ')
		return 400;
	v = parse_version(p + 1, end);
	if (v < 0 || *t != '/')
		return 400;
	if (!v)
		return 505;
	if (m + 3 != t - 1 || memcmp(m, "GET", 3))
		return 405;
	*path = path_of(t, te);
	return *path == STATS_PATH_NONE ? 404 : 200;
}

/* One header line [p, end): "name:" with a token name, then any visible text. */
static int header_ok(const char *p, const char *end)
{
	const char *n = p;

	while (p < end && is_tchar((unsigned char)*p))
		p++;
	if (p == n || p == end || *p != ':')
		return 0;
	for (p++; p < end; p++)
		if (!is_vchar((unsigned char)*p) && *p != ' ' && *p != '\t')
			return 0;
	return 1;
}

enum stats_http_result stats_http_parse(const char *buf, size_t len, struct stats_http_req *req)
{
	const char *p = buf, *end = buf + len, *lf, *le;
	enum stats_http_path path = STATS_PATH_NONE;
	int status;

	for (size_t i = 0; i < len; i++)
		if (is_bad_byte((unsigned char)buf[i]))
			return done(req, 400, path);
	/* RFC 9112 §2.2: empty lines before the request line are ignored. */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	lf = find_lf(p, end);
	if (!lf || lf - p + 1 > STATS_HTTP_LINE_MAX) {
		if ((size_t)(end - p) >= STATS_HTTP_LINE_MAX)
			return done(req, 414, path);
		return len >= STATS_HTTP_HEAD_MAX ? done(req, 431, path) : STATS_HTTP_MORE;
	}
	if (!line_body(p, lf, &le))
		return done(req, 400, path);
	status = parse_request_line(p, le, &path);
	if (status == 400)
		return done(req, 400, path);
	for (p = lf + 1; (lf = find_lf(p, end)) != NULL; p = lf + 1) {
		if (!line_body(p, lf, &le))
			return done(req, 400, path);
		if (le == p)
			return (size_t)(lf + 1 - buf) > STATS_HTTP_HEAD_MAX ? done(req, 431, path)
									  : done(req, status, path);
		if (!header_ok(p, le))
			return done(req, 400, path);
	}
	return len >= STATS_HTTP_HEAD_MAX ? done(req, 431, path) : STATS_HTTP_MORE;
}

void stats_http_eof(const char *buf, size_t len, struct stats_http_req *req)
{
	if (stats_http_parse(buf, len, req) == STATS_HTTP_MORE)
		done(req, 400, STATS_PATH_NONE);
}

const char *stats_http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 505: return "HTTP Version Not Supported";
	}
	return "Unknown";
}
