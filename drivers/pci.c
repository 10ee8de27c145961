/*
 * PCI enumeration and BAR assignment (Linux's drivers/pci/probe.c and
 * setup-bus.c in a few hundred lines); see pci.h.
 *
 *  - Config space: mechanism #1, the legacy ports 0xCF8 (address) and
 *    0xCFC (data), which QEMU's pc and q35 both have. An access is two
 *    port operations, so pci_config_lock keeps them paired.
 *  - Enumeration: bus 0, then every bus a bridge names as its secondary
 *    bus (only buses firmware numbered; Squall numbers no bridges).
 *  - BARs: sized by writing all-ones with decoding off, as Linux's
 *    __pci_read_base. A firmware assignment (SeaBIOS, OVMF) is kept when
 *    it is aligned and inside the 32-bit PCI hole; anything else (qboot
 *    assigns nothing: feasibility.md §5) gets an address from a bump
 *    allocator in [hole start, 0xFEC00000), skipping kept ranges. 64-bit
 *    BARs are placed below 4 GiB too, since the identity map ends there.
 *    I/O BARs are left alone: nothing Squall drives needs one.
 *
 * Called by kmain (pci_init) and by drivers at init (virtio_pci.c).
 */
#include <drivers/pci.h>
#include <kernel/arch/x86/x86.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define PCI_MAX_BUSES 256

#define PCI_HOLE_MIN 0xc0000000ULL	/* q35's MMCONFIG window ends here */
#define PCI_HOLE_END 0xfec00000ULL	/* IOAPIC, HPET, LAPIC above */

struct pci_dev pci_devs[PCI_MAX_DEVS];
unsigned int pci_nr_devs;

DEFINE_SPINLOCK(pci_config_lock);	/* pairs each 0xCF8 write with its 0xCFC access */

/* Bump allocator for memory BARs: boot CPU during pci_init only. */
static uint64_t mmio_next, mmio_end;

static uint32_t conf_addr(unsigned int bus, unsigned int slot, unsigned int fn, unsigned int off)
{
	return 0x80000000u | bus << 16 | slot << 11 | fn << 8 | (off & 0xfc);
}

/* Raw access by bus/slot/function; @size is 1, 2 or 4 and @off aligned to it. */
static uint32_t conf_read(unsigned int bus, unsigned int slot, unsigned int fn,
			  unsigned int off, int size)
{
	uint64_t f = spin_lock_irqsave(&pci_config_lock);
	uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (off & 3));
	uint32_t v;

	outl(PCI_CONFIG_ADDRESS, conf_addr(bus, slot, fn, off));
	v = size == 4 ? inl(port) : size == 2 ? inw(port) : inb(port);
	spin_unlock_irqrestore(&pci_config_lock, f);
	return v;
}

static void conf_write(unsigned int bus, unsigned int slot, unsigned int fn,
		       unsigned int off, int size, uint32_t v)
{
	uint64_t f = spin_lock_irqsave(&pci_config_lock);
	uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (off & 3));

	outl(PCI_CONFIG_ADDRESS, conf_addr(bus, slot, fn, off));
	if (size == 4)
		outl(port, v);
	else if (size == 2)
		outw(port, (uint16_t)v);
	else
		outb(port, (uint8_t)v);
	spin_unlock_irqrestore(&pci_config_lock, f);
}

uint8_t pci_read_config_byte(const struct pci_dev *d, unsigned int off)
{
	return (uint8_t)conf_read(d->bus, d->slot, d->fn, off, 1);
}

uint16_t pci_read_config_word(const struct pci_dev *d, unsigned int off)
{
	return (uint16_t)conf_read(d->bus, d->slot, d->fn, off, 2);
}

uint32_t pci_read_config_dword(const struct pci_dev *d, unsigned int off)
{
	return conf_read(d->bus, d->slot, d->fn, off, 4);
}

void pci_write_config_byte(const struct pci_dev *d, unsigned int off, uint8_t v)
{
	conf_write(d->bus, d->slot, d->fn, off, 1, v);
}

void pci_write_config_word(const struct pci_dev *d, unsigned int off, uint16_t v)
{
	conf_write(d->bus, d->slot, d->fn, off, 2, v);
}

