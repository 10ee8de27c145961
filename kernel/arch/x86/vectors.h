/*
 * Interrupt vector assignment (as Linux's irq_vectors.h): exceptions 0-31,
 * device vectors (MSI-X, IOAPIC) from 0x30, the kernel's own vectors at
 * the top where the local APIC gives them the highest priority.
 */
#ifndef SQUALL_VECTORS_H
#define SQUALL_VECTORS_H

#define FIRST_DEVICE_VECTOR   0x30
#define LAST_DEVICE_VECTOR    0xdf
#define LOCAL_TIMER_VECTOR    0xec	/* the per-CPU tick */
#define CALL_FUNCTION_VECTOR  0xfb	/* run a function on another CPU */
#define RESCHEDULE_VECTOR     0xfd	/* wake a CPU's scheduler */
#define ERROR_APIC_VECTOR     0xfe
#define SPURIOUS_APIC_VECTOR  0xff

#endif
