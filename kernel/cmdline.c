/* Command-line splitting; see cmdline.h for the grammar. */
#include <kernel/cmdline.h>
#include <stddef.h>

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Copy one word starting at @p onto itself without its quotes; returns the
 * character after the word. *eq receives the first '=', quoted or not,
 * as in Linux's next_arg() (or NULL).
 */
static char *take_word(char *p, char **eq, int *err)
{
	char *out = p;
	int quoted = 0;

	*eq = NULL;
	for (; *p && (quoted || !is_space(*p)); p++) {
		if ((unsigned char)*p < 0x20 && *p != '\t') {
			*err = CMDLINE_ERR_CTRL;
			break;
		}
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (*p == '=' && !*eq)
			*eq = out;
		*out++ = *p;
	}
	if (quoted)
		*err = CMDLINE_ERR_QUOTE;
	if (*p) {
		*out = '\0';
		return p + 1;
	}
	*out = '\0';
	return p;
}

int cmdline_parse(char *line, cmdline_fn fn, void *arg)
{
	int words = 0, err = 0;
	char *p = line;

	while (*p) {
		char *word, *eq;

		while (is_space(*p) || ((unsigned char)*p < 0x20 && *p)) {
			if (!is_space(*p))
				err = CMDLINE_ERR_CTRL;
			p++;
		}
		if (!*p)
			break;
		word = p;
		p = take_word(p, &eq, &err);
		if (!*word)
			continue;	/* a word that was only "" */
		if (eq)
			*eq = '\0';
		fn(word, eq ? eq + 1 : NULL, arg);
		words++;
	}
	return err ? err : words;
}
