/*
 * ACPI tables, only as far as SMP needs them: RSDP → XSDT (ACPI 2.0+) or
 * RSDT → MADT, giving the enabled CPUs' APIC ids, the IOAPICs, the ISA
 * interrupt source overrides and the local APIC address (Linux:
 * drivers/acpi/tables.c + arch/x86/kernel/acpi/boot.c, much reduced).
 *
 *  - acpi_parse(): portable. Every byte is read through the caller's map
 *    function, after the table's length has been checked against what was
 *    mapped, so a malformed table is an error string, not a stray read.
 *    Pointers the map function returns must stay valid for the whole call.
 *  - acpi_scan_rsdp(): portable; the BIOS areas, for loaders without an RSDP.
 *  - acpi_init(): kernel; kmain calls it once, before lapic_init() and
 *    smp_boot_aps(), which read acpi_madt.
 */
#include <drivers/acpi.h>
#include <errno.h>
#include <string.h>

#define RSDP_V1_LEN 20		/* ACPI 1.0 part, covered by the first checksum */
#define RSDP_V2_LEN 36
#define RSDP_MAX_LEN 1024	/* bounds a bad extended length */
#define SDT_HDR_LEN 36
#define MADT_HDR_LEN 44		/* SDT header + local APIC address + flags */
#define ACPI_TABLE_MAX (64 * 1024)	/* QEMU's MADT for 288 CPUs is ~2.5 KiB */
#define ACPI_MAX_SDT_ENTRIES 256	/* QEMU's root tables have about 8 */

#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_ADDR 5
#define MADT_X2APIC 9
#define MADT_CPU_ENABLED 1	/* flags bit 0; bit 1 (online capable) is hotplug */
#define X2APIC_ID_INVALID 0xffffffffu
#define XAPIC_ID_INVALID 0xff	/* the broadcast id: Linux skips it too */

/* The messages one table check can give, so *why names the table. */
struct table_errs {
	const char *sig, *unmapped, *bad_sig, *bad_len, *past_map, *bad_sum;
};

#define TABLE_ERRS(s, name)                                                   \
	{ s, name ": cannot be mapped", name ": bad signature",               \
	  name ": length out of range", name ": runs past mapped memory",     \
	  name ": bad checksum" }

static const struct table_errs xsdt_errs = TABLE_ERRS("XSDT", "XSDT");
static const struct table_errs rsdt_errs = TABLE_ERRS("RSDT", "RSDT");
static const struct table_errs madt_errs = TABLE_ERRS("APIC", "MADT");

static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

static int fail(const char **why, const char *msg, int err)
{
	*why = msg;
	return err;
}

static const uint8_t *fail_null(const char **why, const char *msg)
{
	*why = msg;
	return NULL;
}

/*
 * Map the whole table at @addr after checking its header: signature, a
 * length between @min_len and ACPI_TABLE_MAX, then the checksum over it.
 */
static const uint8_t *map_table(uint64_t addr, uint32_t min_len, const struct table_errs *e,
				acpi_map_fn map, void *ctx, uint32_t *len, const char **why)
{
	const uint8_t *h = map(addr, SDT_HDR_LEN, ctx), *t;

	if (!h)
		return fail_null(why, e->unmapped);
	if (memcmp(h, e->sig, 4))
		return fail_null(why, e->bad_sig);
	*len = get32(h + 4);
	if (*len < min_len || *len > ACPI_TABLE_MAX)
		return fail_null(why, e->bad_len);
	t = map(addr, *len, ctx);
	if (!t)
		return fail_null(why, e->past_map);
	if (checksum(t, *len))
		return fail_null(why, e->bad_sum);
	return t;
}

/* Add one processor entry; disabled, invalid, duplicate or excess ones are counted. */
static void add_cpu(struct acpi_madt_info *out, uint32_t apic_id, uint32_t flags)
{
	if (!(flags & MADT_CPU_ENABLED) || apic_id == X2APIC_ID_INVALID ||
	    out->nr_cpus == ACPI_MAX_CPUS) {
		out->cpus_ignored++;
		return;
	}
	for (unsigned int i = 0; i < out->nr_cpus; i++) {
		if (out->apic_ids[i] == apic_id) {
			out->cpus_ignored++;
			return;
		}
	}
	out->apic_ids[out->nr_cpus++] = apic_id;
}

static void add_ioapic(struct acpi_madt_info *out, const uint8_t *e)
{
	if (out->nr_ioapics == ACPI_MAX_IOAPICS) {
		out->entries_skipped++;
		return;
	}
	out->ioapics[out->nr_ioapics++] = (struct acpi_ioapic){
		.id = e[2], .addr = get32(e + 4), .gsi_base = get32(e + 8),
	};
}

