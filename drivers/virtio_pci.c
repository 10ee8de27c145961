/*
 * virtio 1.0 modern PCI transport (Linux's virtio_pci_modern.c and
 * virtio_pci_modern_dev.c); see virtio_pci.h for the bring-up order.
 *
 * Capabilities (vendor-specific, id 0x09) name a BAR, an offset and a
 * length for each structure; QEMU puts them all in BAR4 (feasibility.md
 * §4): common at +0, ISR +0x1000, device +0x2000, notify +0x3000 with a
 * multiplier of 4. Fields are little-endian and accessed at their natural
 * width (§4.1.3.1); 64-bit queue addresses as two 32-bit halves.
 *
 * Queue rings are split rings (virtqueue.c) over page_alloc() memory:
 * physically contiguous and identity-mapped, so a pointer is the address
 * the device uses. A queue's doorbell address is kept in vq->priv, as
 * Linux does.
 *
 * Called by virtio-net's init (virtio_net.c) on the boot CPU.
 */
#include <drivers/virtio_pci.h>
#include <kernel/arch/x86/x86.h>
#include <kernel/mm.h>
#include <kernel/page_alloc.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <errno.h>
#include <string.h>

/* struct virtio_pci_cap (§4.1.4) */
#define VIRTIO_PCI_CAP_CFG_TYPE 3
#define VIRTIO_PCI_CAP_BAR 4
#define VIRTIO_PCI_CAP_OFFSET 8
#define VIRTIO_PCI_CAP_LENGTH 12
#define VIRTIO_PCI_NOTIFY_CAP_MULT 16

#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4

/* struct virtio_pci_common_cfg (§4.1.4.3) */
#define VIRTIO_PCI_COMMON_DFSELECT 0x00
#define VIRTIO_PCI_COMMON_DF 0x04
#define VIRTIO_PCI_COMMON_GFSELECT 0x08
#define VIRTIO_PCI_COMMON_GF 0x0c
#define VIRTIO_PCI_COMMON_MSIX 0x10
#define VIRTIO_PCI_COMMON_NUMQ 0x12
#define VIRTIO_PCI_COMMON_STATUS 0x14
#define VIRTIO_PCI_COMMON_CFGGENERATION 0x15
#define VIRTIO_PCI_COMMON_Q_SELECT 0x16
#define VIRTIO_PCI_COMMON_Q_SIZE 0x18
#define VIRTIO_PCI_COMMON_Q_MSIX 0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE 0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF 0x1e
#define VIRTIO_PCI_COMMON_Q_DESCLO 0x20
#define VIRTIO_PCI_COMMON_Q_DESCHI 0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO 0x28
#define VIRTIO_PCI_COMMON_Q_AVAILHI 0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO 0x30
#define VIRTIO_PCI_COMMON_Q_USEDHI 0x34
#define VIRTIO_PCI_COMMON_LEN 0x38

#define RESET_WAIT_MS 1000

static volatile uint8_t *cmn(struct virtio_device *vd, unsigned int off)
{
	return vd->common + off;
}

/*
 * Map the structure a capability at @pos names; NULL if its BAR is not a
 * mapped memory BAR or the range does not fit in it.
 */
static volatile uint8_t *map_capability(struct pci_dev *d, unsigned int pos, uint32_t minlen,
					uint32_t *len)
{
	uint8_t bar = pci_read_config_byte(d, pos + VIRTIO_PCI_CAP_BAR);
	uint32_t off = pci_read_config_dword(d, pos + VIRTIO_PCI_CAP_OFFSET);
	uint32_t length = pci_read_config_dword(d, pos + VIRTIO_PCI_CAP_LENGTH);
	volatile uint8_t *base;

	if (bar >= PCI_NUM_BARS || length < minlen)
		return NULL;
	base = pci_iomap(d, bar);
	if (!base || (uint64_t)off + length > d->bar[bar].size)
		return NULL;
	if (len)
		*len = length;
	return base + off;
}

