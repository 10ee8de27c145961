/*
 * squall-loader: the GNU-EFI application (\EFI\BOOT\BOOTX64.EFI) that boots
 * the Squall kernel under UEFI (OVMF).
 *
 * From the ESP it was started from, it loads \squall\kernel.elf at the
 * physical addresses of its PT_LOAD segments (checked by elf_load.c), reads
 * the optional \squall\cmdline, fills a struct boot_info below 4 GiB (RSDP
 * from the configuration table, memory map via efi_memmap.c), calls
 * ExitBootServices() and jumps to the ELF entry, _start64(bi), SysV ABI,
 * interrupts off, on the firmware's identity map (contract: kernel/bootinfo.h).
 *
 * Any failure before ExitBootServices() prints one "squall-loader: ..." line
 * and powers off with EXIT_LOADER through isa-debug-exit (kernel/power.h).
 * Built by images/efi/efi.mk; put on the disk by images/mkesp.
 */
#include <efi.h>
#include <efilib.h>
#include <string.h>

#include "kernel/bootinfo.h"
#include "kernel/power.h"
#include "images/efi/elf_load.h"
#include "images/efi/efi_memmap.h"
#include "images/efi/cmdline_file.h"

#define KERNEL_PATH  L"\\squall\\kernel.elf"
#define CMDLINE_PATH L"\\squall\\cmdline"
#define CMDLINE_FILE_MAX (64 * 1024)	/* refuse to read more than this */
#define MAP_SLACK 32			/* spare descriptors for map growth */
#define EXIT_TRIES 4

/* efi_main and the firmware use ms_abi here; the kernel entry is SysV. */
typedef void (__attribute__((sysv_abi)) *kernel_entry_t)(struct boot_info *bi);

