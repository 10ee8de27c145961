/*
 * Page-table changes on the boot identity map (boot.S). Only one: giving
 * ring 3 access to a 2 MiB-aligned range (the user arena). It happens at
 * boot, before the other CPUs load the tables, and access is never taken
 * back, so no TLB shootdown is ever needed.
 */
#include <kernel/panic.h>
#include <kernel/arch/x86/x86.h>
#include <stdint.h>

#define PTE_U 0x004ULL
#define SZ_2M (2ULL << 20)

extern uint64_t boot_pml4[512];
extern uint64_t boot_pt0[512];
extern uint64_t boot_pdpt_table[512];	/* boot.S: boot_pdpt */
extern uint64_t boot_pd[4 * 512];

void vm_allow_user(uint64_t start, uint64_t end)
{
	if (start % SZ_2M || end % SZ_2M || end > (4ULL << 30) || start < SZ_2M || end <= start)
		panic("vm_allow_user: bad range %#lx-%#lx", (unsigned long)start, (unsigned long)end);
	boot_pml4[0] |= PTE_U;
	for (uint64_t a = start; a < end; a += SZ_2M) {
		boot_pdpt_table[a >> 30] |= PTE_U;
		boot_pd[a >> 21] |= PTE_U;
	}
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
}

/* From now on a NULL dereference faults (boot.S maps page 0 only for the boot info). */
void vm_unmap_page0(void)
{
	__atomic_store_n(&boot_pt0[0], 0, __ATOMIC_SEQ_CST);
	__asm__ volatile("invlpg (%0)" : : "r"(0UL) : "memory");
}
