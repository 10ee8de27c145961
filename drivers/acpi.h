/*
 * ACPI tables: RSDP → RSDT/XSDT → MADT, for the CPU list and the interrupt
 * controllers. The parser works on bytes through a phys→pointer function,
 * so the host tests feed it malformed tables (bad checksums, lengths that
 * disagree, truncated entries) and it returns errors instead of reading
 * out of bounds. Take the CPU list from the MADT only: QEMU firmwares' MP
 * tables are wrong (feasibility.md §3).
 */
#ifndef SQUALL_ACPI_H
#define SQUALL_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_ISOS 16

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

struct acpi_iso {	/* interrupt source override: ISA irq → GSI */
	uint8_t irq;
	uint32_t gsi;
	uint16_t flags;
};

struct acpi_madt_info {
	uint64_t lapic_addr;		/* after any 64-bit override */
	unsigned int nr_cpus;		/* enabled processors, in MADT order */
	uint32_t apic_ids[ACPI_MAX_CPUS];
	unsigned int cpus_ignored;	/* disabled, or beyond ACPI_MAX_CPUS */
	unsigned int nr_ioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int nr_isos;
	struct acpi_iso isos[ACPI_MAX_ISOS];
	unsigned int entries_skipped;	/* too short for their type, or IOAPICs/ISOs beyond the arrays */
};

/*
 * Map @len bytes at physical @addr, or NULL if that range is not readable
 * (the kernel: identity map below 4 GiB; host tests: a fake memory).
 */
typedef const void *(*acpi_map_fn)(uint64_t addr, size_t len, void *ctx);

/* 0, or a negative errno with *why saying which check failed (and *out zeroed). */
int acpi_parse(uint64_t rsdp_addr, acpi_map_fn map, void *ctx,
	       struct acpi_madt_info *out, const char **why);

/*
 * Find the RSDP the BIOS way: the first KiB of the EBDA at @ebda (ignored
 * unless in [128 KiB, 640 KiB), as Linux does), then 0xE0000-0xFFFFF, on
 * 16-byte boundaries; a candidate needs the signature and the ACPI 1.0
 * checksum. Returns its physical address, 0 if none.
 */
uint64_t acpi_scan_rsdp(uint64_t ebda, acpi_map_fn map, void *ctx);

/* Kernel (arch): the EBDA's address from the BIOS data area, 0 if none. Boot CPU, early. */
uint64_t bios_ebda_base(void);

/* Kernel: parse from the boot info's RSDP (or scan the BIOS area when 0). */
int acpi_init(uint64_t rsdp_addr);
extern struct acpi_madt_info acpi_madt;	/* [I] after acpi_init */

#endif
