# Squall — the one entry point. `make help` lists the targets.
#
#   make            kernel images (same as make images)
#   make images     build/images/NAME.elf (qemu -kernel) and NAME.img (UEFI ESP)
#   make storm      the main job: a 10 s connection storm at Squall's stormd
#                   (TARGET=linux: at the Linux guest), report in reports/
#   make run        boot the main image, stormd (scripts/run; ARGS='...' adds kernel args)
#   make test       everything: host unit tests (ASan/UBSan), fuzz smoke runs,
#                   guest selftests and integration tests; ends "N passed, M failed"
#   make gdb        boot halted under a gdb stub with gdb attached (scripts/gdb)
#   make setup      install the Debian packages (scripts/setup)
#   make clean      remove build/ (the newlib cache outside the tree stays)

BUILD := build
# Quiet by default; V=1 shows every command.
ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-7s %s\n'
endif
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
.DELETE_ON_ERROR:
.DEFAULT_GOAL := images

# ---- toolchain and newlib ----
# Missing tools are installed by scripts/setup (root) or named (not root).
SETUP_STAMP := $(BUILD)/.setup-ok
$(SETUP_STAMP): scripts/setup
	@scripts/setup
	@mkdir -p $(@D) && touch $@

NEWLIB := $(shell scripts/newlib path)
NEWLIB_STAMP := $(NEWLIB)/.complete
$(NEWLIB_STAMP): | $(SETUP_STAMP)
	@scripts/newlib sysroot >/dev/null

GCCINC := $(shell gcc -print-file-name=include)
LIBGCC := $(shell gcc -print-libgcc-file-name)

WARN := -Wall -Wextra -Werror
KCFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-pic -fno-pie \
	-mno-red-zone -fno-stack-protector -fno-omit-frame-pointer \
	-mno-omit-leaf-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-delete-null-pointer-checks -fno-strict-aliasing -ffunction-sections \
	-D__DYNAMIC_REENT__ -nostdinc -isystem $(NEWLIB)/include -isystem $(GCCINC) \
	-I. -MMD -MP
KASFLAGS := -g -D__ASSEMBLER__ -I. -MMD -MP
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments --gc-sections -T kernel/arch/x86/kernel.ld

# ---- kernel objects (explicit, per directory) ----
ARCH_SRCS := kernel/arch/x86/boot.S kernel/arch/x86/trapentry.S \
	kernel/arch/x86/pvh.c kernel/arch/x86/percpu.c kernel/arch/x86/gdt.c \
	kernel/arch/x86/trap.c kernel/arch/x86/fault.c kernel/arch/x86/tsc.c \
	kernel/arch/x86/power.c kernel/arch/x86/string.c kernel/arch/x86/switch.S \
	kernel/arch/x86/switch.c kernel/arch/x86/tick.c kernel/arch/x86/entry64.S \
	kernel/arch/x86/syscall_msr.c kernel/arch/x86/vm.c kernel/arch/x86/hpet.c
KERNEL_SRCS := kernel/main.c kernel/console.c kernel/spinlock.c kernel/panic.c \
	kernel/backtrace.c kernel/ksym.c kernel/cmdline.c kernel/params.c \
	kernel/memmap.c kernel/page_alloc.c kernel/mm.c kernel/newlib_glue.c \
	kernel/selftest.c kernel/bench.c kernel/sched.c kernel/wait.c \
	kernel/softirq.c kernel/timer.c kernel/syscall.c kernel/fork.c kernel/exit.c \
	kernel/futex.c kernel/mmap.c kernel/sys_sched.c kernel/sys_time.c \
	kernel/read_write.c kernel/file.c kernel/app.c kernel/random.c images/efi/elf_load.c \
	kernel/rbtree.c kernel/eventpoll.c kernel/profile.c kernel/slab.c
DRIVER_SRCS := drivers/serial.c
NET_SRCS := net/core/skbuff.c net/core/dev.c net/ethernet/eth.c \
	net/ipv4/inet_hashtables.c net/ipv4/inet_connection_sock.c net/core/sock_reuseport.c \
	net/socket.c net/core/msg.c net/core/sock.c net/ipv4/af_inet.c net/core/net_stats.c
