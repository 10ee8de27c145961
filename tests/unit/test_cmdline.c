/* cmdline_parse(): the kernel command-line grammar, including malformed lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <kernel/cmdline.h>

struct seen {
	int n;
	char words[16][64];	/* "key" or "key=val" or "key=(null)" rendering */
};

static void record(const char *key, const char *val, void *arg)
{
	struct seen *s = arg;

	if (s->n < 16)
		snprintf(s->words[s->n], sizeof(s->words[0]), "%s|%s", key, val ? val : "(null)");
	s->n++;
}

static int parse(const char *line, struct seen *s)
{
	char buf[256];

	memset(s, 0, sizeof(*s));
	snprintf(buf, sizeof(buf), "%s", line);
	return cmdline_parse(buf, record, s);
}

static void test_key_value_and_bare(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("selftest=all  quiet\tsmp=4", &s), 3);
	assert_string_equal(s.words[0], "selftest|all");
	assert_string_equal(s.words[1], "quiet|(null)");
	assert_string_equal(s.words[2], "smp|4");
}

static void test_empty_lines(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("", &s), 0);
	assert_int_equal(parse("   \t  ", &s), 0);
	assert_int_equal(parse("\"\"", &s), 0);	/* a word that is only quotes */
	assert_int_equal(s.n, 0);
}

static void test_quotes_group_and_vanish(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("app=\"-c 8 --mode crr\" x=1", &s), 2);
	assert_string_equal(s.words[0], "app|-c 8 --mode crr");
	assert_string_equal(s.words[1], "x|1");
	assert_int_equal(parse("\"a=b c\"", &s), 1);
	assert_string_equal(s.words[0], "a|b c");
	/* the first '=' splits even inside quotes (Linux next_arg) */
	assert_int_equal(parse("\"k=v\"=w", &s), 1);
	assert_string_equal(s.words[0], "k|v=w");
}

static void test_odd_equals(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("=x key= a==b", &s), 3);
	assert_string_equal(s.words[0], "|x");	/* empty key: caller reports it */
	assert_string_equal(s.words[1], "key|");
	assert_string_equal(s.words[2], "a|=b");	/* first '=' splits */
}

static void test_unterminated_quote(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("a=1 b=\"x y", &s), CMDLINE_ERR_QUOTE);
	assert_int_equal(s.n, 2);	/* still delivered, running to the end */
	assert_string_equal(s.words[1], "b|x y");
}

static void test_control_characters(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("a=1\nb=2\x01" "c", &s), CMDLINE_ERR_CTRL);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.words[0], "a|1");
	assert_string_equal(s.words[1], "b|2");
	assert_string_equal(s.words[2], "c|(null)");
}

static void test_long_line(void **state)
{
	static char line[4096];
	struct seen s = { 0 };

	(void)state;
	for (size_t i = 0; i + 4 < sizeof(line); i += 4)
		memcpy(line + i, "k=v ", 4);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(cmdline_parse(line, record, &s), 1023);
	assert_int_equal(s.n, 1023);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_value_and_bare),
		cmocka_unit_test(test_empty_lines),
		cmocka_unit_test(test_quotes_group_and_vanish),
		cmocka_unit_test(test_odd_equals),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_long_line),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
