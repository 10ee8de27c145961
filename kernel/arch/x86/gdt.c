/*
 * Per-CPU GDT and TSS. The selector layout is fixed by SYSCALL/SYSRET
 * (STAR: user CS = base + 16, user SS = base + 8), so user segments come
 * as 32-bit code, data, 64-bit code. The TSS gives the double fault (and
 * later NMI) a known-good stack: a kernel stack overflow then reports
 * instead of triple-faulting.
 */
#include <kernel/arch/x86/trap.h>
#include <kernel/arch/x86/x86.h>
#include <kernel/percpu.h>
#include <string.h>

#define GDT_KCODE 1
#define GDT_KDATA 2
#define GDT_UCODE32 3
#define GDT_UDATA 4
#define GDT_UCODE 5
#define GDT_TSS 6	/* two slots */
#define GDT_ENTRIES 8
#define IST_STACK_SIZE 8192

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

/* [o] each CPU loads and uses only its own entry. */
static uint64_t gdt[NR_CPUS][GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss tss[NR_CPUS] __attribute__((aligned(16)));
static uint8_t df_stack[NR_CPUS][IST_STACK_SIZE] __attribute__((aligned(16)));

static void set_tss_desc(uint64_t *slot, const struct tss *t)
{
	uint64_t base = (uint64_t)(uintptr_t)t, limit = sizeof(*t) - 1;

	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		  (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

void gdt_init_cpu(unsigned int cpu)
{
	uint64_t *g = gdt[cpu];
	struct desc_ptr p = { sizeof(gdt[cpu]) - 1, (uint64_t)(uintptr_t)g };

	g[0] = 0;
	g[GDT_KCODE] = 0x00af9a000000ffffULL;
	g[GDT_KDATA] = 0x00cf92000000ffffULL;
	g[GDT_UCODE32] = 0x00cffa000000ffffULL;
	g[GDT_UDATA] = 0x00cff2000000ffffULL;
	g[GDT_UCODE] = 0x00affa000000ffffULL;
	memset(&tss[cpu], 0, sizeof(tss[cpu]));
	tss[cpu].ist[0] = (uint64_t)(uintptr_t)&df_stack[cpu][IST_STACK_SIZE];
	tss[cpu].iomap_base = sizeof(struct tss);	/* no I/O bitmap */
	set_tss_desc(&g[GDT_TSS], &tss[cpu]);

	__asm__ volatile("lgdt %0" : : "m"(p));
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS << 3));
	/* CS and the data segments keep the boot GDT's selectors (0x08/0x10). */
}

/* The kernel stack a ring-3 interrupt or exception lands on. */
void tss_set_rsp0(unsigned int cpu, uint64_t rsp0)
{
	tss[cpu].rsp[0] = rsp0;
}
