/*
 * The application processor's first instructions (Linux:
 * arch/x86/realmode/rm/trampoline_64.S; xv6-public entryother.S).
 *
 * A SIPI starts a CPU in real mode at CS:IP = (vector << 8):0, so
 * smpboot.c copies trampoline_start..trampoline_end to TRAMPOLINE_BASE
 * (page 8, below 1 MiB, never handed out by the page allocator) and sends
 * SIPI vector 8. The code runs there, not where it is linked, so every
 * address inside it is TRAMPOLINE_BASE + offset (TR() below); addresses
 * outside it (boot_gdt_ptr, boot_pml4, smp_callin) are the kernel's own,
 * all below 4 GiB.
 *
 * 16-bit: load our small GDT, set CR0.PE, far jump into
 * 32-bit: load the boot GDT (boot.S), PAE, CR3 = boot_pml4, EFER.LME,
 *         paging, far jump to its 64-bit code segment into
 * 64-bit: data segments, SSE on as boot.S's enable_sse does, claim the
 *         stack smpboot.c left in trampoline_stack (xchg with 0, so two
 *         CPUs can never share one), call smp_callin(trampoline_cpu).
 *
 * Only one AP runs this at a time: smpboot.c starts the next one after the
 * previous one is online or given up on.
 */
#define TRAMPOLINE_BASE 0x8000	/* page-aligned, below 1 MiB: the SIPI vector is its page */
#define TR(sym) (TRAMPOLINE_BASE + ((sym) - trampoline_start))

#define CR0_PE  0x00000001
#define CR0_MP  0x00000002
#define CR0_EM  0x00000004
#define CR0_PG  0x80000000
#define CR4_PAE 0x00000020
#define CR4_OSFXSR 0x00000200
#define CR4_OSXMMEXCPT 0x00000400
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100
#define TR_CODE32 0x08		/* in tr_gdt below */
#define TR_DATA 0x10
#define KCODE 0x08		/* in boot.S's boot_gdt */
#define KDATA 0x10

	/* The copy's physical address, for smpboot.c (an absolute symbol). */
	.globl	trampoline_phys
	.set	trampoline_phys, TRAMPOLINE_BASE

	.section .rodata.trampoline, "a"
	.balign	4096
	.globl	trampoline_start, trampoline_end, trampoline_stack, trampoline_cpu

	.code16
trampoline_start:
	cli
	cld
	mov	%cs, %ax		/* CS = TRAMPOLINE_BASE >> 4 */
	mov	%ax, %ds
	lgdtl	tr_gdt_ptr - trampoline_start
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	$TR_CODE32, $TR(tr_32)

	.code32
tr_32:
	mov	$TR_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	/*
	 * The boot GDT now: CS keeps its 32-bit descriptor until the far jump
	 * below, which loads the boot GDT's 64-bit KCODE (its D bit is 0, so it
	 * could not have served as 32-bit code).
	 */
	lgdt	boot_gdt_ptr
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$(CR0_PG | CR0_PE), %eax
	mov	%eax, %cr0
	ljmp	$KCODE, $TR(tr_64)

	.code64
tr_64:
	mov	$KDATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%eax, %eax
	mov	%ax, %fs
	mov	%ax, %gs
	/* SSE exactly as boot.S's enable_sse: newlib's code uses XMM registers. */
	mov	%cr0, %rax
	and	$~CR0_EM, %rax
	or	$CR0_MP, %rax
	mov	%rax, %cr0
	mov	%cr4, %rax
	or	$(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
	mov	%rax, %cr4
	fninit
	/*
	 * A CPU that wakes late, after the boot CPU gave up on it, finds 0
	 * here (or a slot another CPU then owns, which smp_callin refuses).
	 */
	xor	%esp, %esp
	xchg	%rsp, TR(trampoline_stack)	/* xchg with memory is locked */
	test	%rsp, %rsp
	jz	1f
	mov	TR(trampoline_cpu), %edi
	xor	%ebp, %ebp		/* ends the frame-pointer chain for backtraces */
	movabs	$smp_callin, %rax	/* absolute: a rel32 call would be off by the copy */
	call	*%rax
1:	cli
	hlt
	jmp	1b

	.balign	8
tr_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* TR_CODE32: flat 32-bit code */
	.quad	0x00cf92000000ffff	/* TR_DATA: flat data */
tr_gdt_end:
tr_gdt_ptr:
	.word	tr_gdt_end - tr_gdt - 1
	.long	TR(tr_gdt)

	/* Written by do_boot_cpu() in the copy before each INIT-SIPI-SIPI. */
	.balign	8
trampoline_stack:
	.quad	0			/* top of the AP's stack; 0 once claimed */
trampoline_cpu:
	.long	0			/* the CPU number it starts as */
trampoline_end:
