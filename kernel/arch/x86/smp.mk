# SMP bring-up sources (owned by the SMP bring-up work): the MADT parser,
# local/IO APIC, AP start-up trampoline. Included from the Makefile's
# kernel source lists.
ARCH_SRCS += kernel/arch/x86/apic.c kernel/arch/x86/smpboot.c kernel/arch/x86/trampoline.S
DRIVER_SRCS += drivers/acpi.c
UNIT_TESTS += acpi
UNIT_SRCS_acpi := drivers/acpi.c
FUZZ_TARGETS += acpi
FUZZ_SRCS_acpi := drivers/acpi.c
