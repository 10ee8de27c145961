/*
 * Kernel command line: space-separated words, each `key=value` or a bare
 * `key`. Double quotes group spaces into one word and are removed
 * (app="-c 8" → key app, value -c 8), and the first '=' splits key from
 * value even inside quotes, as Linux's next_arg() does.
 *
 * Portable (host-tested): cmdline_parse() only splits; the kernel's
 * parameter table and its reporting live in params.c.
 */
#ifndef SQUALL_CMDLINE_H
#define SQUALL_CMDLINE_H

/* Called per word; val is NULL for a bare word, "" for `key=`. */
typedef void (*cmdline_fn)(const char *key, const char *val, void *arg);

#define CMDLINE_ERR_QUOTE (-1)	/* an opening quote was never closed */
#define CMDLINE_ERR_CTRL  (-2)	/* a control character (not tab) in the line */

/*
 * Split @line in place and call @fn for each word, in order. Returns the
 * number of words, or a negative CMDLINE_ERR_* after delivering every word
 * it could (an unterminated quote runs to the end of the line; a control
 * character is treated as a space).
 */
int cmdline_parse(char *line, cmdline_fn fn, void *arg);

#endif
