/*
 * Kernel parameters: each subsystem declares the `key=value` words it
 * understands with KERNEL_PARAM (as Linux's __setup/early_param); params.c
 * applies the image's default command line, then the boot loader's, so a
 * later word wins. Unknown words and bad values are reported, never silent.
 */
#ifndef SQUALL_PARAMS_H
#define SQUALL_PARAMS_H

struct kernel_param {
	const char *name;
	/* val is NULL for a bare word. Return NULL, or why the value is bad. */
	const char *(*set)(const char *val);
	const char *help;
};

/*
 * Hosted builds name the section like a C identifier, so that the host
 * linker provides __start_kparams/__stop_kparams and the unit tests can
 * set parameters by name (tests/unit/host/shim.c: kparam_set).
 */
#ifdef SQUALL_HOSTED
#define KPARAM_SECTION "kparams"
#else
#define KPARAM_SECTION ".kparams"
#endif

#define KERNEL_PARAM(key, fn, helptext)                                         \
	static const struct kernel_param __kparam_##fn                          \
	__attribute__((section(KPARAM_SECTION), used, aligned(8))) = { key, fn, helptext }

/*
 * For a two-way switch: sets *@out to 1 for @one, 0 for @zero; returns
 * NULL, or @why (the parameter's "must be ..." text) for anything else.
 */
static inline const char *param_choice(const char *val, const char *one, const char *zero,
				       int *out, const char *why)
{
	if (val && !__builtin_strcmp(val, one))
		*out = 1;
	else if (val && !__builtin_strcmp(val, zero))
		*out = 0;
	else
		return why;
	return (const char *)0;
}

/* Returns the number of words reported as unknown or bad. */
int params_apply(const char *image_cmdline, const char *boot_cmdline);

/* The effective command line, as applied (image defaults first). */
const char *params_cmdline(void);

#ifdef SQUALL_HOSTED
/* Hosted only: apply one word as the command line would. NULL, why the value is bad, or "unknown". */
const char *kparam_set(const char *key, const char *val);
#endif

#endif
