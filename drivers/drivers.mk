# Drivers: PCI (enumeration, BARs, MSI-X), the virtio 1.0 PCI transport,
# split virtqueues and virtio-net. Included from the Makefile's kernel
# source lists. virtqueue.c is portable and also built on the host.
DRIVER_SRCS += drivers/pci.c drivers/msix.c drivers/virtio_pci.c drivers/virtqueue.c \
	drivers/virtio_net.c drivers/virtio_net_setup.c
UNIT_TESTS += virtqueue
UNIT_SRCS_virtqueue := drivers/virtqueue.c
