/* Cleaning the ESP's command-line file; see cmdline_file.h. */
#include "cmdline_file.h"
#include "kernel/bootinfo.h"

static int is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int cmdline_file_clean(const uint8_t *src, size_t n, char *dst, size_t *at)
{
	while (n && is_space(src[n - 1]))
		n--;
	*at = n;
	if (n >= BOOT_CMDLINE_MAX)
		return CMDLINE_FILE_TOO_LONG;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = src[i];

		*at = i;
		if (is_space(c))
			c = ' ';
		else if (c < 0x20 || c > 0x7e)
			return CMDLINE_FILE_BAD_BYTE;
		dst[i] = (char)c;
	}
	dst[n] = '\0';
	return (int)n;
}
