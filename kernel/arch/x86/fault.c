/*
 * Report a fatal CPU exception: what, where (symbolized), the registers
 * and a backtrace from the faulting frame, then power off with EXIT_PANIC.
 */
#include <kernel/arch/x86/trap.h>
#include <kernel/arch/x86/x86.h>
#include <kernel/backtrace.h>
#include <kernel/app.h>
#include <kernel/ksym.h>
#include <kernel/sched.h>
#include <kernel/uaccess.h>
#include <kernel/percpu.h>
#include <kernel/power.h>
#include <kernel/printk.h>

static const char *const exc_names[NR_EXCEPTIONS] = {
	[0] = "divide error", [1] = "debug", [2] = "NMI", [3] = "breakpoint",
	[4] = "overflow", [5] = "bound range", [6] = "invalid opcode",
	[7] = "device not available", [8] = "double fault",
	[10] = "invalid TSS", [11] = "segment not present", [12] = "stack fault",
	[13] = "general protection", [14] = "page fault", [16] = "x87 FP error",
	[17] = "alignment check", [18] = "machine check", [19] = "SIMD FP error",
	[20] = "virtualization", [21] = "control protection",
};
static const char *const exc_mnemonics[NR_EXCEPTIONS] = {
	"DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS", "NP",
	"SS", "GP", "PF", "15", "MF", "AC", "MC", "XM", "VE", "CP",
};

static void report_where(struct trapframe *tf)
{
	char sym[128];
	unsigned int v = (unsigned int)tf->vector;

	ksym_format(tf->rip, sym, sizeof(sym));
	printk("PANIC cpu%u: #%s %s at rip %#lx %s\n", smp_processor_id(),
	       exc_mnemonics[v] ? exc_mnemonics[v] : "?",
	       exc_names[v] ? exc_names[v] : "reserved exception",
	       (unsigned long)tf->rip, sym);
	if (v == T_PF)
		printk("  fault address %#lx (%s, %s, %s mode)\n", (unsigned long)read_cr2(),
		       tf->error & 1 ? "protection violation" : "page not present",
		       tf->error & 2 ? "write" : tf->error & 16 ? "instruction fetch" : "read",
		       tf->error & 4 ? "user" : "kernel");
	else if (tf->error)
		printk("  error code %#lx\n", (unsigned long)tf->error);
}

static void report_regs(struct trapframe *tf)
{
	printk("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n",
	       tf->rax, tf->rbx, tf->rcx, tf->rdx);
	printk("  rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n",
	       tf->rsi, tf->rdi, tf->rbp, tf->rsp);
	printk("  r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n",
	       tf->r8, tf->r9, tf->r10, tf->r11);
	printk("  r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n",
	       tf->r12, tf->r13, tf->r14, tf->r15);
	printk("  rflags %08lx cs %04lx ss %04lx cr3 %08lx\n",
	       tf->rflags, tf->cs, tf->ss, (unsigned long)read_cr3());
}

/* The app's frame-pointer chain, every frame checked to lie in the arena. */
static void user_backtrace(const struct trapframe *tf)
{
	uint64_t fp = tf->rbp, prev = 0;
	char sym[128];

	app_symbol(tf->rip, sym, sizeof(sym));
	printk("app backtrace:\n  #0 %#lx %s\n", (unsigned long)tf->rip, sym);
	for (int i = 1; i < 32 && fp > prev && fp % 8 == 0 && access_ok((void *)fp, 16); i++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;

		if (!frame[1])
			break;
		app_symbol(frame[1] - 1, sym, sizeof(sym));
		printk("  #%d %#lx %s\n", i, (unsigned long)frame[1], sym);
		prev = fp;
		fp = frame[0];
	}
}

/* A fault in ring 3 ends the app, not the kernel's integrity: say where, then stop. */
static _Noreturn void user_fault_report(struct trapframe *tf)
{
	char sym[128];
	unsigned int v = (unsigned int)tf->vector;

	console_bust_locks();
	app_symbol(tf->rip, sym, sizeof(sym));
	printk("app: thread %d (cpu%u) killed by #%s %s at rip %#lx %s\n", current->tid,
	       smp_processor_id(), exc_mnemonics[v] ? exc_mnemonics[v] : "?",
	       exc_names[v] ? exc_names[v] : "exception", (unsigned long)tf->rip, sym);
	if (v == T_PF)
		printk("  fault address %#lx (%s, %s)\n", (unsigned long)read_cr2(),
		       tf->error & 1 ? "protection violation: not app memory" : "page not present",
		       tf->error & 2 ? "write" : tf->error & 16 ? "instruction fetch" : "read");
	report_regs(tf);
	user_backtrace(tf);
	power_off(EXIT_APP_FAULT);
}

_Noreturn void fault_report(struct trapframe *tf)
{
	if (tf->cs & 3)
		user_fault_report(tf);
	console_bust_locks();
	report_where(tf);
	report_regs(tf);
	backtrace_print(tf->rip, tf->rbp);
	power_off(EXIT_PANIC);
}