/* The first capability of @type whose structure we can map (§4.1.4: use the first usable one). */
static unsigned int find_vendor_cap(struct pci_dev *d, uint8_t type, uint32_t minlen,
				    volatile uint8_t **map, uint32_t *len)
{
	for (unsigned int pos = pci_find_capability(d, PCI_CAP_ID_VNDR); pos;
	     pos = pci_find_next_capability(d, pos, PCI_CAP_ID_VNDR)) {
		if (pci_read_config_byte(d, pos + VIRTIO_PCI_CAP_CFG_TYPE) != type)
			continue;
		*map = map_capability(d, pos, minlen, len);
		if (*map)
			return pos;
	}
	return 0;
}

int vp_modern_probe(struct virtio_device *vd, struct pci_dev *pci)
{
	unsigned int notify;
	int n;

	memset(vd, 0, sizeof(*vd));
	vd->pci = pci;
	vd->config_vector = -1;
	if (pci_enable_device(pci)) {
		printk("virtio-pci %02x:%02x.%u: a memory BAR has no address; not driven\n",
		       pci->bus, pci->slot, pci->fn);
		return -ENODEV;
	}
	pci_set_master(pci);
	if (!find_vendor_cap(pci, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_LEN, &vd->common, NULL) ||
	    !find_vendor_cap(pci, VIRTIO_PCI_CAP_ISR_CFG, 1, &vd->isr, NULL) ||
	    !(notify = find_vendor_cap(pci, VIRTIO_PCI_CAP_NOTIFY_CFG, 2, &vd->notify_base,
				       &vd->notify_len))) {
		pci_disable_device(pci);
		printk("virtio-pci %02x:%02x.%u: common/ISR/notify capability missing or outside its BAR; not driven\n",
		       pci->bus, pci->slot, pci->fn);
		return -ENODEV;
	}
	vd->notify_off_multiplier = pci_read_config_dword(pci, notify + VIRTIO_PCI_NOTIFY_CAP_MULT);
	/* The device-specific structure is optional in the spec; net needs it, checked there. */
	find_vendor_cap(pci, VIRTIO_PCI_CAP_DEVICE_CFG, 1, &vd->device, &vd->device_len);
	n = pci_msix_enable(pci);
	if (n < 0) {
		pci_disable_device(pci);
		printk("virtio-pci %02x:%02x.%u: no usable MSI-X table; Squall needs MSI-X\n",
		       pci->bus, pci->slot, pci->fn);
		return -ENODEV;
	}
	vd->msix_entries = n;
	return 0;
}

uint8_t vp_get_status(struct virtio_device *vd)
{
	return mmio_read8(cmn(vd, VIRTIO_PCI_COMMON_STATUS));
}

void vp_add_status(struct virtio_device *vd, uint8_t bits)
{
	mmio_write8(cmn(vd, VIRTIO_PCI_COMMON_STATUS), vp_get_status(vd) | bits);
}

/* Writing 0 resets; the reset is done when status reads back 0 (§4.1.4.3.2). */
void vp_reset(struct virtio_device *vd)
{
	uint64_t end = ktime_ns() + RESET_WAIT_MS * 1000000ULL;

	mmio_write8(cmn(vd, VIRTIO_PCI_COMMON_STATUS), 0);
	while (vp_get_status(vd) && ktime_ns() < end)
		cpu_relax();
}

uint64_t vp_get_features(struct virtio_device *vd)
{
	uint64_t f;

	mmio_write32(cmn(vd, VIRTIO_PCI_COMMON_DFSELECT), 0);
	f = mmio_read32(cmn(vd, VIRTIO_PCI_COMMON_DF));
	mmio_write32(cmn(vd, VIRTIO_PCI_COMMON_DFSELECT), 1);
	return f | (uint64_t)mmio_read32(cmn(vd, VIRTIO_PCI_COMMON_DF)) << 32;
}

