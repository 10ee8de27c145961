/* Applying the command line to the KERNEL_PARAM table; see params.h. */
#include <kernel/params.h>
#include <kernel/cmdline.h>
#include <kernel/bootinfo.h>
#include <kernel/printk.h>
#include <stdio.h>
#include <string.h>

extern const struct kernel_param __kparams_start[], __kparams_end[];

static char saved_cmdline[BOOT_CMDLINE_MAX];	/* [I] after params_apply */

static const struct kernel_param *find_param(const char *key)
{
	for (const struct kernel_param *p = __kparams_start; p < __kparams_end; p++) {
		if (!strcmp(p->name, key))
			return p;
	}
	return NULL;
}

static void apply_word(const char *key, const char *val, void *arg)
{
	int *bad = arg;
	const struct kernel_param *p = find_param(key);
	const char *why;

	if (!p) {
		printk("cmdline: unknown option '%s%s%s' (ignored)\n", key,
		       val ? "=" : "", val ? val : "");
		++*bad;
		return;
	}
	why = p->set(val);
	if (why) {
		printk("cmdline: bad value for '%s': %s (%s)\n", key, why, p->help);
		++*bad;
	}
}

int params_apply(const char *image_cmdline, const char *boot_cmdline)
{
	char work[BOOT_CMDLINE_MAX];
	int bad = 0, n, rc;

	n = snprintf(saved_cmdline, sizeof(saved_cmdline), "%s%s%s", image_cmdline,
		     *image_cmdline && *boot_cmdline ? " " : "", boot_cmdline);
	if (n >= (int)sizeof(saved_cmdline)) {
		printk("cmdline: longer than %d bytes, truncated\n", BOOT_CMDLINE_MAX - 1);
		bad++;
	}
	strcpy(work, saved_cmdline);
	rc = cmdline_parse(work, apply_word, &bad);
	if (rc == CMDLINE_ERR_QUOTE)
		printk("cmdline: unterminated quote (it runs to the end of the line)\n");
	else if (rc == CMDLINE_ERR_CTRL)
		printk("cmdline: control characters treated as spaces\n");
	return bad + (rc < 0);
}

const char *params_cmdline(void)
{
	return saved_cmdline;
}
