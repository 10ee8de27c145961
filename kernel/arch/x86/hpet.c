/*
 * The HPET main counter, as a clock that follows host time. Under TCG the
 * guest TSC is the host's raw TSC, and on this kind of host (itself a VM)
 * that is not synchronized across host CPUs: a vCPU thread moving between
 * them sees it jump. QEMU derives the HPET counter from its monotonic
 * virtual clock instead, so the kernel calibrates the TSC against it and
 * advances jiffies from it. One MMIO read (a QEMU exit) per use: fine for
 * the tick and for calibration, not for every timestamp.
 *
 * QEMU's PC machines put the HPET at 0xFED00000 (ACPI's HPET table says
 * the same); the capabilities register is checked before use.
 */
#include <kernel/time.h>
#include <kernel/arch/x86/x86.h>
#include <stdint.h>

#define HPET_BASE 0xfed00000UL
#define HPET_CAP 0x000		/* [63:32] counter period in femtoseconds */
#define HPET_CFG 0x010		/* bit 0: enable the main counter */
#define HPET_COUNTER 0x0f0

static volatile uint64_t *hpet_reg(unsigned int off)
{
	return (volatile uint64_t *)(HPET_BASE + off);
}

static uint64_t period_fs;	/* [I] 0: no usable HPET */

int hpet_init(void)
{
	uint64_t cap = *hpet_reg(HPET_CAP), p = cap >> 32;

	/* The spec allows periods up to 100 ns; all ones means nothing is there. */
	if (cap == ~0ULL || p == 0 || p > 100000000ULL)
		return -1;
	*hpet_reg(HPET_CFG) |= 1;
	period_fs = p;
	return 0;
}

int hpet_present(void)
{
	return period_fs != 0;
}

uint64_t hpet_read_ns(void)
{
	return (uint64_t)(((unsigned __int128)*hpet_reg(HPET_COUNTER) * period_fs) / 1000000);
}