static EFI_HANDLE self;

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* Usable even after a failed ExitBootServices(): no firmware calls. */
static _Noreturn void power_off_quiet(void)
{
	outb(POWER_EXIT_PORT, POWER_EXIT_BIAS + EXIT_LOADER);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static _Noreturn void power_off_loader(void)
{
	outb(POWER_EXIT_PORT, POWER_EXIT_BIAS + EXIT_LOADER);
	/* Not QEMU with isa-debug-exit (real hardware): ask the firmware. */
	RT->ResetSystem(EfiResetShutdown, EFI_LOAD_ERROR, 0, NULL);
	power_off_quiet();
}

#define fail(fmt, ...) do {						\
	Print(L"squall-loader: " fmt L"\n", ##__VA_ARGS__);		\
	power_off_loader();						\
} while (0)

/*
 * Read a whole file from the ESP into pool memory. Returns EFI_NOT_FOUND
 * untouched so the caller can tell "absent" from "broken"; *what says what
 * went wrong otherwise.
 */
static EFI_STATUS read_file(EFI_FILE_HANDLE root, CHAR16 *path, UINT64 max,
			    void **buf, UINTN *size, CHAR16 **what)
{
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info;
	EFI_STATUS st;
	UINT8 *data;
	UINTN done = 0;
	UINT64 len;

	*what = L"cannot open";
	st = root->Open(root, &f, path, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return st;
	*what = L"cannot get the file size";
	info = LibFileInfo(f);
	if (!info) {
		f->Close(f);
		return EFI_DEVICE_ERROR;
	}
	len = info->FileSize;
	st = (info->Attribute & EFI_FILE_DIRECTORY) ? EFI_INVALID_PARAMETER :
	     len > max ? EFI_BAD_BUFFER_SIZE : EFI_SUCCESS;
	FreePool(info);
	if (EFI_ERROR(st)) {
		*what = st == EFI_BAD_BUFFER_SIZE ? L"file too large" :
						    L"is a directory";
		f->Close(f);
		return st;
	}
	*what = L"cannot allocate a buffer";
	data = AllocatePool(len ? len : 1);
	if (!data) {
		f->Close(f);
		return EFI_OUT_OF_RESOURCES;
	}
	*what = L"cannot read";
	while (done < len) {
		UINTN n = len - done;

		st = f->Read(f, &n, data + done);
		if (!EFI_ERROR(st) && n == 0)
			st = EFI_END_OF_FILE;	/* shorter than it said */
		if (EFI_ERROR(st)) {
			FreePool(data);
			f->Close(f);
			return st;
		}
		done += n;
	}
	f->Close(f);
	*buf = data;
	*size = len;
	return EFI_SUCCESS;
}

static void load_cmdline(EFI_FILE_HANDLE root, struct boot_info *bi)
{
	CHAR16 *what;
	EFI_STATUS st;
	UINT8 *buf;
	UINTN size;
	size_t at;
	int ret;

	st = read_file(root, CMDLINE_PATH, CMDLINE_FILE_MAX, (void **)&buf,
		       &size, &what);
	if (st == EFI_NOT_FOUND)
		return;		/* optional: empty command line */
	if (EFI_ERROR(st))
		fail("%s: %s (%r)", CMDLINE_PATH, what, st);
	ret = cmdline_file_clean(buf, size, bi->cmdline, &at);
	if (ret == CMDLINE_FILE_TOO_LONG)
		fail("%s: command line too long (%d bytes, at most %d)",
		     CMDLINE_PATH, (int)at, BOOT_CMDLINE_MAX - 1);
	if (ret < 0)
		fail("%s: byte 0x%02x at offset %d: only printable ASCII, spaces, tabs and newlines allowed",
		     CMDLINE_PATH, buf[at], (int)at);
	FreePool(buf);
}

static void load_kernel(EFI_FILE_HANDLE root, struct elf_load_plan *plan)
{
	const char *why;
	CHAR16 *what;
	EFI_STATUS st;
	void *image;
	UINTN size;

	st = read_file(root, KERNEL_PATH, ~0ULL, &image, &size, &what);
	if (EFI_ERROR(st))
		fail("%s: %s (%r)", KERNEL_PATH, what, st);
	if (elf_load_plan(image, size, plan, &why))
		fail("%s: bad kernel ELF: %a", KERNEL_PATH, why);

	for (unsigned int i = 0; i < plan->nr_spans; i++) {
		const struct elf_load_span *sp = &plan->span[i];
		EFI_PHYSICAL_ADDRESS addr = sp->base;

		/* LoaderCode for code: OVMF may map LoaderData no-execute. */
		st = BS->AllocatePages(AllocateAddress,
				       sp->exec ? EfiLoaderCode : EfiLoaderData,
				       sp->pages, &addr);
		if (EFI_ERROR(st))
			fail("cannot allocate %ld pages at 0x%lx for the kernel: %r",
			     sp->pages, sp->base, st);
	}
	for (unsigned int i = 0; i < plan->nr_segs; i++) {
		const struct elf_load_seg *s = &plan->seg[i];

		elf_load_segment(s, image, (void *)(UINTN)s->paddr);
	}
	FreePool(image);
}

static struct boot_info *alloc_boot_info(void)
{
	EFI_PHYSICAL_ADDRESS addr = 0xffffffffULL;	/* highest byte allowed */
	UINTN pages = (sizeof(struct boot_info) + EFI_PAGE_SIZE - 1) /
		      EFI_PAGE_SIZE;
	struct boot_info *bi;
	EFI_STATUS st;

	st = BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, &addr);
	if (EFI_ERROR(st))
		fail("cannot allocate boot_info below 4 GiB: %r", st);
	bi = (struct boot_info *)(UINTN)addr;
	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->source = BOOT_SRC_EFI;
	return bi;
}

static UINT64 find_rsdp(void)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID;	/* only exists as a macro */
	void *rsdp = NULL;

	if (LibGetSystemConfigurationTable(&acpi20, &rsdp) == EFI_SUCCESS ||
	    LibGetSystemConfigurationTable(&AcpiTableGuid, &rsdp) == EFI_SUCCESS)
		return (UINT64)(UINTN)rsdp;
	Print(L"squall-loader: warning: no ACPI RSDP in the configuration table\n");
	return 0;
}

/* Buffers for the final memory map, allocated while that is still allowed. */
struct map_buf {
	void *map;
	UINTN cap;
	struct boot_mem_range *scratch;
	UINTN nr_scratch;
};

