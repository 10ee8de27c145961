/*
 * kmain: the boot CPU's path from the boot stub to the first work, one
 * subsystem per line. Every boot path (boot.S: PVH and UEFI) lands here
 * with a struct boot_info.
 */
#include <kernel/bootinfo.h>
#include <kernel/arch/x86/trap.h>
#include <kernel/mm.h>
#include <kernel/params.h>
#include <kernel/percpu.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <kernel/arch/x86/apic.h>
#include <drivers/serial.h>
#include <string.h>

void newlib_init_cpu(unsigned int cpu);

/* Provided per image by the build (build/images/NAME/image.c). */
extern const char image_name[];
extern const char image_cmdline[];

static struct boot_info boot;	/* [I] kmain's own copy */

static void boot_info_take(const struct boot_info *bi)
{
	memcpy(&boot, bi, sizeof(boot));
	boot.cmdline[BOOT_CMDLINE_MAX - 1] = '\0';
	if (boot.nr_mem > BOOT_MEM_MAX)
		boot.nr_mem = BOOT_MEM_MAX;
}

static void boot_banner(void)
{
	printk("squall: booted via %s, image '%s', TSC %lu MHz\n",
	       boot.source == BOOT_SRC_EFI ? "efi" : "pvh", image_name,
	       (unsigned long)(tsc_khz() / 1000));
	if (boot.magic != BOOT_INFO_MAGIC || boot.version != BOOT_INFO_VERSION)
		printk("squall: boot info has a bad magic or version; continuing with defaults\n");
	if (boot.mem_dropped)
		printk("squall: the loader dropped %u memory ranges\n", boot.mem_dropped);
	printk("squall: cmdline '%s'\n", params_cmdline());
}

_Noreturn void kmain(struct boot_info *bi)
{
	boot_info_take(bi);		/* before anything reuses loader memory */
	percpu_init_cpu(0);		/* GS -> this CPU's area */
	newlib_init_cpu(0);		/* errno, stdio state */
	serial_init();			/* console */
	tsc_init();			/* clock for log timestamps */
	gdt_init_cpu(0);		/* GDT, TSS, double-fault stack */
	trap_init();			/* IDT */
	trap_init_cpu();
	params_apply(image_cmdline, boot.cmdline);	/* image defaults, then boot args */
	boot_banner();
	mm_init(boot.mem, (int)boot.nr_mem);	/* page allocator, heap */

	if (selftest_request())
		power_off(selftest_run(selftest_request()));
	if (bench_request())
		power_off(bench_run(bench_request()));
	printk("squall: nothing to run (image '%s' has no app and no selftest= was given)\n",
	       image_name);
	power_off(EXIT_OK);
}

/*
 * An application processor's path, started by smp_boot_aps(): long mode,
 * the boot GDT and page tables, its own stack, interrupts off.
 */
_Noreturn void ap_main(unsigned int cpu)
{
	percpu_init_cpu(cpu);		/* GS -> this CPU's area */
	newlib_init_cpu(cpu);		/* errno, stdio state */
	gdt_init_cpu(cpu);		/* GDT, TSS, double-fault stack */
	trap_init_cpu();		/* IDT (shared) */
	lapic_init_cpu();		/* local APIC */
	__atomic_or_fetch(&cpu_online_mask, 1ULL << cpu, __ATOMIC_RELEASE);
	printk("smp: cpu%u online (APIC id %u)\n", cpu, this_cpu()->apic_id);
	for (;;)
		__asm__ volatile("sti; hlt; cli");	/* idle until the scheduler exists */
}
