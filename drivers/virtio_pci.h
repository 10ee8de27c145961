/*
 * The virtio 1.0 PCI transport, modern devices only (virtio 1.0 §4.1;
 * Linux's drivers/virtio/virtio_pci_modern*.c): the vendor capabilities
 * locate the common, notify, ISR and device-specific structures in the
 * BARs; the driver does the status handshake, feature negotiation and
 * queue setup through them, and each queue's interrupt is an MSI-X entry
 * routed to a chosen CPU.
 *
 * Bring-up order for a driver (virtio 1.0 §3.1.1), all on the boot CPU:
 *   vp_modern_probe()         caps, BARs on, MSI-X on (entries masked)
 *   vp_reset(); vp_add_status(ACKNOWLEDGE | DRIVER)
 *   vp_get_features() → vp_finalize_features()   (FEATURES_OK checked)
 *   device config reads; vp_num_queues() only now (it can change with features)
 *   vp_find_vqs()             rings, MSI-X entries and handlers
 *   fill queues; vp_add_status(DRIVER_OK)
 * and on failure vp_refuse(), which resets the device, marks it FAILED and
 * turns off its decoding: the device is left alone.
 *
 * Locking: a struct virtio_device is set up and changed on the boot CPU
 * during init only ([I] afterwards); queue notify addresses are [I] and
 * written by the virtqueue's owner (virtqueue.h).
 */
#ifndef SQUALL_VIRTIO_PCI_H
#define SQUALL_VIRTIO_PCI_H

#include <stdint.h>
#include <drivers/pci.h>
#include <drivers/virtqueue.h>

#define PCI_VENDOR_ID_REDHAT_QUMRANET 0x1af4
#define VIRTIO_PCI_MODERN_DEVICE_BASE 0x1040	/* + virtio device id (net: 1) */
#define VIRTIO_PCI_LEGACY_NET 0x1000		/* transitional virtio-net */

/* Device status (§2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 1
#define VIRTIO_CONFIG_S_DRIVER 2
#define VIRTIO_CONFIG_S_DRIVER_OK 4
#define VIRTIO_CONFIG_S_FEATURES_OK 8
#define VIRTIO_CONFIG_S_NEEDS_RESET 0x40
#define VIRTIO_CONFIG_S_FAILED 0x80

/* Transport feature bits (§6). */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33

#define VIRTIO_MSI_NO_VECTOR 0xffff

struct virtio_device {
	struct pci_dev *pci;			/* [I] */
	volatile uint8_t *common;		/* [I] struct virtio_pci_common_cfg */
	volatile uint8_t *isr;			/* [I] unused with MSI-X, mapped for completeness */
	volatile uint8_t *device;		/* [I] device-specific config */
	uint32_t device_len;			/* [I] */
	volatile uint8_t *notify_base;		/* [I] */
	uint32_t notify_len;			/* [I] */
	uint32_t notify_off_multiplier;		/* [I] */
	int msix_entries;			/* [I] MSI-X table size */
	unsigned int next_msix_entry;		/* [I] after vp_find_vqs */
	uint64_t features;			/* [I] negotiated */
	int config_vector;			/* [I] IDT vector of config changes, -1 none */
};

/* What vp_find_vqs() needs per queue; the driver owns the struct virtqueue. */
struct vq_info {
	struct virtqueue *vq;		/* the driver's storage */
	unsigned int index;		/* queue number in the device */
	unsigned int num_max;		/* cap on the ring size (the device's is the other cap) */
	void (*callback)(void *data);	/* hard irq, this queue's interrupt; NULL: polled, no vector */
	void *data;
	unsigned int cpu;		/* the CPU its interrupt goes to */
	int vector;			/* out: the IDT vector, -1 if none */
	unsigned int msix_entry;	/* out: the table entry (valid when vector >= 0) */
};

/* Find the capabilities, enable the function (memory, bus master) and MSI-X. 0 or -ENODEV (with a message). */
int vp_modern_probe(struct virtio_device *vd, struct pci_dev *pci);
void vp_reset(struct virtio_device *vd);
uint8_t vp_get_status(struct virtio_device *vd);
void vp_add_status(struct virtio_device *vd, uint8_t bits);
uint64_t vp_get_features(struct virtio_device *vd);
/* Write @features, set FEATURES_OK and check the device kept it. 0 or -EIO. */
int vp_finalize_features(struct virtio_device *vd, uint64_t features);
unsigned int vp_num_queues(struct virtio_device *vd);
/* Route config-change interrupts (entry 0) to @cpu. 0 or negative errno. */
int vp_config_vector(struct virtio_device *vd, unsigned int cpu, void (*cb)(void *), void *data);
/* Set up @n queues: ring memory, MSI-X entry per callback, enable. 0 or negative errno (none left set up). */
int vp_find_vqs(struct virtio_device *vd, struct vq_info *info, unsigned int n);
/* After vp_reset(): free the rings vp_find_vqs() allocated. */
void vp_del_vqs(struct virtio_device *vd, struct vq_info *info, unsigned int n);
/* Give up on the device (reset, FAILED, MSI-X and decoding off) after printing @why. Returns -ENODEV. */
int vp_refuse(struct virtio_device *vd, const char *why);

/* Device-specific configuration, read consistently (config_generation). */
uint8_t vp_config_read8(struct virtio_device *vd, unsigned int off);
uint16_t vp_config_read16(struct virtio_device *vd, unsigned int off);
void vp_config_read_bytes(struct virtio_device *vd, unsigned int off, void *buf, unsigned int len);

static inline int virtio_has_feature(const struct virtio_device *vd, unsigned int bit)
{
	return (vd->features >> bit) & 1;
}

#endif
