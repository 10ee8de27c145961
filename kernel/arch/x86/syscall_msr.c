/*
 * SYSCALL/SYSRET set-up, per CPU: EFER.SCE, the selectors in STAR (user
 * CS/SS at 0x28/0x20 via the SYSRET base 0x18, kernel at 0x08), the entry
 * point in LSTAR, and the RFLAGS bits cleared on entry (FMASK: interrupts,
 * direction, trap and alignment-check flags, as Linux masks them).
 */
#include <kernel/syscall.h>
#include <kernel/arch/x86/x86.h>

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define EFER_SCE 0x1
#define RFLAGS_TF (1 << 8)
#define RFLAGS_DF (1 << 10)
#define RFLAGS_AC (1 << 18)

void syscall_entry(void);

void syscall_init_cpu(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)(0x18 | 3) << 48) | ((uint64_t)0x08 << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC);
}