void pci_write_config_dword(const struct pci_dev *d, unsigned int off, uint32_t v)
{
	conf_write(d->bus, d->slot, d->fn, off, 4, v);
}

/* Walk the capability list; the 48-step bound stops a looping list (Linux's PCI_FIND_CAP_TTL). */
unsigned int pci_find_next_capability(const struct pci_dev *d, unsigned int pos, uint8_t cap)
{
	int ttl = 48;

	if (!(pci_read_config_word(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = pos ? pci_read_config_byte(d, pos + 1) : pci_read_config_byte(d, PCI_CAPABILITY_LIST);
	while (ttl-- && pos >= 0x40) {
		pos &= ~3u;
		if (pci_read_config_byte(d, pos) == cap)
			return pos;
		pos = pci_read_config_byte(d, pos + 1);
	}
	return 0;
}

/* ---- BARs ---- */

/* Size BAR register @i (decoding is off); returns how many registers it used (1 or 2). */
static int pci_read_base(struct pci_dev *d, int i)
{
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * (unsigned int)i;
	struct pci_bar *b = &d->bar[i];
	uint32_t lo = pci_read_config_dword(d, reg), hi = 0, mlo, mhi = 0xffffffffu;
	uint64_t mask;

	pci_write_config_dword(d, reg, 0xffffffffu);
	mlo = pci_read_config_dword(d, reg);
	pci_write_config_dword(d, reg, lo);
	if (!mlo || mlo == 0xffffffffu)
		return 1;	/* not implemented (or no device answering) */
	if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
		b->is_io = 1;
		b->size = (uint16_t)(~(mlo & ~3u) + 1);
		b->addr = lo & ~3u;
		return 1;
	}
	b->prefetch = !!(lo & PCI_BASE_ADDRESS_MEM_PREFETCH);
	if ((lo & 6) == PCI_BASE_ADDRESS_MEM_TYPE_64 && i < PCI_NUM_BARS - 1) {
		b->is_64 = 1;
		hi = pci_read_config_dword(d, reg + 4);
		pci_write_config_dword(d, reg + 4, 0xffffffffu);
		mhi = pci_read_config_dword(d, reg + 4);
		pci_write_config_dword(d, reg + 4, hi);
	}
	mask = ((uint64_t)mhi << 32 | (mlo & ~0xfu));
	if (!b->is_64)
		mask |= 0xffffffff00000000ULL;
	b->size = ~mask + 1;
	b->addr = ((uint64_t)hi << 32 | (lo & ~0xfu));
	return b->is_64 ? 2 : 1;
}

static int ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Does [addr, addr+size) overlap any memory BAR kept or assigned so far? */
static int mmio_busy(uint64_t addr, uint64_t size, const struct pci_bar *self)
{
	for (unsigned int n = 0; n < pci_nr_devs; n++) {
		for (int i = 0; i < PCI_NUM_BARS; i++) {
			const struct pci_bar *b = &pci_devs[n].bar[i];

			if (b != self && b->size && !b->is_io && b->addr &&
			    ranges_overlap(addr, size, b->addr, b->size))
				return 1;
		}
	}
	return 0;
}

/* Firmware's address is usable if aligned, below the hole's end and clear of others. */
static int fw_bar_valid(const struct pci_bar *b)
{
	return b->addr >= PCI_HOLE_MIN && !(b->addr & (b->size - 1)) &&
	       b->addr + b->size <= PCI_HOLE_END && !mmio_busy(b->addr, b->size, b);
}

/* Next free naturally aligned range of @size in the hole, or 0. */
static uint64_t mmio_alloc(uint64_t size)
{
	uint64_t a = (mmio_next + size - 1) & ~(size - 1);

	while (a + size <= mmio_end) {
		if (!mmio_busy(a, size, NULL)) {
			mmio_next = a + size;
			return a;
		}
		a += size;
	}
	return 0;
}

static void pci_write_bar(struct pci_dev *d, int i)
{
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * (unsigned int)i;
	uint32_t flags = pci_read_config_dword(d, reg) & 0xfu;

	pci_write_config_dword(d, reg, (uint32_t)d->bar[i].addr | flags);
	if (d->bar[i].is_64)
		pci_write_config_dword(d, reg + 4, (uint32_t)(d->bar[i].addr >> 32));
}

/* Size every BAR of @d with decoding off; keep firmware's addresses that are valid. */
static void pci_size_bars(struct pci_dev *d)
{
	int nbars = d->hdr_type == 0 ? 6 : d->hdr_type == 1 ? 2 : 0;
	uint16_t cmd;

	if ((d->class >> 8) == PCI_CLASS_BRIDGE_HOST)
		return;		/* as Linux: never turn a host bridge's decoding off */
	cmd = pci_read_config_word(d, PCI_COMMAND);
	pci_write_config_word(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (int i = 0; i < nbars;)
		i += pci_read_base(d, i);
	pci_write_config_word(d, PCI_COMMAND, cmd);
	for (int i = 0; i < nbars; i++) {
		struct pci_bar *b = &d->bar[i];

		if (b->size && !b->is_io && b->addr) {
			b->from_fw = (uint8_t)fw_bar_valid(b);
			if (!b->from_fw)
				b->addr = 0;	/* reassigned below */
		}
	}
}

/* Give every unassigned memory BAR an address, largest first so alignment wastes little. */
static void pci_assign_unassigned(void)
{
	for (;;) {
		struct pci_dev *best_d = NULL;
		int best_i = -1;

		for (unsigned int n = 0; n < pci_nr_devs; n++) {
			struct pci_dev *d = &pci_devs[n];

			for (int i = 0; i < PCI_NUM_BARS; i++) {
				struct pci_bar *b = &d->bar[i];

				if (b->size && !b->is_io && !b->addr && b->size <= (1ULL << 30) &&
				    (!best_d || b->size > best_d->bar[best_i].size)) {
					best_d = d;
					best_i = i;
				}
			}
		}
		if (!best_d)
			return;
		best_d->bar[best_i].addr = mmio_alloc(best_d->bar[best_i].size);
		if (!best_d->bar[best_i].addr) {
			printk("pci %02x:%02x.%u: no room for BAR%d (%lu KiB); left unassigned\n",
			       best_d->bus, best_d->slot, best_d->fn, best_i,
			       (unsigned long)(best_d->bar[best_i].size >> 10));
			best_d->bar[best_i].size = 0;	/* so it is not picked again */
			continue;
		}
		pci_write_bar(best_d, best_i);
	}
}

/* ---- enumeration ---- */

static void pci_scan_bus(unsigned int bus, uint8_t *scanned);

static void pci_scan_function(unsigned int bus, unsigned int slot, unsigned int fn,
			      uint8_t *scanned)
{
	struct pci_dev *d;
	uint32_t id = conf_read(bus, slot, fn, PCI_VENDOR_ID, 4);

	if ((id & 0xffff) == 0xffff)
		return;
	if (pci_nr_devs == PCI_MAX_DEVS) {
		printk("pci %02x:%02x.%u: more than %d functions; ignored\n", bus, slot, fn,
		       PCI_MAX_DEVS);
		return;
	}
	d = &pci_devs[pci_nr_devs++];
	d->bus = (uint8_t)bus;
	d->slot = (uint8_t)slot;
	d->fn = (uint8_t)fn;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->revision = pci_read_config_byte(d, PCI_REVISION_ID);
	d->class = pci_read_config_dword(d, PCI_REVISION_ID) >> 8;
	d->hdr_type = pci_read_config_byte(d, PCI_HEADER_TYPE) & 0x7f;
	if (d->hdr_type == 0) {
		d->subsys_vendor = pci_read_config_word(d, PCI_SUBSYSTEM_VENDOR_ID);
		d->subsys_device = pci_read_config_word(d, PCI_SUBSYSTEM_ID);
	}
	pci_size_bars(d);
	if (d->hdr_type == 1) {	/* PCI-PCI bridge: follow it if firmware numbered it */
		unsigned int sec = pci_read_config_byte(d, PCI_SECONDARY_BUS);

		if (sec > bus)
			pci_scan_bus(sec, scanned);
	}
}

static void pci_scan_bus(unsigned int bus, uint8_t *scanned)
{
	if (bus >= PCI_MAX_BUSES || scanned[bus])
		return;
	scanned[bus] = 1;
	for (unsigned int slot = 0; slot < 32; slot++) {
		unsigned int nfn = 1;

		if ((conf_read(bus, slot, 0, PCI_VENDOR_ID, 2) & 0xffff) == 0xffff)
			continue;
		if (conf_read(bus, slot, 0, PCI_HEADER_TYPE, 1) & 0x80)
			nfn = 8;	/* multi-function device */
		for (unsigned int fn = 0; fn < nfn; fn++)
			pci_scan_function(bus, slot, fn, scanned);
	}
}

/* One line per function, built first so other CPUs' lines cannot split it. */
static void pci_print_dev(const struct pci_dev *d)
{
	char line[400];
	int n = snprintf(line, sizeof(line), "pci %02x:%02x.%u %04x:%04x class %06x", d->bus,
			 d->slot, d->fn, d->vendor, d->device, (unsigned int)d->class);

	for (int i = 0; i < PCI_NUM_BARS && n < (int)sizeof(line); i++) {
		const struct pci_bar *b = &d->bar[i];

		if (!b->size)
			continue;
		if (b->is_io)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " BAR%d io %lu B%s", i,
				      (unsigned long)b->size, b->addr ? "" : " (unassigned)");
		else
			n += snprintf(line + n, sizeof(line) - (size_t)n, " BAR%d %#lx+%#lx%s", i,
				      (unsigned long)b->addr, (unsigned long)b->size,
				      b->from_fw ? " (firmware)" : "");
	}
	printk("%s\n", line);
}

int pci_init(void)
{
	static uint8_t scanned[PCI_MAX_BUSES];
	uint64_t top = (mm_phys_top() + 0xfffff) & ~0xfffffULL;

	/* Low RAM can reach into 0xC0000000+ on the pc machine with a lot of memory. */
	mmio_next = top > PCI_HOLE_MIN ? top : PCI_HOLE_MIN;
	mmio_end = PCI_HOLE_END;
	pci_scan_bus(0, scanned);
	pci_assign_unassigned();
	for (unsigned int n = 0; n < pci_nr_devs; n++)
		pci_print_dev(&pci_devs[n]);
	printk("pci: %u functions; memory BARs assigned in [%#lx, %#lx)\n", pci_nr_devs,
	       (unsigned long)(top > PCI_HOLE_MIN ? top : PCI_HOLE_MIN),
	       (unsigned long)PCI_HOLE_END);
	return (int)pci_nr_devs;
}

struct pci_dev *pci_get_device(uint16_t vendor, uint16_t device, struct pci_dev *from)
{
	unsigned int n = from ? (unsigned int)(from - pci_devs) + 1 : 0;

	for (; n < pci_nr_devs; n++) {
		struct pci_dev *d = &pci_devs[n];

		if ((vendor == 0xffff || d->vendor == vendor) &&
		    (device == 0xffff || d->device == device))
			return d;
	}
	return NULL;
}

/* ---- what drivers call ---- */

int pci_enable_device(struct pci_dev *d)
{
	uint16_t cmd = pci_read_config_word(d, PCI_COMMAND);

	for (int i = 0; i < PCI_NUM_BARS; i++) {
		if (d->bar[i].size && !d->bar[i].is_io && !d->bar[i].addr)
			return -ENODEV;
	}
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE;
	pci_write_config_word(d, PCI_COMMAND, cmd);
	d->enabled = 1;
	return 0;
}

void pci_set_master(struct pci_dev *d)
{
	pci_write_config_word(d, PCI_COMMAND,
			      pci_read_config_word(d, PCI_COMMAND) | PCI_COMMAND_MASTER);
}

void pci_disable_device(struct pci_dev *d)
{
	pci_write_config_word(d, PCI_COMMAND, pci_read_config_word(d, PCI_COMMAND) &
			      ~(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
	d->enabled = 0;
}

volatile void *pci_iomap(const struct pci_dev *d, int bar)
{
	const struct pci_bar *b;

	if (bar < 0 || bar >= PCI_NUM_BARS)
		return NULL;
	b = &d->bar[bar];
	if (!b->size || b->is_io || !b->addr || b->addr + b->size > MM_LIMIT)
		return NULL;
	return (volatile void *)(uintptr_t)b->addr;
}
