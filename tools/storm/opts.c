/*
 * Command-line parsing: argv -> struct storm_opts (see opts.h).
 *
 * Long options take "--name value" or "--name=value", short ones "-c 10" or
 * "-c10"; the one word that is not an option is the mode. Every value is
 * range-checked here and options that mean nothing for the chosen mode
 * are refused, so a mistake is a usage error (exit 2) before anything
 * touches the network, never a surprise at run time.
 */
#include "opts.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct opt_def {
	const char *name;
	char shrt;
	bool arg;
	enum storm_opt_id id;
};

static const struct opt_def opt_defs[] = {
	{ "target", 't', true, OPT_TARGET },
	{ "duration", 'd', true, OPT_DURATION },
	{ "connections", 'c', true, OPT_CONNECTIONS },
	{ "rate", 'r', true, OPT_RATE },
	{ "count", 'n', true, OPT_COUNT },
	{ "threads", 'T', true, OPT_THREADS },
	{ "request-size", 0, true, OPT_REQUEST_SIZE },
	{ "response-size", 0, true, OPT_RESPONSE_SIZE },
	{ "source-addrs", 's', true, OPT_SOURCES },
	{ "timeout", 0, true, OPT_TIMEOUT },
	{ "json", 0, false, OPT_JSON },
	{ "text", 0, false, OPT_TEXT },
	{ "live", 0, false, OPT_LIVE },
	{ "no-live", 0, false, OPT_NO_LIVE },
	{ "no-check", 0, false, OPT_NO_CHECK },
	{ "no-series", 0, false, OPT_NO_SERIES },
	{ "help", 'h', false, OPT_HELP },
	{ "version", 'V', false, OPT_VERSION },
};

#define NR_DEFS (sizeof(opt_defs) / sizeof(opt_defs[0]))

/* How much of a bad word a message quotes (for "%.*s"). */
#define SHOWN(n) ((int)((n) > 40 ? 40 : (n)))

static const char *const mode_names[] = {
	[MODE_NONE] = "none", [MODE_CRR] = "crr", [MODE_RR] = "rr",
	[MODE_HOLD] = "hold", [MODE_SYNFLOOD] = "synflood",
};

const char *mode_name(enum storm_mode m)
{
	return m <= MODE_SYNFLOOD ? mode_names[m] : "?";
}

void format_addr(char *buf, size_t len, uint32_t addr, uint16_t port)
{
	const unsigned char *b = (const unsigned char *)&addr;

	snprintf(buf, len, "%u.%u.%u.%u:%u", b[0], b[1], b[2], b[3], port);
}

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A decimal number with at most three decimals, as thousandths:
 * "1.5" -> 1500. *end points after the number (at a unit, if any).
 * Integers and fixed point keep float parsing (and "nan", "1e9") out.
 */
static int parse_milli(const char *s, uint64_t *milli, const char **end)
{
	uint64_t ip = 0, frac = 0, scale = 100;
	int digits = 0, fdigits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (ip > 10000000000000ull)
			return -1;
		ip = ip * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, fdigits++) {
			if (fdigits >= 3)
				return -1;
			frac += (uint64_t)(*s - '0') * scale;
			scale /= 10;
		}
	}
	if (!digits && !fdigits)
		return -1;
	*milli = ip * 1000 + frac;
	*end = s;
	return 0;
}

/* @milli thousandths times @mult, refusing overflow. */
static int scale_milli(uint64_t milli, uint64_t mult, uint64_t *out)
{
	if (mult && milli > UINT64_MAX / mult)
		return -1;
	*out = milli * mult / 1000;
	return 0;
}

/* A time span; a bare number is in @bare units (ns per unit). */
static int parse_time(const char *s, uint64_t bare, uint64_t *ns)
{
	static const struct { const char *sfx; uint64_t mult; } units[] = {
		{ "us", 1000ull }, { "ms", 1000000ull }, { "s", 1000000000ull },
		{ "m", 60000000000ull }, { "min", 60000000000ull },
	};
	uint64_t milli, mult = 0;
	const char *end;
	size_t i;

	if (parse_milli(s, &milli, &end))
		return -1;
	if (!*end)
		mult = bare;
	for (i = 0; i < sizeof(units) / sizeof(units[0]) && !mult; i++)
		if (!strcmp(end, units[i].sfx))
			mult = units[i].mult;
	if (!mult)
		return -1;
	return scale_milli(milli, mult, ns);
}