static void add_iso(struct acpi_madt_info *out, const uint8_t *e)
{
	if (out->nr_isos == ACPI_MAX_ISOS) {
		out->entries_skipped++;
		return;
	}
	out->isos[out->nr_isos++] = (struct acpi_iso){
		.irq = e[3], .gsi = get32(e + 4), .flags = get16(e + 8),
	};
}

/* One MADT entry of @len bytes (already inside the table); short ones are skipped. */
static void madt_entry(struct acpi_madt_info *out, const uint8_t *e, uint8_t len)
{
	static const uint8_t min_len[] = {
		[MADT_LAPIC] = 8, [MADT_IOAPIC] = 12, [MADT_ISO] = 10,
		[MADT_LAPIC_ADDR] = 12, [MADT_X2APIC] = 16,
	};
	uint8_t type = e[0];

	if (type >= sizeof(min_len) || !min_len[type])
		return;		/* NMI sources, GIC, ...: not ours */
	if (len < min_len[type]) {
		out->entries_skipped++;
		return;
	}
	switch (type) {
	case MADT_LAPIC:
		add_cpu(out, e[3] == XAPIC_ID_INVALID ? X2APIC_ID_INVALID : e[3], get32(e + 4));
		break;
	case MADT_X2APIC:
		add_cpu(out, get32(e + 4), get32(e + 8));
		break;
	case MADT_IOAPIC:
		add_ioapic(out, e);
		break;
	case MADT_ISO:
		add_iso(out, e);
		break;
	case MADT_LAPIC_ADDR:
		if (get64(e + 4))
			out->lapic_addr = get64(e + 4);
		break;
	}
}

static int parse_madt(const uint8_t *t, uint32_t len, struct acpi_madt_info *out,
		      const char **why)
{
	memset(out, 0, sizeof(*out));
	out->lapic_addr = get32(t + SDT_HDR_LEN);
	for (uint32_t off = MADT_HDR_LEN; off < len; off += t[off + 1]) {
		if (len - off < 2)
			return fail(why, "MADT: truncated entry header", -EINVAL);
		if (t[off + 1] < 2)
			return fail(why, "MADT: entry length below 2", -EINVAL);
		if (t[off + 1] > len - off)
			return fail(why, "MADT: entry runs past the table", -EINVAL);
		madt_entry(out, t + off, t[off + 1]);
	}
	if (!out->nr_cpus)
		return fail(why, "MADT: no enabled processor", -ENODEV);
	if (!out->lapic_addr)
		return fail(why, "MADT: local APIC address is 0", -EINVAL);
	return 0;
}

/* Walk an RSDT (@esize 4) or XSDT (8) for the MADT, and parse it. */
static int parse_root(uint64_t addr, unsigned int esize, acpi_map_fn map, void *ctx,
		      struct acpi_madt_info *out, const char **why)
{
	const struct table_errs *e = esize == 8 ? &xsdt_errs : &rsdt_errs;
	const uint8_t *root, *t;
	uint32_t len, n;

	root = map_table(addr, SDT_HDR_LEN, e, map, ctx, &len, why);
	if (!root)
		return -EINVAL;
	n = (len - SDT_HDR_LEN) / esize;
	if (n > ACPI_MAX_SDT_ENTRIES)
		return fail(why, esize == 8 ? "XSDT: too many entries" : "RSDT: too many entries",
			    -E2BIG);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = root + SDT_HDR_LEN + i * esize;
		uint64_t ta = esize == 8 ? get64(p) : get32(p);
		const uint8_t *h = ta ? map(ta, SDT_HDR_LEN, ctx) : NULL;

		if (!h || memcmp(h, "APIC", 4))
			continue;	/* other tables, or entries pointing nowhere */
		t = map_table(ta, MADT_HDR_LEN, &madt_errs, map, ctx, &len, why);
		if (!t)
			return -EINVAL;
		return parse_madt(t, len, out, why);
	}
	return fail(why, esize == 8 ? "XSDT lists no MADT" : "RSDT lists no MADT", -ENOENT);
}

/* Check the RSDP; give back the RSDT and (revision 2+) XSDT addresses. */
static int check_rsdp(uint64_t addr, acpi_map_fn map, void *ctx, uint64_t *rsdt,
		      uint64_t *xsdt, const char **why)
{
	const uint8_t *p = map(addr, RSDP_V1_LEN, ctx);
	uint32_t len;

	if (!p)
		return fail(why, "RSDP: cannot be mapped", -EFAULT);
	if (memcmp(p, "RSD PTR ", 8))
		return fail(why, "RSDP: bad signature", -EINVAL);
	if (checksum(p, RSDP_V1_LEN))
		return fail(why, "RSDP: bad checksum", -EINVAL);
	*rsdt = get32(p + 16);
	*xsdt = 0;
	if (p[15] < 2)
		return 0;
	p = map(addr, RSDP_V2_LEN, ctx);
	if (!p)
		return fail(why, "RSDP: 2.0 part cannot be mapped", -EFAULT);
	len = get32(p + 20);
	if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN)
		return fail(why, "RSDP: length out of range", -EINVAL);
	p = map(addr, len, ctx);
	if (!p)
		return fail(why, "RSDP: runs past mapped memory", -EFAULT);
	if (checksum(p, len))
		return fail(why, "RSDP: bad extended checksum", -EINVAL);
	*xsdt = get64(p + 24);
	return 0;
}