int vp_finalize_features(struct virtio_device *vd, uint64_t features)
{
	mmio_write32(cmn(vd, VIRTIO_PCI_COMMON_GFSELECT), 0);
	mmio_write32(cmn(vd, VIRTIO_PCI_COMMON_GF), (uint32_t)features);
	mmio_write32(cmn(vd, VIRTIO_PCI_COMMON_GFSELECT), 1);
	mmio_write32(cmn(vd, VIRTIO_PCI_COMMON_GF), (uint32_t)(features >> 32));
	vp_add_status(vd, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(vp_get_status(vd) & VIRTIO_CONFIG_S_FEATURES_OK))
		return -EIO;	/* the device does not accept this subset */
	vd->features = features;
	return 0;
}

unsigned int vp_num_queues(struct virtio_device *vd)
{
	return mmio_read16(cmn(vd, VIRTIO_PCI_COMMON_NUMQ));
}

/* Take the next MSI-X entry for @cb on @cpu; returns the vector or a negative errno. */
static int vp_request_vector(struct virtio_device *vd, unsigned int cpu, void (*cb)(void *),
			     void *data, unsigned int *entry)
{
	int v;

	if (vd->next_msix_entry >= (unsigned int)vd->msix_entries)
		return -ENOSPC;
	v = pci_msix_setup_vector(vd->pci, vd->next_msix_entry, cpu, cb, data);
	if (v >= 0)
		*entry = vd->next_msix_entry++;
	return v;
}

int vp_config_vector(struct virtio_device *vd, unsigned int cpu, void (*cb)(void *), void *data)
{
	unsigned int entry;
	int v = vp_request_vector(vd, cpu, cb, data, &entry);

	if (v < 0)
		return v;
	mmio_write16(cmn(vd, VIRTIO_PCI_COMMON_MSIX), (uint16_t)entry);
	if (mmio_read16(cmn(vd, VIRTIO_PCI_COMMON_MSIX)) != entry)
		return -EIO;	/* 0xffff: the device refused the entry */
	vd->config_vector = v;
	return 0;
}

static int vp_notify(struct virtqueue *vq)
{
	/* The queue's index goes to its doorbell (§4.1.5.2, no NOTIFICATION_DATA). */
	mmio_write16(vq->priv, (uint16_t)vq->index);
	return 0;
}

static void write_addr(struct virtio_device *vd, unsigned int lo, const void *p)
{
	uint64_t a = (uint64_t)(uintptr_t)p;	/* identity map: the pointer is the bus address */

	mmio_write32(cmn(vd, lo), (uint32_t)a);
	mmio_write32(cmn(vd, lo + 4), (uint32_t)(a >> 32));
}