/* A count, with an optional k (10^3), M (10^6) or G (10^9) suffix. */
static int parse_count(const char *s, bool suffix, uint64_t *v)
{
	uint64_t milli, mult = 1;
	const char *end;

	if (parse_milli(s, &milli, &end))
		return -1;
	if (*end && (!suffix || end[1]))
		return -1;
	if (*end == 'k' || *end == 'K')
		mult = 1000;
	else if (*end == 'M')
		mult = 1000000;
	else if (*end == 'G')
		mult = 1000000000;
	else if (*end)
		return -1;
	if (scale_milli(milli, mult, v))
		return -1;
	/* "1.5" is not a count, "1.5k" is */
	return (milli * mult) % 1000 ? -1 : 0;
}

/* A count-like value in [lo, hi]; @what names it in the message. */
static int parse_bounded(const char *s, bool suffix, uint64_t lo, uint64_t hi,
			 const char *what, uint64_t *v, char *err, size_t len)
{
	if (parse_count(s, suffix, v))
		return fail(err, len, "%s: '%.40s' is not a whole number%s", what, s,
			    suffix ? " (suffixes k, M, G allowed)" : "");
	if (*v < lo || *v > hi)
		return fail(err, len, "%s: %.40s is out of range (%llu..%llu)", what, s,
			    (unsigned long long)lo, (unsigned long long)hi);
	return 0;
}

static bool unicast(uint32_t host)
{
	return host != 0 && host != 0xffffffffu && (host >> 28) != 0xe;
}

/* One dotted quad from [s, s+n) into host byte order. */
static int parse_ipv4(const char *s, size_t n, uint32_t *host)
{
	char buf[16];
	struct in_addr a;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*host = ntohl(a.s_addr);
	return 0;
}

static int parse_target(struct storm_opts *o, const char *s, char *err, size_t len)
{
	const char *colon = strrchr(s, ':');
	size_t hlen = colon ? (size_t)(colon - s) : strlen(s);
	uint32_t host = 0x7f000001;		/* 127.0.0.1 */
	uint64_t port = STORM_DEFAULT_PORT;

	if (colon && parse_bounded(colon + 1, false, 1, 65535, "--target port", &port, err, len))
		return -1;
	if (hlen == 9 && !strncmp(s, "localhost", 9))
		hlen = 0;
	if (hlen && parse_ipv4(s, hlen, &host))
		return fail(err, len, "--target: '%.*s' is not an IPv4 address (storm takes "
			    "HOST:PORT with a numeric HOST)", SHOWN(hlen), s);
	if (!unicast(host))
		return fail(err, len, "--target: %.*s is not a unicast address",
			    SHOWN(hlen), s);
	o->target_addr = htonl(host);
	o->target_port = (uint16_t)port;
	return 0;
}

static int add_range(struct storm_opts *o, uint32_t first, uint32_t last, char *err, size_t len)
{
	uint64_t a;

	if (first > last)
		return fail(err, len, "--source-addrs: range runs backwards");
	for (a = first; a <= last; a++) {
		if (!unicast((uint32_t)a))
			return fail(err, len, "--source-addrs: %u.%u.%u.%u is not a unicast "
				    "address", (unsigned)(a >> 24), (unsigned)(a >> 16) & 255,
				    (unsigned)(a >> 8) & 255, (unsigned)a & 255);
		if (o->nsources >= STORM_MAX_SOURCES)
			return fail(err, len, "--source-addrs: more than %d addresses",
				    STORM_MAX_SOURCES);
		o->sources[o->nsources++] = htonl((uint32_t)a);
	}
	return 0;
}