# Drivers (PCI, virtio) and the IPv4 protocols register their sources here.
-include drivers/drivers.mk net/ipv4/ipv4.mk net/ipv4/tcp_in.mk net/ipv4/tcp_out.mk net/core/stats.mk
# SMP bring-up (ACPI, APIC, AP trampoline) registers its sources here.
include kernel/arch/x86/smp.mk
GUEST_TEST_SRCS := $(wildcard tests/guest/*.c)

KSRCS := $(ARCH_SRCS) $(KERNEL_SRCS) $(DRIVER_SRCS) $(NET_SRCS) $(GUEST_TEST_SRCS)
KOBJS := $(patsubst %,$(BUILD)/k/%.o,$(KSRCS))

$(BUILD)/k/%.c.o: %.c $(NEWLIB_STAMP)
	@mkdir -p $(@D)
	$(quiet) CC $<
	$(Q)gcc $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(@D)
	$(quiet) AS $<
	$(Q)gcc $(KASFLAGS) -c $< -o $@

# ---- ring-3 apps and their runtime (apps/lib) ----
include apps/lib/lib.mk

# ---- images: kernel + app + default command line (images/NAME.mk) ----
IMAGES := $(basename $(notdir $(wildcard images/*.mk)))
include $(wildcard images/*.mk)
EFI_LOADER := $(BUILD)/efi/BOOTX64.EFI
include images/efi/efi.mk

# Two links: the second adds the symbol table (.ksyms) made from the first;
# kernel.ld places it after all code so no address moves, and the check
# below proves it.
define image_rules
$(BUILD)/images/$(1)/image.c: $(wildcard images/$(1).mk) Makefile
	@mkdir -p $$(@D)
	@printf 'const char image_name[] = "%s";\nconst char image_cmdline[] = "%s";\nconst char image_app[] = "%s";\n' \
		'$(1)' '$$($(1)_CMDLINE)' '$$($(1)_APP)' > $$@

# The app (if any): its ELF embedded whole, and its symbols for fault reports.
$(BUILD)/images/$(1)/app.o: $(if $($(1)_APP),$(BUILD)/apps/$($(1)_APP).elf) $(wildcard images/$(1).mk) scripts/ksyms
	@mkdir -p $$(@D)
	$(Q){ echo '	.section .rodata.app, "a"'; echo '	.balign 4096'; \
	  echo '	.globl app_elf_start, app_elf_end'; echo 'app_elf_start:'; \
	  $(if $($(1)_APP),echo '	.incbin "$(BUILD)/apps/$($(1)_APP).elf"';) \
	  echo 'app_elf_end:'; } > $(BUILD)/images/$(1)/app.S
	$(Q)$(if $($(1)_APP),scripts/ksyms $(BUILD)/apps/$($(1)_APP).elf $(BUILD)/images/$(1)/appsyms.S appsyms,\
		scripts/ksyms /dev/null $(BUILD)/images/$(1)/appsyms.S appsyms)
	$(Q)cat $(BUILD)/images/$(1)/appsyms.S >> $(BUILD)/images/$(1)/app.S
	$(Q)gcc $(KASFLAGS) -c $(BUILD)/images/$(1)/app.S -o $$@

$(BUILD)/images/$(1)/image.o: $(BUILD)/images/$(1)/image.c
	$(Q)gcc $(KCFLAGS) -c $$< -o $$@

$(BUILD)/images/$(1)/ksyms0.o:
	@mkdir -p $$(@D)
	$(Q)scripts/ksyms /dev/null $(BUILD)/images/$(1)/ksyms0.S
	$(Q)gcc $(KASFLAGS) -c $(BUILD)/images/$(1)/ksyms0.S -o $$@

$(1)_LINK := $(KOBJS) $(BUILD)/images/$(1)/app.o $(BUILD)/images/$(1)/image.o
$(1)_LIBS := -L$(NEWLIB)/lib -lc -lm $(LIBGCC)

$(BUILD)/images/$(1).elf: $$($(1)_LINK) $(BUILD)/images/$(1)/ksyms0.o kernel/arch/x86/kernel.ld scripts/ksyms
	$(quiet) LD $$@
	$(Q)ld $(KLDFLAGS) -o $(BUILD)/images/$(1)/pass1.elf $$($(1)_LINK) $(BUILD)/images/$(1)/ksyms0.o $$($(1)_LIBS)
	$(Q)scripts/ksyms $(BUILD)/images/$(1)/pass1.elf $(BUILD)/images/$(1)/ksyms.S
	$(Q)gcc $(KASFLAGS) -c $(BUILD)/images/$(1)/ksyms.S -o $(BUILD)/images/$(1)/ksyms.o
	$(Q)ld $(KLDFLAGS) -o $$@.tmp $$($(1)_LINK) $(BUILD)/images/$(1)/ksyms.o $$($(1)_LIBS)
	$(Q)scripts/ksyms $$@.tmp $(BUILD)/images/$(1)/ksyms.check.S
	@cmp -s $(BUILD)/images/$(1)/ksyms.S $(BUILD)/images/$(1)/ksyms.check.S || \
		{ echo "ksyms: code moved between the two links of $$@" >&2; exit 1; }
	$(Q)nm -n $$@.tmp > $(BUILD)/images/$(1).sym
	$(Q)mv $$@.tmp $$@

$(BUILD)/images/$(1).asm: $(BUILD)/images/$(1).elf
	$(quiet) OBJDUMP $$@
	$(Q)objdump -d -S --no-show-raw-insn $$< > $$@

$(BUILD)/images/$(1).img: $(BUILD)/images/$(1).elf $(EFI_LOADER) images/mkesp
	$(quiet) MKESP $$@
	$(Q)images/mkesp --loader $(EFI_LOADER) --kernel $$< $$@
endef
# Test images: each runtime test (tests/apps/test_*.c) and the helper apps
# below, as an image of its own name with no default command line.
TEST_APPS := crash bench_syscall ready udp_echo reuseport_echo accept_workers tcp_client
$(foreach t,$(TEST_APPS),\
	$(eval $(call app_rules,$(t),$(call app_objs,tests/apps/$(t).c))))
TEST_IMAGES := $(APP_TESTS) $(TEST_APPS)
$(foreach t,$(TEST_IMAGES),$(eval $(t)_APP := $(t)))
IMAGES += $(TEST_IMAGES)
$(foreach i,$(IMAGES),$(eval $(call image_rules,$(i))))

images: $(foreach i,$(IMAGES),$(BUILD)/images/$(i).elf) \
	$(foreach i,$(filter-out $(TEST_IMAGES),$(IMAGES)),$(BUILD)/images/$(i).img)
asm: $(foreach i,$(IMAGES),$(BUILD)/images/$(i).asm)

# ---- host builds of portable code: unit tests and fuzzers ----
# A unit test NAME is tests/unit/test_NAME.c + $(UNIT_SRCS_NAME) + the host shim.
HOSTCFLAGS := -std=gnu11 -g -O1 $(WARN) -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -I. -DSQUALL_HOSTED -MMD -MP
HOST_SHIM := tests/unit/host/shim.c

UNIT_TESTS += cmdline memmap page_alloc ksym timer wait skbuff inet_hashtables rbtree profile slab
UNIT_SRCS_cmdline := kernel/cmdline.c
UNIT_SRCS_memmap := kernel/memmap.c
UNIT_SRCS_page_alloc := kernel/page_alloc.c kernel/spinlock.c
UNIT_SRCS_ksym := kernel/ksym.c
UNIT_SRCS_timer := kernel/timer.c kernel/spinlock.c
UNIT_SRCS_wait := kernel/wait.c kernel/spinlock.c
UNIT_SRCS_rbtree := kernel/rbtree.c
UNIT_SRCS_profile := kernel/profile.c kernel/ksym.c
UNIT_SRCS_slab := kernel/slab.c kernel/spinlock.c
# epoll over fake files and a real UDP sock (the hosted IPv4 stack).
UNIT_TESTS += eventpoll
UNIT_SRCS_eventpoll = kernel/eventpoll.c kernel/rbtree.c kernel/file.c $(IPV4_HOST_SRCS)
UNIT_SRCS_skbuff := net/core/skbuff.c kernel/spinlock.c
UNIT_SRCS_inet_hashtables := net/ipv4/inet_hashtables.c net/ipv4/inet_connection_sock.c \
	net/core/sock_reuseport.c kernel/random.c kernel/spinlock.c

FUZZ_TARGETS += cmdline memmap
FUZZ_SRCS_cmdline := kernel/cmdline.c
FUZZ_SRCS_memmap := kernel/memmap.c

# The host load tool (tools/storm) registers its unit tests and fuzzer here.
include tools/storm/storm.mk
# The Linux comparison guest, stormd for Linux, and `make storm` (scripts/experiment).
include scripts/experiment.mk

define unit_rules
$(BUILD)/host/test_$(1): tests/unit/test_$(1).c $(UNIT_SRCS_$(1)) $(HOST_SHIM) | $(SETUP_STAMP)
	@mkdir -p $$(@D)
	$(quiet) HOSTCC $$@
	$(Q)gcc $(HOSTCFLAGS) -o $$@ $$^ -lcmocka
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rules,$(t))))

define fuzz_rules
$(BUILD)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1)) $(HOST_SHIM) | $(SETUP_STAMP)
	@mkdir -p $$(@D)
	$(quiet) FUZZ $$@
	$(Q)clang -std=gnu11 -g -O1 $(WARN) -fsanitize=fuzzer,address,undefined -I. -DSQUALL_HOSTED -o $$@ $$^
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rules,$(t))))

unit: $(foreach t,$(UNIT_TESTS),$(BUILD)/host/test_$(t))
fuzz: $(foreach t,$(FUZZ_TARGETS),$(BUILD)/fuzz/fuzz_$(t))

# ---- running ----
# The main image (stormd) on 2 vCPUs behind QEMU's user networking: its
# port 8080 and the stats on 7070 are forwarded to free 127.0.0.1 ports,
# which scripts/run names on stderr; it stops after 5 minutes (or Ctrl-C).
# RUNFLAGS replaces these.
RUNFLAGS ?= --smp 2 --net user --hostfwd 8080,7070 --timeout 300
run: images
	scripts/run $(RUNFLAGS) -- $(ARGS)

test: $(SETUP_STAMP)
	@scripts/test

gdb: images
	scripts/gdb $(ARGS)

setup:
	scripts/setup

clean:
	rm -rf $(BUILD)

help:
	@sed -n '2,14s/^# \{0,1\}//p' Makefile

.PHONY: images asm unit fuzz run test gdb setup clean help
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# scripts/test asks for the registered suites this way.
print-%:
	@echo $($*)
