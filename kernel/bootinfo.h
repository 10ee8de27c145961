/*
 * The one structure every boot path hands to kmain().
 *
 * Filled by kernel/arch/x86/pvh.c (QEMU -kernel, PVH hvm_start_info) or by the
 * UEFI loader in images/efi/loader.c before ExitBootServices. kmain() copies it
 * into kernel memory first thing, so the producer's copy may live anywhere the
 * kernel's identity map covers (below 4 GiB).
 *
 * Self-contained (stdint only): it is compiled into the kernel, the GNU-EFI
 * loader and the host unit tests.
 */
#ifndef SQUALL_BOOTINFO_H
#define SQUALL_BOOTINFO_H

#include <stdint.h>

#define BOOT_INFO_MAGIC   0x53514c4c424f4f54ULL	/* "SQLLBOOT" */
#define BOOT_INFO_VERSION 1

#define BOOT_CMDLINE_MAX 2048	/* bytes, including the NUL */
#define BOOT_MEM_MAX     256	/* ranges; producers merge neighbours first */

/* Memory range types use the e820 numbering, as PVH's memmap does. */
enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3,	/* ACPI tables: reclaimable only after parsing */
	BOOT_MEM_NVS = 4,
	BOOT_MEM_BAD = 5,
};

enum boot_source {
	BOOT_SRC_PVH = 1,
	BOOT_SRC_EFI = 2,
};

struct boot_mem_range {
	uint64_t base;
	uint64_t len;
	uint32_t type;		/* enum boot_mem_type */
	uint32_t pad;
};

struct boot_info {
	uint64_t magic;		/* BOOT_INFO_MAGIC */
	uint32_t version;	/* BOOT_INFO_VERSION */
	uint32_t source;	/* enum boot_source */
	uint64_t rsdp;		/* physical address of the ACPI RSDP, 0 if unknown */
	uint32_t nr_mem;	/* valid entries in mem[] */
	uint32_t mem_dropped;	/* ranges the producer could not fit */
	char cmdline[BOOT_CMDLINE_MAX];	/* NUL-terminated, may be empty */
	struct boot_mem_range mem[BOOT_MEM_MAX];
};

/*
 * 64-bit kernel entry used by the UEFI loader (the ELF's e_entry):
 * SysV ABI, interrupts off, any identity-mapped page tables, rdi = boot_info.
 * The PVH entry (32-bit, ebx = hvm_start_info) is found through the ELF's
 * Xen PHYS32_ENTRY note instead.
 */
void _start64(struct boot_info *bi);

#endif
