/*
 * PCI: configuration space through the legacy ports 0xCF8/0xCFC, bus
 * enumeration with BAR sizing and assignment, capability lists, and
 * MSI-X (drivers/msix.c). Linux's drivers/pci, much reduced.
 *
 *  - pci_init(): boot CPU, once, after smp_boot_aps(). Finds every
 *    function on bus 0 and on buses behind bridges that firmware
 *    numbered, sizes their BARs, keeps valid firmware assignments and
 *    assigns the rest from a bump allocator in the 32-bit PCI hole
 *    (qboot assigns nothing). Decoding stays as firmware left it.
 *  - A driver finds its device with pci_get_device(), claims it with
 *    pci_enable_device() (memory decoding on, INTx off) and
 *    pci_set_master(), and reaches a BAR with pci_iomap() (the identity
 *    map: physical == virtual below 4 GiB).
 *  - MSI-X: pci_msix_enable() finds the table; pci_msix_setup_vector()
 *    takes an IDT vector, routes one table entry to a CPU and installs
 *    the handler, which msix.c calls and then EOIs.
 *
 * Locking: config-space accesses take pci_config_lock (irqsave), so they
 * are safe from any context. struct pci_dev is [I] after pci_init except
 * where noted; devices are driven from the boot CPU during init only.
 */
#ifndef SQUALL_PCI_H
#define SQUALL_PCI_H

#include <stdint.h>

#define PCI_MAX_DEVS 64
#define PCI_NUM_BARS 6

/* Configuration space registers (type 0 header unless noted). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define  PCI_COMMAND_IO 0x1
#define  PCI_COMMAND_MEMORY 0x2
#define  PCI_COMMAND_MASTER 0x4
#define  PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS 0x06
#define  PCI_STATUS_CAP_LIST 0x10
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_HEADER_TYPE 0x0e
#define PCI_BASE_ADDRESS_0 0x10
#define  PCI_BASE_ADDRESS_SPACE_IO 0x1
#define  PCI_BASE_ADDRESS_MEM_TYPE_64 0x4
#define  PCI_BASE_ADDRESS_MEM_PREFETCH 0x8
#define PCI_PRIMARY_BUS 0x18	/* type 1 (bridge) */
#define PCI_SECONDARY_BUS 0x19	/* type 1 */
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_CAPABILITY_LIST 0x34

#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_VNDR 0x09

#define PCI_CLASS_BRIDGE_HOST 0x0600

struct pci_bar {
	uint64_t addr;		/* [I] bus address == physical; 0 if unassigned */
	uint64_t size;		/* [I] 0: no BAR here */
	uint8_t is_io;		/* [I] I/O space (Squall assigns none of these) */
	uint8_t is_64;		/* [I] takes this and the next BAR register */
	uint8_t prefetch;	/* [I] */
	uint8_t from_fw;	/* [I] firmware's assignment, kept */
};

struct pci_dev {
	uint8_t bus, slot, fn;			/* [I] */
	uint8_t revision, hdr_type;		/* [I] hdr_type without the multi-function bit */
	uint16_t vendor, device;		/* [I] */
	uint16_t subsys_vendor, subsys_device;	/* [I] */
	uint32_t class;				/* [I] class << 16 | subclass << 8 | prog-if */
	struct pci_bar bar[PCI_NUM_BARS];	/* [I] */
	int enabled;		/* set once by pci_enable_device (boot CPU, init) */
	/* MSI-X, set by pci_msix_enable (boot CPU, init) */
	uint8_t msix_cap;	/* config offset of the capability, 0 = none */
	uint16_t msix_nr;	/* table entries */
	volatile uint8_t *msix_table;	/* mapped through the identity map */
};

extern struct pci_dev pci_devs[PCI_MAX_DEVS];	/* [I] after pci_init */
extern unsigned int pci_nr_devs;		/* [I] after pci_init */

/* Boot CPU, once: enumerate and assign BARs. Returns the number of functions found. */
int pci_init(void);

/* The next device after @from (NULL: the first) matching vendor/device; 0xffff matches any. */
struct pci_dev *pci_get_device(uint16_t vendor, uint16_t device, struct pci_dev *from);

uint8_t pci_read_config_byte(const struct pci_dev *d, unsigned int off);
uint16_t pci_read_config_word(const struct pci_dev *d, unsigned int off);
uint32_t pci_read_config_dword(const struct pci_dev *d, unsigned int off);
void pci_write_config_byte(const struct pci_dev *d, unsigned int off, uint8_t v);
void pci_write_config_word(const struct pci_dev *d, unsigned int off, uint16_t v);
void pci_write_config_dword(const struct pci_dev *d, unsigned int off, uint32_t v);

/* Offset of the first capability @cap after @pos (0: from the list head), or 0. */
unsigned int pci_find_next_capability(const struct pci_dev *d, unsigned int pos, uint8_t cap);
static inline unsigned int pci_find_capability(const struct pci_dev *d, uint8_t cap)
{
	return pci_find_next_capability(d, 0, cap);
}

/* Memory decoding on, INTx off (devices use MSI-X). -ENODEV if a memory BAR has no address. */
int pci_enable_device(struct pci_dev *d);
void pci_set_master(struct pci_dev *d);
/* Memory BAR @bar through the identity map, or NULL (unassigned, I/O, above 4 GiB). */
volatile void *pci_iomap(const struct pci_dev *d, int bar);
/* Decoding and bus mastering off: a device Squall refuses to drive is left quiet. */
void pci_disable_device(struct pci_dev *d);

/* ---- MSI-X (msix.c) ---- */

/* Find the MSI-X capability and table; enable MSI-X with every entry masked.
 * Returns the table size, or a negative errno. Boot CPU, init. */
int pci_msix_enable(struct pci_dev *d);
/*
 * Take a free vector in FIRST_DEVICE_VECTOR..LAST_DEVICE_VECTOR, point
 * table entry @entry at CPU @cpu with it, and run @handler(@data) in hard
 * irq context on every interrupt (msix.c EOIs after it returns). Returns
 * the vector or a negative errno. Boot CPU, init.
 */
int pci_msix_setup_vector(struct pci_dev *d, unsigned int entry, unsigned int cpu,
			  void (*handler)(void *data), void *data);
/* Mask every entry, free their vectors, disable MSI-X. Boot CPU, init (error paths). */
void pci_msix_disable(struct pci_dev *d);
/* Interrupts taken on @vector so far (all CPUs). */
uint64_t msix_vector_count(int vector);

/* ---- MMIO (Linux's readl/writel). Uncached through the identity map under QEMU. ---- */
static inline uint8_t mmio_read8(const volatile void *p) { return *(const volatile uint8_t *)p; }
static inline uint16_t mmio_read16(const volatile void *p) { return *(const volatile uint16_t *)p; }
static inline uint32_t mmio_read32(const volatile void *p) { return *(const volatile uint32_t *)p; }
static inline void mmio_write8(volatile void *p, uint8_t v) { *(volatile uint8_t *)p = v; }
static inline void mmio_write16(volatile void *p, uint16_t v) { *(volatile uint16_t *)p = v; }
static inline void mmio_write32(volatile void *p, uint32_t v) { *(volatile uint32_t *)p = v; }

#endif
