/*
 * Page-table changes on the boot identity map (boot.S):
 *  - ring 3 access to a 2 MiB-aligned range (the user arena), at boot,
 *    before the other CPUs load the tables, never taken back;
 *  - guard pages: one 4 KiB page made not-present under each kernel stack,
 *    splitting its 2 MiB mapping into 4 KiB pages first. Another CPU may
 *    keep a stale 2 MiB translation for a while, which only means its
 *    overflow would go unnoticed; x86 never caches not-present entries,
 *    so mapping a guard back needs no shootdown either.
 *
 * vm_lock guards the page-directory and page-table entries it changes
 * (any context but hard irq).
 */
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <kernel/arch/x86/x86.h>
#include <stdint.h>

#define PTE_P 0x001ULL
#define PTE_W 0x002ULL
#define PTE_PS 0x080ULL
#define PTE_ADDR 0x000ffffffffff000ULL

DEFINE_SPINLOCK(vm_lock);

#define PTE_U 0x004ULL
#define SZ_2M (2ULL << 20)

extern uint64_t boot_pml4[512];
extern uint64_t boot_pt0[512];
extern char boot_stack_guard[];
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

static void invlpg(uint64_t addr)
{
	__asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

/* The 4 KiB page-table entry mapping @addr, splitting its 2 MiB page first. vm_lock held. */
static uint64_t *pte_of(uint64_t addr)
{
	uint64_t *pde = &boot_pd[addr >> 21], *pt;

	if (*pde & PTE_PS) {
		uint64_t base = *pde & PTE_ADDR & ~((2ULL << 20) - 1), flags = *pde & 0xfffULL & ~PTE_PS;

		pt = page_alloc(1);
		if (!pt)
			return NULL;
		for (int i = 0; i < 512; i++)
			pt[i] = (base + ((uint64_t)i << 12)) | flags;
		__atomic_store_n(pde, (uint64_t)(uintptr_t)pt | flags, __ATOMIC_RELEASE);
		invlpg(addr);	/* drop this CPU's 2 MiB entry */
	}
	return (uint64_t *)(uintptr_t)(*pde & PTE_ADDR) + ((addr >> 12) & 511);
}

/* Make the page at @addr (< 4 GiB, page aligned) not present, or present again. 0 or -1. */
int vm_set_guard(uint64_t addr, int guard)
{
	uint64_t f, *pte;

	if (addr % 4096 || addr >= (4ULL << 30))
		return -1;
	f = spin_lock_irqsave(&vm_lock);
	pte = pte_of(addr);
	if (pte) {
		__atomic_store_n(pte, guard ? (*pte & ~PTE_P) : (*pte | PTE_P), __ATOMIC_RELEASE);
		invlpg(addr);
	}
	spin_unlock_irqrestore(&vm_lock, f);
	return pte ? 0 : -1;
}

/* kmain: the page under the boot stack (in the first 2 MiB: already 4 KiB pages). */
void vm_guard_boot_stack(void)
{
	vm_set_guard((uint64_t)(uintptr_t)boot_stack_guard, 1);
}