/* Prefer the XSDT, as ACPI 2.0 says; a broken one falls back to the RSDT (as Linux). */
static int parse_tables(uint64_t rsdt, uint64_t xsdt, acpi_map_fn map, void *ctx,
			struct acpi_madt_info *out, const char **why)
{
	int rc;

	if (xsdt) {
		rc = parse_root(xsdt, 8, map, ctx, out, why);
		if (!rc || !rsdt)
			return rc;
	}
	if (!rsdt)
		return fail(why, "RSDP: no RSDT or XSDT address", -ENOENT);
	return parse_root(rsdt, 4, map, ctx, out, why);
}

int acpi_parse(uint64_t rsdp_addr, acpi_map_fn map, void *ctx,
	       struct acpi_madt_info *out, const char **why)
{
	const char *dummy;
	uint64_t rsdt, xsdt;
	int rc;

	if (!why)
		why = &dummy;
	rc = check_rsdp(rsdp_addr, map, ctx, &rsdt, &xsdt, why);
	if (!rc)
		rc = parse_tables(rsdt, xsdt, map, ctx, out, why);
	if (rc)
		memset(out, 0, sizeof(*out));	/* nothing half-parsed escapes */
	return rc;
}

static int rsdp_at(uint64_t addr, acpi_map_fn map, void *ctx)
{
	const uint8_t *p = map(addr, RSDP_V1_LEN, ctx);

	return p && !memcmp(p, "RSD PTR ", 8) && !checksum(p, RSDP_V1_LEN);
}

uint64_t acpi_scan_rsdp(uint64_t ebda, acpi_map_fn map, void *ctx)
{
	if (ebda >= 0x20000 && ebda < 0xa0000) {
		for (uint64_t a = ebda & ~15ULL; a < ebda + 1024; a += 16) {
			if (rsdp_at(a, map, ctx))
				return a;
		}
	}
	for (uint64_t a = 0xe0000; a < 0x100000; a += 16) {
		if (rsdp_at(a, map, ctx))
			return a;
	}
	return 0;
}

#ifndef SQUALL_HOSTED
#include <kernel/mm.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <stdarg.h>
#include <stdio.h>

struct acpi_madt_info acpi_madt;

/* The identity map covers 0..4 GiB except page 0 (NULL faults). */
static const void *phys_map(uint64_t addr, size_t len, void *ctx)
{
	(void)ctx;
	if (addr < PAGE_SIZE || len > MM_LIMIT || addr > MM_LIMIT - len)
		return NULL;
	return (const void *)(uintptr_t)addr;
}

static char line[1024];	/* acpi_print's; boot CPU only, once */
static size_t line_len;

static void __attribute__((format(printf, 1, 2))) line_add(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (line_len < sizeof(line))
		line_len += (size_t)vsnprintf(line + line_len, sizeof(line) - line_len, fmt, ap);
	va_end(ap);
}

static void acpi_print(const struct acpi_madt_info *m)
{
	line_add("acpi: MADT: %u CPU%s (APIC ids", m->nr_cpus, m->nr_cpus == 1 ? "" : "s");
	for (unsigned int i = 0; i < m->nr_cpus; i++)
		line_add(" %u", m->apic_ids[i]);
	line_add(")");
	for (unsigned int i = 0; i < m->nr_ioapics; i++)
		line_add(", IOAPIC %u at %#x", m->ioapics[i].id, m->ioapics[i].addr);
	line_add(", lapic %#lx", (unsigned long)m->lapic_addr);
	printk("%s\n", line);
	if (m->cpus_ignored || m->entries_skipped)
		printk("acpi: MADT: ignored %u processor entries (disabled, duplicate or beyond %d), "
		       "skipped %u malformed or excess entries\n",
		       m->cpus_ignored, ACPI_MAX_CPUS, m->entries_skipped);
}

int acpi_init(uint64_t rsdp)
{
	const char *why = "?";

	if (!rsdp)
		rsdp = acpi_scan_rsdp(bios_ebda_base(), phys_map, NULL);
	if (!rsdp)
		panic("acpi: no RSDP from the boot loader or in the BIOS areas: cannot find the CPUs");
	if (acpi_parse(rsdp, phys_map, NULL, &acpi_madt, &why))
		panic("acpi: no usable MADT (RSDP at %#lx): %s", (unsigned long)rsdp, why);
	acpi_print(&acpi_madt);
	return 0;
}
#endif
