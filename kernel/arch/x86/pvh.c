/*
 * PVH boot (QEMU -kernel with the Xen note in boot.S): translate the
 * hvm_start_info that QEMU's loader leaves at %ebx into a boot_info and
 * enter kmain. Layout from Xen's public/arch-x86/hvm/start_info.h.
 */
#include <kernel/bootinfo.h>
#include <kernel/power.h>
#include <string.h>

#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;	/* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

void kmain(struct boot_info *bi) __attribute__((noreturn));
void pvh_main(const struct hvm_start_info *si) __attribute__((noreturn));

static struct boot_info pvh_info;

static void copy_memmap(const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *e = (const void *)(uintptr_t)si->memmap_paddr;

	if (si->version < 1 || !si->memmap_paddr)
		return;		/* kmain reports an empty map */
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		if (!e[i].size)
			continue;	/* qboot appends an all-zero entry */
		if (pvh_info.nr_mem == BOOT_MEM_MAX) {
			pvh_info.mem_dropped++;
			continue;
		}
		pvh_info.mem[pvh_info.nr_mem++] = (struct boot_mem_range){
			.base = e[i].addr, .len = e[i].size, .type = e[i].type,
		};
	}
}

void pvh_main(const struct hvm_start_info *si)
{
	pvh_info.magic = BOOT_INFO_MAGIC;
	pvh_info.version = BOOT_INFO_VERSION;
	pvh_info.source = BOOT_SRC_PVH;
	/* Not a PVH start (a user's odd loader): kmain finds the bad magic. */
	if (!si || si->magic != HVM_START_MAGIC)
		pvh_info.magic = 0;
	else {
		const char *cl = (const char *)(uintptr_t)si->cmdline_paddr;

		pvh_info.rsdp = si->rsdp_paddr;
		if (cl)
			strncpy(pvh_info.cmdline, cl, BOOT_CMDLINE_MAX - 1);
		copy_memmap(si);
	}
	kmain(&pvh_info);
}
