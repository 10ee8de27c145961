/*
 * The ESP's \squall\cmdline file → one command line for boot_info.
 * Portable (no EFI types): used by loader.c, tested on the host.
 */
#ifndef SQUALL_EFI_CMDLINE_FILE_H
#define SQUALL_EFI_CMDLINE_FILE_H

#include <stddef.h>
#include <stdint.h>

#define CMDLINE_FILE_BAD_BYTE (-1)	/* *at: offset of the byte */
#define CMDLINE_FILE_TOO_LONG (-2)	/* *at: length after trimming */

/*
 * Write @src as one NUL-terminated line into @dst (BOOT_CMDLINE_MAX bytes):
 * trailing whitespace dropped, tabs and line breaks (CRLF files too) become
 * spaces, any other control or non-ASCII byte is refused. Returns the
 * length or a negative CMDLINE_FILE_* code.
 */
int cmdline_file_clean(const uint8_t *src, size_t n, char *dst, size_t *at);

#endif
