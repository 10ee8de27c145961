/*
 * The two ways into the kernel, both ending in kmain(struct boot_info *):
 *
 *  - pvh_start32: QEMU -kernel with the Xen PVH note below. 32-bit protected
 *    mode, paging off, %ebx = hvm_start_info. We switch to long mode with the
 *    static identity map, then pvh_main() (pvh.c) builds the boot_info.
 *  - _start64: the UEFI loader (images/efi/loader.c) after ExitBootServices.
 *    Already in long mode on the firmware's page tables, rdi = boot_info.
 *
 * Both load our GDT and page tables, zero .bss, take the boot stack and turn
 * on SSE before any C runs (newlib's code uses XMM registers even for
 * integer work: feasibility.md §1).
 */
#define CR0_PE  0x00000001
#define CR0_MP  0x00000002
#define CR0_EM  0x00000004
#define CR0_PG  0x80000000
#define CR4_PAE 0x00000020
#define CR4_OSFXSR 0x00000200
#define CR4_OSXMMEXCPT 0x00000400
#define EFER_LME 0x00000100
#define KCODE 0x08
#define KDATA 0x10

/* XEN_ELFNOTE_PHYS32_ENTRY: QEMU's -kernel loader jumps here in 32-bit mode. */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4, 8, 18
	.asciz "Xen"
	.balign 4
	.quad pvh_start32

	.section .text.boot, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	mov	%ebx, %ebp		/* keep hvm_start_info across the .bss wipe */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb
	lgdt	boot_gdt_ptr		/* 32-bit lgdt reads limit + low 32 bits of base */
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	$0xc0000080, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$(CR0_PG | CR0_PE), %eax
	mov	%eax, %cr0
	ljmp	$KCODE, $1f

	.code64
1:	mov	$KDATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%eax, %eax
	mov	%ax, %fs
	mov	%ax, %gs
	lea	boot_stack_top(%rip), %rsp
	call	enable_sse
	mov	%ebp, %edi		/* zero-extends: hvm_start_info is below 4 GiB */
	xor	%ebp, %ebp		/* ends the frame-pointer chain for backtraces */
	call	pvh_main
	jmp	halt_forever

	.globl _start64
_start64:
	cli
	cld
	mov	%rdi, %r12		/* boot_info lives in loader memory, not .bss */
	lgdt	boot_gdt_ptr
	pushq	$KCODE
	lea	2f(%rip), %rax
	pushq	%rax
	lretq
2:	mov	$KDATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%eax, %eax
	mov	%ax, %fs
	mov	%ax, %gs
	/* The firmware's tables map us 1:1 too, so the switch is seamless. */
	mov	$boot_pml4, %rax
	mov	%rax, %cr3
	mov	$__bss_start, %rdi
	mov	$__bss_end, %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb
	lea	boot_stack_top(%rip), %rsp
	call	enable_sse
	mov	%r12, %rdi
	xor	%ebp, %ebp
	call	kmain
	jmp	halt_forever

enable_sse:
	mov	%cr0, %rax
	and	$~CR0_EM, %rax
	or	$CR0_MP, %rax
	mov	%rax, %cr0
	mov	%cr4, %rax
	or	$(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
	mov	%rax, %cr4
	fninit
	ret

	.globl halt_forever
halt_forever:
	cli
3:	hlt
	jmp	3b

/*
 * Boot GDT: null, 64-bit kernel code, kernel data. trap.c replaces it with
 * the full per-CPU GDT (user segments, TSS) once C runs.
 */
	.section .rodata
	.balign 16
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* KCODE: long mode, DPL 0 */
	.quad	0x00cf92000000ffff	/* KDATA */
boot_gdt_end:
	.balign 8
	.globl boot_gdt_ptr		/* the AP trampoline loads it too */
boot_gdt_ptr:
	.word	boot_gdt_end - boot_gdt - 1
	.quad	boot_gdt

/*
 * Identity map of the low 4 GiB with 2 MiB pages, except the first 2 MiB,
 * which uses 4 KiB pages so that page 0 can be unmapped: a NULL
 * dereference faults instead of reading the real-mode IVT. Page 0 starts
 * mapped because a firmware may leave the PVH start info or its memory
 * map there; kmain unmaps it (vm_unmap_page0) once it has copied them.
 */
#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_PS  0x080
	.section .data
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.quad	boot_pdpt + (PTE_P | PTE_W)
	.fill	511, 8, 0
	.globl boot_pdpt_table, boot_pd
boot_pdpt:
boot_pdpt_table:
	.quad	boot_pd + (PTE_P | PTE_W)
	.quad	boot_pd + 4096 + (PTE_P | PTE_W)
	.quad	boot_pd + 8192 + (PTE_P | PTE_W)
	.quad	boot_pd + 12288 + (PTE_P | PTE_W)
	.fill	508, 8, 0
boot_pd:
	.quad	boot_pt0 + (PTE_P | PTE_W)
	.set	i, 1
	.rept	2047
	.quad	(i << 21) | (PTE_P | PTE_W | PTE_PS)
	.set	i, i + 1
	.endr
	.globl boot_pt0
boot_pt0:
	.quad	(PTE_P | PTE_W)		/* page 0: until kmain has the boot info */
	.set	i, 1
	.rept	511
	.quad	(i << 12) | (PTE_P | PTE_W)
	.set	i, i + 1
	.endr

/*
 * The boot stack (CPU 0's idle task keeps it) with a guard page below:
 * kmain unmaps the guard (vm_guard_boot_stack), so an overflow faults and
 * is reported through the double-fault stack instead of silently
 * overwriting .ksyms and .data, which lie just below .bss.
 */
	.section .bss
	.balign 4096
	.globl boot_stack_guard, boot_stack, boot_stack_top
boot_stack_guard:
	.skip	4096
boot_stack:
	.skip	32768
boot_stack_top:
