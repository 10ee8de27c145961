/* cmdline_file_clean(): the UEFI loader's reading of \squall\cmdline. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "images/efi/cmdline_file.h"
#include "kernel/bootinfo.h"

static char dst[BOOT_CMDLINE_MAX];

static int clean(const char *s, size_t *at)
{
	memset(dst, 'X', sizeof(dst));
	return cmdline_file_clean((const uint8_t *)s, strlen(s), dst, at);
}

static void test_lines_become_one(void **state)
{
	size_t at;

	(void)state;
	assert_int_equal(clean("selftest=all\r\nfoo=1\tbar=2\n\n  ", &at), 25);
	assert_string_equal(dst, "selftest=all  foo=1 bar=2");
	assert_int_equal(clean("", &at), 0);
	assert_string_equal(dst, "");
	assert_int_equal(clean(" \r\n\t", &at), 0);
}

static void test_bad_bytes_refused(void **state)
{
	size_t at;

	(void)state;
	assert_int_equal(clean("ab\x01" "c", &at), CMDLINE_FILE_BAD_BYTE);
	assert_int_equal(at, 2);
	assert_int_equal(clean("caf\xc3\xa9", &at), CMDLINE_FILE_BAD_BYTE);	/* UTF-8 */
	assert_int_equal(at, 3);
	assert_int_equal(clean("a\x7f", &at), CMDLINE_FILE_BAD_BYTE);
	assert_int_equal(cmdline_file_clean((const uint8_t *)"a\0b", 3, dst, &at),
			 CMDLINE_FILE_BAD_BYTE);
	assert_int_equal(at, 1);
}

static void test_length_limit(void **state)
{
	static char big[BOOT_CMDLINE_MAX + 8];
	size_t at;

	(void)state;
	memset(big, 'a', BOOT_CMDLINE_MAX - 1);
	big[BOOT_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(clean(big, &at), BOOT_CMDLINE_MAX - 1);	/* fits exactly */
	strcat(big, "\n\n ");
	assert_int_equal(clean(big, &at), BOOT_CMDLINE_MAX - 1);	/* trailing space trimmed first */
	memset(big, 'a', BOOT_CMDLINE_MAX);
	big[BOOT_CMDLINE_MAX] = '\0';
	assert_int_equal(clean(big, &at), CMDLINE_FILE_TOO_LONG);
	assert_int_equal(at, BOOT_CMDLINE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_become_one),
		cmocka_unit_test(test_bad_bytes_refused),
		cmocka_unit_test(test_length_limit),
	};

	return cmocka_run_group_tests_name("cmdline_file", tests, NULL, NULL);
}