/* One item of --source-addrs: A.B.C.D, A.B.C.D/NN, A.B.C.D-E.F.G.H or A.B.C.D-H. */
static int parse_source_item(struct storm_opts *o, const char *s, size_t n, char *err, size_t len)
{
	const char *sep = memchr(s, '/', n);
	uint32_t first, last;
	uint64_t v;
	char num[8];

	if (!sep)
		sep = memchr(s, '-', n);
	if (parse_ipv4(s, sep ? (size_t)(sep - s) : n, &first))
		return fail(err, len, "--source-addrs: '%.*s' is not an address, A.B.C.D/NN "
			    "or A.B.C.D-E", SHOWN(n), s);
	if (!sep)
		return add_range(o, first, first, err, len);
	if (*sep == '/') {
		size_t plen = n - (size_t)(sep + 1 - s);

		if (plen == 0 || plen >= sizeof(num))
			return fail(err, len, "--source-addrs: bad prefix length in '%.*s'",
				    SHOWN(n), s);
		memcpy(num, sep + 1, plen);
		num[plen] = '\0';
		if (parse_bounded(num, false, 8, 32, "--source-addrs prefix", &v, err, len))
			return -1;
		first &= v ? ~0u << (32 - v) : 0;
		last = first | (v < 32 ? ~0u >> v : 0);
		if (v <= 30) {		/* skip the network and broadcast addresses */
			first++;
			last--;
		}
		return add_range(o, first, last, err, len);
	}
	if (!parse_ipv4(sep + 1, n - (size_t)(sep + 1 - s), &last))
		return add_range(o, first, last, err, len);
	if (n - (size_t)(sep + 1 - s) < sizeof(num)) {
		memcpy(num, sep + 1, n - (size_t)(sep + 1 - s));
		num[n - (size_t)(sep + 1 - s)] = '\0';
		if (!parse_count(num, false, &v) && v <= 255)
			return add_range(o, first, (first & ~0xffu) | (uint32_t)v, err, len);
	}
	return fail(err, len, "--source-addrs: bad range end in '%.*s'", SHOWN(n), s);
}

