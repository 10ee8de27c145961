/*
 * kmain: the boot CPU's path from the boot stub to the first work, one
 * subsystem per line. Every boot path (boot.S: PVH and UEFI) lands here
 * with a struct boot_info.
 */
#include <kernel/profile.h>
#include <kernel/app.h>
#include <kernel/bootinfo.h>
#include <kernel/file.h>
#include <kernel/syscall.h>
#include <kernel/arch/x86/trap.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/params.h>
#include <kernel/random.h>
#include <kernel/arch/x86/x86.h>
#include <kernel/percpu.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/smp.h>
#include <kernel/softirq.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <net/core/netdevice.h>
#include <net/core/stats.h>
#include <net/ipv4/ip.h>
#include <net/ipv4/af_inet.h>
#include <net/ipv4/tcp.h>
#include <kernel/arch/x86/apic.h>
#include <drivers/acpi.h>
#include <drivers/pci.h>
#include <drivers/virtio_net.h>
#include <drivers/serial.h>
#include <string.h>

void newlib_init(void);
void vm_unmap_page0(void);
void vm_guard_boot_stack(void);
void tick_init_cpu(void);
void net_stats_init(void);

/* Provided per image by the build (build/images/NAME/image.c). */
extern const char image_name[];
extern const char image_cmdline[];

static struct boot_info boot;	/* [I] kmain's own copy */
static int cpus_ready;		/* [a] CPUs done with their bring-up */

/* The end of every CPU's bring-up. */
static void cpu_ready(void)
{
	__atomic_add_fetch(&cpus_ready, 1, __ATOMIC_RELEASE);
}

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

/*
 * The first thread: runs what the command line asks for, then powers off.
 * It is a thread (not the idle context) so that the work may sleep.
 */
static int kernel_init(void *arg)
{
	(void)arg;
	/* Let every CPU finish starting (its threads, its allocations) first. */
	while (__atomic_load_n(&cpus_ready, __ATOMIC_ACQUIRE) < (int)num_online_cpus())
		yield();
	if (selftest_request())
		power_off(selftest_run(selftest_request()));
	if (bench_request())
		power_off(bench_run(bench_request()));
	net_stats_init();		/* netstat=: counters on the console */
	stats_server_init();		/* stats_port=: counters over HTTP */
	if (app_present()) {
		if (app_start())
			power_off(EXIT_APP_START);
		return 0;	/* the app's threads carry on */
	}
	printk("squall: nothing to run (image '%s' has no app and no selftest= was given)\n",
	       image_name);
	power_off(EXIT_OK);
}

_Noreturn void kmain(struct boot_info *bi)
{
	boot_info_take(bi);		/* before anything reuses loader memory */
	vm_unmap_page0();		/* NULL dereferences fault from here on */
	percpu_init_cpu(0);		/* GS -> this CPU's area */
	sched_init_cpu(0);		/* this context becomes cpu0's idle task */
	newlib_init();			/* libc's locks */
	serial_init();			/* console */
	tsc_init();			/* clock for log timestamps */
	prandom_seed(rdtsc());		/* ports, hash secrets */
	gdt_init_cpu(0);		/* GDT, TSS, double-fault stack */
	trap_init();			/* IDT */
	trap_init_cpu();
	vm_guard_boot_stack();		/* overflowing this stack faults */
	syscall_init_cpu();		/* SYSCALL entry */
	params_apply(image_cmdline, boot.cmdline);	/* image defaults, then boot args */
	boot_banner();
	mm_init(boot.mem, (int)boot.nr_mem);	/* page allocator, heap */
	net_dev_init();			/* NAPI lists, NET_RX softirq */
	ip_init();			/* ARP, IPv4, ICMP, UDP; ip=/gw= */
	files_init();			/* fds 0-2: the console */
	inet_init();			/* AF_INET sockets */
	tcp_init();			/* TCP: hashes, protocol, SOCK_STREAM */
	acpi_init(boot.rsdp);		/* CPUs, IOAPICs from the MADT */
	lapic_init();			/* this CPU's local APIC */
	ioapic_init();			/* legacy pins masked: devices use MSI-X */
	smp_boot_aps();			/* every other CPU, into ap_main */
	pci_init();			/* enumerate, assign BARs */
	virtio_net_init();		/* the NIC: a queue pair per CPU */
	timers_init_cpu(0);		/* timer wheel, TIMER softirq */
	profile_init();			/* profile=1: the tick profiler's counters */
	tick_init_cpu();		/* LAPIC timer at HZ */
	softirq_init_cpu(0);		/* ksoftirqd/0 */
	cpu_ready();
	if (!kthread_create(kernel_init, NULL, "init", 0))
		panic("kmain: cannot start the init thread");
	cpu_idle();			/* from here on, cpu0's idle task */
}

/*
 * An application processor's path, started by smp_boot_aps(): long mode,
 * the boot GDT and page tables, its own stack, interrupts off.
 */
_Noreturn void ap_main(unsigned int cpu)
{
	percpu_init_cpu(cpu);		/* GS -> this CPU's area */
	sched_init_cpu(cpu);		/* this context becomes its idle task */
	gdt_init_cpu(cpu);		/* GDT, TSS, double-fault stack */
	trap_init_cpu();		/* IDT (shared) */
	syscall_init_cpu();		/* SYSCALL entry */
	lapic_init_cpu();		/* local APIC */
	timers_init_cpu(cpu);		/* timer wheel */
	__atomic_or_fetch(&cpu_online_mask, 1ULL << cpu, __ATOMIC_RELEASE);
	printk("smp: cpu%u online (APIC id %u)\n", cpu, this_cpu()->apic_id);
	tick_init_cpu();		/* LAPIC timer at HZ */
	softirq_init_cpu(cpu);		/* ksoftirqd/cpu */
	cpu_ready();
	cpu_idle();
}
