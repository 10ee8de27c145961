/*
 * The app: the one ring-3 program an image carries (images/NAME.mk says
 * which). The build embeds its ELF (linked at 16 MiB, apps/lib/app.ld)
 * and its symbol table in the kernel image. app_start() validates the ELF
 * with the UEFI loader's own checks (images/efi/elf_load.c), copies it
 * into the user arena, lays out the first stack as Linux does for
 * _start (argc, argv, envp, auxv) and starts the main thread.
 *
 * Arguments: every `app=VALUE` word on the command line appends VALUE's
 * space-separated words (quote VALUE to keep spaces: app="-c 8") to argv.
 */
#include <kernel/app.h>
#include <kernel/errno.h>
#include <kernel/ksym.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/sys.h>
#include <kernel/uaccess.h>
#include <kernel/arch/x86/trap.h>
#include <kernel/bootinfo.h>
#include <images/efi/elf_load.h>
#include <stdio.h>
#include <string.h>

#define APP_STACK_SIZE (256 << 10)
#define MAX_ARGS 64
#define USER_CS (0x28 | 3)
#define USER_DS (0x20 | 3)

/* From the image (Makefile image_rules): the app's ELF file, or nothing. */
extern const char app_elf_start[];
extern const char app_elf_end[];
extern const char image_app[];

int app_pid;				/* [I] the main thread's tid */
static char app_args[BOOT_CMDLINE_MAX];	/* [I] app= words, space-separated */

static const char *set_app(const char *val)
{
	size_t have = strlen(app_args), add = val ? strlen(val) : 0;

	if (!add)
		return "needs arguments for the app";
	if (have + add + 2 > sizeof(app_args))
		return "too many app arguments";
	if (have)
		app_args[have++] = ' ';
	memcpy(app_args + have, val, add + 1);
	return NULL;
}
KERNEL_PARAM("app", set_app, "app=ARGS: arguments for the app, repeatable");

int app_present(void)
{
	return (uintptr_t)app_elf_end > (uintptr_t)app_elf_start;
}

/* Push @len bytes at the top of the stack; returns the new top. */
static uint64_t push_bytes(uint64_t sp, const void *p, size_t len)
{
	sp -= len;
	memcpy((void *)(uintptr_t)sp, p, len);
	return sp;
}

/* The SysV x86-64 initial stack: argc, argv[], NULL, envp NULL, auxv AT_NULL. */
static uint64_t build_stack(uint64_t top)
{
	uint64_t ptrs[MAX_ARGS + 8], sp = top;
	char words[BOOT_CMDLINE_MAX];
	int argc = 0, n = 0;

	sp = push_bytes(sp, image_app, strlen(image_app) + 1);
	ptrs[argc++] = sp;
	strcpy(words, app_args);
	for (char *w = strtok(words, " "); w && argc < MAX_ARGS; w = strtok(NULL, " ")) {
		sp = push_bytes(sp, w, strlen(w) + 1);
		ptrs[argc++] = sp;
	}
	sp &= ~15ULL;
	/* argc + argv + NULL + envp NULL + auxv pair: keep the final rsp 16-aligned. */
	if ((argc + 1 + 1 + 2 + 1) % 2)
		sp -= 8;
	uint64_t vec[MAX_ARGS + 8];

	vec[n++] = (uint64_t)argc;
	for (int i = 0; i < argc; i++)
		vec[n++] = ptrs[i];
	vec[n++] = 0;		/* argv end */
	vec[n++] = 0;		/* envp end */
	vec[n++] = 0;		/* AT_NULL */
	vec[n++] = 0;
	return push_bytes(sp, vec, (size_t)n * 8);
}

static int load_segments(const struct elf_load_plan *plan, uint64_t *image_end)
{
	*image_end = 0;
	for (unsigned int i = 0; i < plan->nr_segs; i++) {
		const struct elf_load_seg *s = &plan->seg[i];

		if (!access_ok((void *)(uintptr_t)s->paddr, s->memsz))
			return -EFAULT;
		elf_load_segment(s, app_elf_start, (void *)(uintptr_t)s->paddr);
		if (s->paddr + s->memsz > *image_end)
			*image_end = s->paddr + s->memsz;
	}
	return 0;
}

int app_start(void)
{
	struct elf_load_plan plan;
	struct trapframe tf;
	const char *why;
	uint64_t image_end, stack;
	int rc;

	rc = elf_load_plan(app_elf_start, (size_t)(app_elf_end - app_elf_start), &plan, &why);
	if (rc) {
		printk("app: '%s' is not a loadable ELF: %s\n", image_app, why);
		return -EINVAL;
	}
	if (load_segments(&plan, &image_end)) {
		printk("app: '%s' is not linked inside the user arena\n", image_app);
		return -EFAULT;
	}
	if (user_arena_layout(image_end) || !(stack = user_alloc(APP_STACK_SIZE))) {
		printk("app: no memory for '%s' (appmem= too small?)\n", image_app);
		return -ENOMEM;
	}
	memset(&tf, 0, sizeof(tf));
	tf.rip = plan.entry;
	tf.cs = USER_CS;
	tf.ss = USER_DS;
	tf.rflags = 0x202;	/* IF */
	tf.rsp = build_stack(stack + APP_STACK_SIZE);
	rc = user_thread_create(&tf, 0, 0, ~0ULL, &app_pid);
	if (rc < 0)
		return rc;
	printk("app: started '%s' (pid %d, %s%s)\n", image_app, app_pid,
	       app_args[0] ? "args: " : "no args", app_args);
	return 0;
}

/* Symbols of the app, for fault reports (generated like the kernel's). */
extern const uint64_t appsyms_count;
extern const uint64_t appsyms_addrs[];
extern const uint32_t appsyms_sizes[];
extern const uint32_t appsyms_name_offs[];
extern const char appsyms_names[];

void app_symbol(uint64_t addr, char *buf, size_t n)
{
	const struct ksym_table t = { appsyms_count, appsyms_addrs, appsyms_sizes,
				      appsyms_name_offs, appsyms_names };
	uint64_t off, size;
	const char *name = ksym_lookup_in(&t, addr, &off, &size);

	if (name)
		snprintf(buf, n, "%s+%#lx/%#lx", name, (unsigned long)off, (unsigned long)size);
	else
		snprintf(buf, n, "?");
}