static size_t ring_pages(unsigned int num)
{
	return (vring_size(num, VRING_ALIGN) + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* One queue (§4.1.5.1.3): size, vector, ring addresses, doorbell, enable. */
static int vp_setup_vq(struct virtio_device *vd, struct vq_info *qi)
{
	unsigned int num, noff;
	uint16_t vec = VIRTIO_MSI_NO_VECTOR;
	void *ring;
	uint64_t doorbell;
	int err;

	mmio_write16(cmn(vd, VIRTIO_PCI_COMMON_Q_SELECT), (uint16_t)qi->index);
	num = mmio_read16(cmn(vd, VIRTIO_PCI_COMMON_Q_SIZE));
	if (!num || mmio_read16(cmn(vd, VIRTIO_PCI_COMMON_Q_ENABLE)))
		return -ENOENT;		/* no such queue, or already live */
	while (num > qi->num_max || (num & (num - 1)))
		num = 1u << (31 - __builtin_clz(num - 1));	/* largest power of two below */
	noff = mmio_read16(cmn(vd, VIRTIO_PCI_COMMON_Q_NOFF));
	doorbell = (uint64_t)noff * vd->notify_off_multiplier;
	if (doorbell + 2 > vd->notify_len)
		return -EIO;
	ring = page_alloc(ring_pages(num));
	if (!ring)
		return -ENOMEM;
	err = vring_new_virtqueue(qi->vq, qi->index, num, ring,
				  virtio_has_feature(vd, VIRTIO_RING_F_EVENT_IDX), vp_notify,
				  (void *)(vd->notify_base + doorbell));
	if (err)
		goto free_ring;
	qi->vector = -1;
	if (qi->callback) {
		qi->vector = vp_request_vector(vd, qi->cpu, qi->callback, qi->data, &qi->msix_entry);
		if (qi->vector < 0) {
			err = qi->vector;
			goto del_vq;
		}
		vec = (uint16_t)qi->msix_entry;
	}
	mmio_write16(cmn(vd, VIRTIO_PCI_COMMON_Q_SIZE), (uint16_t)num);
	mmio_write16(cmn(vd, VIRTIO_PCI_COMMON_Q_MSIX), vec);
	if (mmio_read16(cmn(vd, VIRTIO_PCI_COMMON_Q_MSIX)) != vec) {
		err = -EIO;	/* 0xffff: refused, e.g. more entries than the device's vectors= */
		goto del_vq;
	}
	write_addr(vd, VIRTIO_PCI_COMMON_Q_DESCLO, qi->vq->vring.desc);
	write_addr(vd, VIRTIO_PCI_COMMON_Q_AVAILLO, qi->vq->vring.avail);
	write_addr(vd, VIRTIO_PCI_COMMON_Q_USEDLO, qi->vq->vring.used);
	mmio_write16(cmn(vd, VIRTIO_PCI_COMMON_Q_ENABLE), 1);
	return 0;

del_vq:
	vring_del_virtqueue(qi->vq);
free_ring:
	page_free(ring, ring_pages(num));
	return err;
}

int vp_find_vqs(struct virtio_device *vd, struct vq_info *info, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		int err = vp_setup_vq(vd, &info[i]);

		if (err) {
			printk("virtio-pci: queue %u: setup failed (%d)\n", info[i].index, err);
			vp_reset(vd);
			vp_del_vqs(vd, info, i);
			return err;
		}
	}
	return 0;
}

void vp_del_vqs(struct virtio_device *vd, struct vq_info *info, unsigned int n)
{
	(void)vd;
	for (unsigned int i = 0; i < n; i++) {
		struct virtqueue *vq = info[i].vq;

		if (!vq->desc_data)
			continue;
		vring_del_virtqueue(vq);
		page_free(vq->vring.desc, ring_pages(vq->vring.num));
	}
}

int vp_refuse(struct virtio_device *vd, const char *why)
{
	struct pci_dev *d = vd->pci;

	printk("virtio-pci %02x:%02x.%u (%04x:%04x): %s; device left alone\n", d->bus, d->slot,
	       d->fn, d->vendor, d->device, why);
	if (vd->common) {
		vp_reset(vd);
		vp_add_status(vd, VIRTIO_CONFIG_S_FAILED);
	}
	pci_msix_disable(d);
	pci_disable_device(d);
	return -ENODEV;
}

/* ---- device-specific configuration ---- */

/*
 * Retry while config_generation changes, so a multi-byte field is never
 * torn by a concurrent device update (§4.1.4.3.1).
 */
void vp_config_read_bytes(struct virtio_device *vd, unsigned int off, void *buf, unsigned int len)
{
	uint8_t gen, *out = buf;

	do {
		gen = mmio_read8(cmn(vd, VIRTIO_PCI_COMMON_CFGGENERATION));
		for (unsigned int i = 0; i < len; i++)
			out[i] = off + i < vd->device_len ? mmio_read8(vd->device + off + i) : 0;
	} while (gen != mmio_read8(cmn(vd, VIRTIO_PCI_COMMON_CFGGENERATION)));
}

uint8_t vp_config_read8(struct virtio_device *vd, unsigned int off)
{
	return off < vd->device_len ? mmio_read8(vd->device + off) : 0;
}

uint16_t vp_config_read16(struct virtio_device *vd, unsigned int off)
{
	uint8_t gen;
	uint16_t v;

	if (off + 2 > vd->device_len)
		return 0;
	do {
		gen = mmio_read8(cmn(vd, VIRTIO_PCI_COMMON_CFGGENERATION));
		v = mmio_read16(vd->device + off);
	} while (gen != mmio_read8(cmn(vd, VIRTIO_PCI_COMMON_CFGGENERATION)));
	return v;
}