static int parse_sources(struct storm_opts *o, const char *s, char *err, size_t len)
{
	const char *p = s;

	o->nsources = 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (!n)
			return fail(err, len, "--source-addrs: empty item in '%.40s'", s);
		if (parse_source_item(o, p, n, err, len))
			return -1;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int parse_rate(struct storm_opts *o, const char *s, char *err, size_t len)
{
	uint64_t milli, mult = 1;
	const char *end;

	if (parse_milli(s, &milli, &end))
		goto bad;
	if (*end == 'k' || *end == 'K')
		mult = 1000;
	else if (*end == 'M')
		mult = 1000000;
	else if (*end)
		goto bad;
	if (*end && end[1])
		goto bad;
	o->rate = (double)milli / 1000.0 * (double)mult;
	if (!(o->rate > 0) || o->rate > STORM_MAX_RATE)
		return fail(err, len, "--rate: %.40s is out of range (above 0, at most %.0f "
			    "per second)", s, STORM_MAX_RATE);
	return 0;
bad:
	return fail(err, len, "--rate: '%.40s' is not a rate (per second, e.g. 5000 or 2.5k)", s);
}

static int apply(struct storm_opts *o, enum storm_opt_id id, const char *v, char *err, size_t len)
{
	uint64_t n;

	o->set |= OPT_BIT(id);
	switch (id) {
	case OPT_TARGET:
		return parse_target(o, v, err, len);
	case OPT_DURATION:
		if (parse_time(v, 1000000000ull, &n) || n == 0 ||
		    n > STORM_MAX_DURATION_S * 1000000000ull)
			return fail(err, len, "--duration: '%.40s' is not a time above 0 and at "
				    "most %ds (e.g. 10, 2.5s, 500ms, 5m)", v,
				    STORM_MAX_DURATION_S);
		o->duration_ns = n;
		return 0;
	case OPT_CONNECTIONS:
		if (parse_bounded(v, true, 1, STORM_MAX_CONNS, "--connections", &n, err, len))
			return -1;
		o->connections = (uint32_t)n;
		return 0;
	case OPT_RATE:
		return parse_rate(o, v, err, len);
	case OPT_COUNT:
		return parse_bounded(v, true, 1, STORM_MAX_COUNT, "--count", &o->count, err, len);
	case OPT_THREADS:
		if (parse_bounded(v, false, 1, STORM_MAX_THREADS, "--threads", &n, err, len))
			return -1;
		o->threads = (uint32_t)n;
		return 0;
	case OPT_REQUEST_SIZE:
		if (parse_bounded(v, false, 1, STORM_MAX_SIZE, "--request-size", &n, err, len))
			return -1;
		o->request_size = (uint32_t)n;
		return 0;
	case OPT_RESPONSE_SIZE:
		if (parse_bounded(v, false, 0, STORM_MAX_SIZE, "--response-size", &n, err, len))
			return -1;
		o->response_size = (uint32_t)n;
		return 0;
	case OPT_SOURCES:
		return parse_sources(o, v, err, len);
	case OPT_TIMEOUT:
		if (parse_time(v, 1000000ull, &n) || n < 1000000ull ||
		    n > STORM_MAX_TIMEOUT_MS * 1000000ull)
			return fail(err, len, "--timeout: '%.40s' is not a time from 1ms to %ds "
				    "(a bare number is milliseconds)", v,
				    STORM_MAX_TIMEOUT_MS / 1000);
		o->timeout_ms = (uint32_t)(n / 1000000ull);
		return 0;
	case OPT_JSON:
		o->format = FORMAT_JSON;
		return 0;
	case OPT_TEXT:
		o->format = FORMAT_TEXT;
		return 0;
	case OPT_LIVE:
		o->live = 1;
		return 0;
	case OPT_NO_LIVE:
		o->live = 0;
		return 0;
	case OPT_NO_CHECK:
		o->check = false;
		return 0;
	case OPT_NO_SERIES:
		o->series = false;
		return 0;
	case OPT_HELP:
		o->help = true;
		return 0;
	case OPT_VERSION:
		o->version = true;
		return 0;
	case NR_OPTS:
		break;
	}
	return fail(err, len, "internal: unknown option id");
}

static int set_mode(struct storm_opts *o, const char *word, char *err, size_t len)
{
	enum storm_mode m;

	for (m = MODE_CRR; m <= MODE_SYNFLOOD; m++)
		if (!strcmp(word, mode_names[m]))
			break;
	if (m > MODE_SYNFLOOD)
		return fail(err, len, "unknown mode '%.40s' (modes: crr, rr, hold, synflood)",
			    word);
	if (o->mode != MODE_NONE)
		return fail(err, len, "more than one mode given ('%s' and '%.40s')",
			    mode_name(o->mode), word);
	o->mode = m;
	return 0;
}

/* Options that mean nothing in @o->mode, each with the reason. */
static int check_mode_rules(struct storm_opts *o, char *err, size_t len)
{
	const char *m = mode_name(o->mode);

	if ((o->set & OPT_BIT(OPT_JSON)) && (o->set & OPT_BIT(OPT_TEXT)))
		return fail(err, len, "--json and --text exclude each other");
	switch (o->mode) {
	case MODE_HOLD:
		if (o->set & OPT_BIT(OPT_COUNT))
			return fail(err, len, "--count does not apply to hold "
				    "(--connections is how many it opens)");
		if (o->set & (OPT_BIT(OPT_REQUEST_SIZE) | OPT_BIT(OPT_RESPONSE_SIZE)))
			return fail(err, len, "--request-size/--response-size do not apply to %s "
				    "(it sends no requests)", m);
		break;
	case MODE_SYNFLOOD:
		if (o->set & (OPT_BIT(OPT_REQUEST_SIZE) | OPT_BIT(OPT_RESPONSE_SIZE)))
			return fail(err, len, "--request-size/--response-size do not apply to %s "
				    "(it sends no requests)", m);
		break;
	case MODE_RR:
		if (o->set & OPT_BIT(OPT_RESPONSE_SIZE))
			return fail(err, len, "--response-size does not apply to rr: the server "
				    "echoes --request-size bytes");
		break;
	default:
		break;
	}
	if (o->mode != MODE_SYNFLOOD)
		return 0;
	if (o->set & (OPT_BIT(OPT_CONNECTIONS) | OPT_BIT(OPT_TIMEOUT)))
		return fail(err, len, "--connections/--timeout do not apply to synflood "
			    "(it opens no connections)");
	if (!o->nsources)
		return fail(err, len, "synflood needs --source-addrs: the addresses to spoof, "
			    "inside the test namespace's subnet (e.g. 10.0.0.128/25)");
	return 0;
}

static void set_defaults(struct storm_opts *o)
{
	memset(o, 0, offsetof(struct storm_opts, sources));
	o->target_addr = htonl(0x7f000001);
	o->target_port = STORM_DEFAULT_PORT;
	o->duration_ns = 10 * 1000000000ull;
	o->request_size = 64;
	o->response_size = 128;
	o->timeout_ms = 2000;
	o->format = FORMAT_AUTO;
	o->live = -1;
	o->check = true;
	o->series = true;
}

static void default_connections(struct storm_opts *o)
{
	if (o->set & OPT_BIT(OPT_CONNECTIONS))
		return;
	switch (o->mode) {
	case MODE_CRR:
		/* closed loop: the concurrency; open loop: the in-flight cap */
		o->connections = o->rate > 0 ? 1024 : 64;
		break;
	case MODE_RR:
		o->connections = 64;
		break;
	case MODE_HOLD:
		o->connections = 1000;
		break;
	default:
		o->connections = 0;
		break;
	}
}

static const struct opt_def *find_long(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < NR_DEFS; i++)
		if (strlen(opt_defs[i].name) == n && !strncmp(opt_defs[i].name, name, n))
			return &opt_defs[i];
	return NULL;
}