/*
 * Size and allocate the memory map buffers, then convert the current map
 * once into bi: a dry run, only to report what the kernel will be told.
 */
static void prepare_memmap(struct boot_info *bi, struct map_buf *mb)
{
	struct efi_memmap_stats stats;
	UINTN size = 0, key, desc_size = 0;
	UINT32 desc_ver;
	EFI_STATUS st;

	st = BS->GetMemoryMap(&size, NULL, &key, &desc_size, &desc_ver);
	if (st != EFI_BUFFER_TOO_SMALL)
		fail("cannot size the memory map: %r", st);
	if (desc_size < sizeof(struct efi_mem_desc))
		fail("memory map descriptor size %d is too small", (int)desc_size);
	/* The allocations below, and firmware timers, can split entries. */
	mb->cap = size + MAP_SLACK * desc_size;
	mb->nr_scratch = mb->cap / desc_size;
	mb->map = AllocatePool(mb->cap);
	mb->scratch = AllocatePool(mb->nr_scratch * sizeof(*mb->scratch));
	if (!mb->map || !mb->scratch)
		fail("cannot allocate %d bytes for the memory map", (int)mb->cap);

	size = mb->cap;
	st = BS->GetMemoryMap(&size, mb->map, &key, &desc_size, &desc_ver);
	if (EFI_ERROR(st))
		fail("cannot get the memory map: %r", st);
	if (efi_memmap_convert(mb->map, size, desc_size, mb->scratch,
			       mb->nr_scratch, bi, &stats) < 0)
		fail("cannot convert the memory map");
	Print(L"squall-loader: memory map: %d descriptors -> %d ranges (%d malformed, %d dropped)\n",
	      stats.nr_desc, stats.nr_ranges, stats.nr_bad, stats.nr_dropped);
}

/*
 * Get the final memory map, convert it into bi and exit boot services,
 * retrying while the map key goes stale (firmware timers allocate). Nothing
 * here allocates or prints between GetMemoryMap() and ExitBootServices().
 */
static void exit_boot_services(struct boot_info *bi, struct map_buf *mb)
{
	UINTN size, key, desc_size;
	UINT32 desc_ver;
	EFI_STATUS st = EFI_SUCCESS;
	int tried_exit = 0;

	for (int i = 0; i < EXIT_TRIES; i++) {
		size = mb->cap;
		st = BS->GetMemoryMap(&size, mb->map, &key, &desc_size,
				      &desc_ver);
		if (EFI_ERROR(st))
			break;
		if (efi_memmap_convert(mb->map, size, desc_size, mb->scratch,
				       mb->nr_scratch, bi, NULL) < 0) {
			st = EFI_INCOMPATIBLE_VERSION;
			break;
		}
		st = BS->ExitBootServices(self, key);
		if (!EFI_ERROR(st))
			return;
		tried_exit = 1;
		if (st != EFI_INVALID_PARAMETER)
			break;
	}
	/* After a failed ExitBootServices() the console may be gone. */
	if (tried_exit)
		power_off_quiet();
	fail("cannot get the final memory map: %r", st);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_HANDLE root;
	struct elf_load_plan plan;
	struct map_buf mb;
	struct boot_info *bi;
	EFI_STATUS st;

	InitializeLib(image, systab);
	self = image;

	st = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		fail("cannot get the loaded image protocol: %r", st);
	root = LibOpenRoot(li->DeviceHandle);
	if (!root)
		fail("cannot open the boot volume's file system");

	load_kernel(root, &plan);
	bi = alloc_boot_info();
	load_cmdline(root, bi);
	bi->rsdp = find_rsdp();
	Print(L"squall-loader: cmdline \"%a\"\n", bi->cmdline);
	prepare_memmap(bi, &mb);
	Print(L"squall-loader: starting kernel (%d segments, entry 0x%lx)\n",
	      plan.nr_segs, plan.entry);

	exit_boot_services(bi, &mb);
	__asm__ volatile("cli");
	((kernel_entry_t)(UINTN)plan.entry)(bi);
	power_off_quiet();	/* the kernel must not return; stop if it does */
}
