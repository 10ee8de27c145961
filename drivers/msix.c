/*
 * MSI-X (PCI 3.0 §6.8.2; Linux's drivers/pci/msi/ and the x86 vector
 * allocator, reduced to what Squall needs): each table entry is a message
 * address naming one local APIC (0xFEE00000 | apic_id << 12, physical
 * destination, fixed delivery) and data naming an IDT vector. Vectors
 * come from FIRST_DEVICE_VECTOR..LAST_DEVICE_VECTOR and are global (one
 * IDT for all CPUs), so every (device, entry) gets its own.
 *
 *  - pci_msix_enable(): find the capability, map the table, MSI-X on with
 *    the function masked and every entry masked.
 *  - pci_msix_setup_vector(): allocate a vector, install msix_interrupt()
 *    for it with trap_set_handler(), program and unmask one entry.
 *  - msix_interrupt(): hard irq, interrupts off: call the driver's
 *    handler, then lapic_eoi().
 *
 * Called by drivers at init (virtio_pci.c), on the boot CPU.
 */
#include <drivers/pci.h>
#include <kernel/arch/x86/apic.h>
#include <kernel/arch/x86/trap.h>
#include <kernel/arch/x86/vectors.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <errno.h>

#define PCI_MSIX_FLAGS 2		/* Message Control */
#define  PCI_MSIX_FLAGS_QSIZE 0x07ff
#define  PCI_MSIX_FLAGS_MASKALL 0x4000
#define  PCI_MSIX_FLAGS_ENABLE 0x8000
#define PCI_MSIX_TABLE 4		/* BIR in bits 2:0, offset in the rest */
#define  PCI_MSIX_TABLE_BIR 0x7

#define PCI_MSIX_ENTRY_SIZE 16
#define PCI_MSIX_ENTRY_LOWER_ADDR 0
#define PCI_MSIX_ENTRY_UPPER_ADDR 4
#define PCI_MSIX_ENTRY_DATA 8
#define PCI_MSIX_ENTRY_VECTOR_CTRL 12
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT 1

#define MSI_ADDR_BASE 0xfee00000u

/* What runs on a device vector. [I] once the entry is unmasked; count [a]. */
struct irq_desc {
	void (*handler)(void *data);
	void *data;
	struct pci_dev *dev;	/* owner, to free on pci_msix_disable */
	uint64_t count;
};

static struct irq_desc irq_desc[NR_VECTORS];
DEFINE_SPINLOCK(vector_lock);	/* guards the handler slots while allocating */

static void msix_interrupt(struct trapframe *tf)
{
	struct irq_desc *desc = &irq_desc[tf->vector];

	__atomic_add_fetch(&desc->count, 1, __ATOMIC_RELAXED);
	if (desc->handler)
		desc->handler(desc->data);
	lapic_eoi();
}

static int vector_alloc(struct pci_dev *d, void (*handler)(void *), void *data)
{
	uint64_t f = spin_lock_irqsave(&vector_lock);
	int v;

	for (v = FIRST_DEVICE_VECTOR; v <= LAST_DEVICE_VECTOR; v++) {
		if (!irq_desc[v].dev) {
			irq_desc[v] = (struct irq_desc){ handler, data, d, 0 };
			break;
		}
	}
	spin_unlock_irqrestore(&vector_lock, f);
	if (v > LAST_DEVICE_VECTOR)
		return -ENOSPC;
	trap_set_handler(v, msix_interrupt);
	return v;
}

uint64_t msix_vector_count(int vector)
{
	if (vector < 0 || vector >= NR_VECTORS)
		return 0;
	return __atomic_load_n(&irq_desc[vector].count, __ATOMIC_RELAXED);
}

static volatile uint8_t *msix_entry(struct pci_dev *d, unsigned int entry)
{
	return d->msix_table + entry * PCI_MSIX_ENTRY_SIZE;
}

