# scripts/experiment.mk: stormd built for Linux, the Linux comparison guest,
# and `make storm` (docs/experiments.md). Included by the top Makefile, which
# provides BUILD, Q and quiet, and the images and storm-tool targets.
#
#   make stormd-linux   $(BUILD)/linux/stormd: apps/stormd, static glibc, with
#                       the stats endpoint (port 7070)
#   make linux-guest    $(BUILD)/linux/vmlinux (-> the cached ELF from Debian's
#                       linux-image-amd64) and $(BUILD)/linux/initramfs.cpio
#                       (busybox-static, virtio modules, stormd, init);
#                       the kernel and busybox part is cached outside the tree
#   make storm          boot Squall (2 vCPUs), a 10 s crr storm against
#                       reuseport mode, print the table and the report folder
#   make storm TARGET=linux               the same against the Linux guest
#   make storm EXPERIMENT=experiments/matrix.txt   another experiment file
# `make storm` needs root (a network namespace and a tap).

STORMD_LINUX := $(BUILD)/linux/stormd
STORMD_LINUX_SRCS := apps/stormd/stormd.c apps/stormd/opts.c apps/stormd/stats_linux.c
STORMD_LINUX_CFLAGS := -std=gnu11 -static -O2 -g -pthread -Wall -Wextra -Werror \
	-DSTORMD_STATS

$(STORMD_LINUX): $(STORMD_LINUX_SRCS) apps/stormd/stormd.h scripts/experiment.mk
	@mkdir -p $(@D)
	$(quiet) HOSTCC $@
	$(Q)gcc $(STORMD_LINUX_CFLAGS) -o $@ $(STORMD_LINUX_SRCS)

stormd-linux: $(STORMD_LINUX)

# Always run: it checks the installed package versions against the cache
# (about a second when nothing changed) and repacks init + stormd.
linux-guest: $(STORMD_LINUX)
	$(Q)images/linux/build-guest --stormd $(STORMD_LINUX) --out $(BUILD)/linux

TARGET ?= squall
EXPERIMENT ?= experiments/default.txt
STORM_DEPS_squall := images
STORM_DEPS_linux := linux-guest

storm: storm-tool $(STORM_DEPS_$(TARGET))
	@case "$(TARGET)" in squall|linux) ;; \
	  *) echo "make storm: TARGET=$(TARGET): expected squall or linux" >&2; exit 2;; esac
	scripts/experiment --target $(TARGET) $(EXPERIMENT)

.PHONY: stormd-linux linux-guest storm
