# images/efi/efi.mk - build the GNU-EFI loader, register its host tests.
#
# Included by the top Makefile (which defines BUILD). Provides:
#   $(EFI_LOADER)  = $(BUILD)/efi/BOOTX64.EFI, the UEFI boot loader
#   $(MKESP)       = images/mkesp, which puts loader + kernel on a FAT ESP
# and appends the portable parts (elf_load, efi_memmap) to UNIT_TESTS and
# FUZZ_TARGETS. Recipe from shared/notes/feasibility.md section 2, using the
# Debian gnu-efi package. Uses its own tool variables: the kernel's CC may be
# a cross wrapper, the loader is built with the host gcc and binutils.

EFI_OUT     := $(BUILD)/efi
EFI_LOADER  := $(EFI_OUT)/BOOTX64.EFI
MKESP       := images/mkesp

EFI_CC      := gcc
EFI_LD      := ld
EFI_OBJCOPY := objcopy
EFI_INC     := /usr/include/efi
EFI_LIBDIR  := /usr/lib
EFI_LDS     := $(EFI_LIBDIR)/elf_x86_64_efi.lds
EFI_CRT0    := $(EFI_LIBDIR)/crt0-efi-x86_64.o

EFI_CFLAGS  := -std=gnu11 -Wall -Wextra -Werror \
	-I$(EFI_INC) -I$(EFI_INC)/x86_64 -I$(EFI_INC)/protocol -I. \
	-O2 -fpic -ffreestanding -fno-stack-protector -fno-stack-check \
	-fshort-wchar -mno-red-zone -maccumulate-outgoing-args \
	-DGNU_EFI_USE_MS_ABI -MMD -MP
# --no-undefined: -shared would otherwise accept a missing memmove etc.
EFI_LDFLAGS := -shared -Bsymbolic -nostdlib -znocombreloc --no-undefined \
	-T $(EFI_LDS)
EFI_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym \
	-j .rel -j .rela -j '.rel.*' -j '.rela.*' -j .reloc

EFI_SRCS := images/efi/loader.c images/efi/elf_load.c images/efi/efi_memmap.c \
	images/efi/cmdline_file.c
EFI_OBJS := $(patsubst images/efi/%.c,$(EFI_OUT)/%.o,$(EFI_SRCS))

# The top Makefile's quiet output (Q, quiet; V=1 shows commands) if any.
efi_say = $(if $(quiet),$(quiet) $(1) $(2))

# Static pattern: never confused with the kernel's $(BUILD)/%.o rules.
$(EFI_OBJS): $(EFI_OUT)/%.o: images/efi/%.c
	@mkdir -p $(@D)
	$(call efi_say,EFICC,$<)
	$(Q)$(EFI_CC) $(EFI_CFLAGS) -c $< -o $@

$(EFI_OUT)/loader.so: $(EFI_OBJS) $(EFI_LDS) $(EFI_CRT0)
	$(call efi_say,EFILD,$@)
	$(Q)$(EFI_LD) $(EFI_LDFLAGS) $(EFI_CRT0) $(EFI_OBJS) -o $@ \
		-L$(EFI_LIBDIR) -lgnuefi -lefi

$(EFI_LOADER): $(EFI_OUT)/loader.so
	$(call efi_say,OBJCOPY,$@)
	$(Q)$(EFI_OBJCOPY) $(EFI_SECTIONS) --target efi-app-x86_64 \
		--subsystem=10 $< $@

-include $(EFI_OBJS:.o=.d)

# Host tests of the portable parts (conventions: see the top Makefile).
UNIT_TESTS += elf_load efi_memmap cmdline_file
UNIT_SRCS_elf_load := images/efi/elf_load.c
UNIT_SRCS_efi_memmap := images/efi/efi_memmap.c
UNIT_SRCS_cmdline_file := images/efi/cmdline_file.c
FUZZ_TARGETS += elf_load
FUZZ_SRCS_elf_load := images/efi/elf_load.c