int pci_msix_enable(struct pci_dev *d)
{
	unsigned int cap = pci_find_capability(d, PCI_CAP_ID_MSIX);
	uint32_t table;
	uint16_t ctrl;
	volatile uint8_t *bar;
	int bir;

	if (!cap)
		return -ENODEV;
	ctrl = pci_read_config_word(d, cap + PCI_MSIX_FLAGS);
	table = pci_read_config_dword(d, cap + PCI_MSIX_TABLE);
	bir = (int)(table & PCI_MSIX_TABLE_BIR);
	bar = pci_iomap(d, bir);
	d->msix_nr = (uint16_t)((ctrl & PCI_MSIX_FLAGS_QSIZE) + 1);
	if (!bar || (uint64_t)(table & ~7u) + d->msix_nr * PCI_MSIX_ENTRY_SIZE > d->bar[bir].size)
		return -ENODEV;
	d->msix_cap = (uint8_t)cap;
	d->msix_table = bar + (table & ~7u);
	/* Enable with the whole function masked, then mask each entry (PCI 3.0 §6.8.2.9). */
	pci_write_config_word(d, cap + PCI_MSIX_FLAGS,
			      ctrl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (unsigned int e = 0; e < d->msix_nr; e++)
		mmio_write32(msix_entry(d, e) + PCI_MSIX_ENTRY_VECTOR_CTRL,
			     PCI_MSIX_ENTRY_CTRL_MASKBIT);
	pci_write_config_word(d, cap + PCI_MSIX_FLAGS, (ctrl | PCI_MSIX_FLAGS_ENABLE) &
			      ~PCI_MSIX_FLAGS_MASKALL);
	return d->msix_nr;
}

int pci_msix_setup_vector(struct pci_dev *d, unsigned int entry, unsigned int cpu,
			  void (*handler)(void *data), void *data)
{
	volatile uint8_t *e;
	int v;

	if (!d->msix_table || entry >= d->msix_nr || cpu >= NR_CPUS)
		return -EINVAL;
	if (percpu_area[cpu].apic_id > 0xff)
		return -EINVAL;	/* xAPIC message addresses have 8 destination bits */
	v = vector_alloc(d, handler, data);
	if (v < 0)
		return v;
	e = msix_entry(d, entry);
	mmio_write32(e + PCI_MSIX_ENTRY_VECTOR_CTRL, PCI_MSIX_ENTRY_CTRL_MASKBIT);
	mmio_write32(e + PCI_MSIX_ENTRY_LOWER_ADDR, MSI_ADDR_BASE | percpu_area[cpu].apic_id << 12);
	mmio_write32(e + PCI_MSIX_ENTRY_UPPER_ADDR, 0);
	mmio_write32(e + PCI_MSIX_ENTRY_DATA, (uint32_t)v);	/* edge, fixed delivery */
	mmio_write32(e + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	return v;
}

void pci_msix_disable(struct pci_dev *d)
{
	uint64_t f;

	if (!d->msix_table)
		return;
	for (unsigned int e = 0; e < d->msix_nr; e++)
		mmio_write32(msix_entry(d, e) + PCI_MSIX_ENTRY_VECTOR_CTRL,
			     PCI_MSIX_ENTRY_CTRL_MASKBIT);
	pci_write_config_word(d, d->msix_cap + PCI_MSIX_FLAGS,
			      pci_read_config_word(d, d->msix_cap + PCI_MSIX_FLAGS) &
			      ~PCI_MSIX_FLAGS_ENABLE);
	f = spin_lock_irqsave(&vector_lock);
	for (int v = FIRST_DEVICE_VECTOR; v <= LAST_DEVICE_VECTOR; v++) {
		if (irq_desc[v].dev == d) {
			trap_set_handler(v, NULL);
			irq_desc[v] = (struct irq_desc){ 0 };
		}
	}
	spin_unlock_irqrestore(&vector_lock, f);
	d->msix_table = NULL;
	d->msix_cap = 0;
}