static const struct opt_def *find_short(char c)
{
	size_t i;

	for (i = 0; i < NR_DEFS; i++)
		if (opt_defs[i].shrt && opt_defs[i].shrt == c)
			return &opt_defs[i];
	return NULL;
}

/* The option word argv[*i]: look it up, take its value, apply it. */
static int take_option(struct storm_opts *o, int argc, char *const argv[], int *i,
		       char *err, size_t len)
{
	const char *a = argv[*i], *val = NULL;
	const struct opt_def *d;

	if (a[1] == '-') {
		const char *eq = strchr(a + 2, '=');
		size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

		d = find_long(a + 2, n);
		if (!d)
			return fail(err, len, "unknown option '--%.*s'", SHOWN(n), a + 2);
		if (eq && !d->arg)
			return fail(err, len, "option --%s takes no value", d->name);
		if (eq)
			val = eq + 1;
	} else {
		d = find_short(a[1]);
		if (!d)
			return fail(err, len, "unknown option '-%c'", a[1]);
		if (a[2] && !d->arg)
			return fail(err, len, "option -%c takes no value (in '%.40s')", a[1], a);
		if (a[2])
			val = a + 2;
	}
	if (d->arg && !val) {
		if (*i + 1 >= argc || !argv[*i + 1])
			return fail(err, len, "option --%s needs a value", d->name);
		val = argv[++*i];
	}
	return apply(o, d->id, val, err, len);
}

int opts_parse(struct storm_opts *o, int argc, char *const argv[], char *err, size_t errlen)
{
	bool only_words = false;
	int i;

	set_defaults(o);
	if (errlen)
		err[0] = '\0';
	for (i = 1; i < argc && argv[i]; i++) {
		const char *a = argv[i];

		if (!only_words && !strcmp(a, "--")) {
			only_words = true;
			continue;
		}
		if (!only_words && a[0] == '-' && a[1]) {
			if (take_option(o, argc, argv, &i, err, errlen))
				return -1;
			continue;
		}
		if (set_mode(o, a, err, errlen))
			return -1;
	}
	if (o->help || o->version)
		return 0;
	if (o->mode == MODE_NONE)
		return fail(err, errlen, "no mode given (one of crr, rr, hold, synflood)");
	if (check_mode_rules(o, err, errlen))
		return -1;
	default_connections(o);
	return 0;
}
