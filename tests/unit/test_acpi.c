/*
 * acpi_parse() and acpi_scan_rsdp() over a fake physical memory
 * (0x80000-0xfffff): QEMU's own tables, then tables broken one field at a
 * time. Every malformed case must come back as an error or a count, and
 * ASan checks that nothing outside the mapped bytes is read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <drivers/acpi.h>

#define BASE 0x80000ULL
#define MEM_SIZE 0x80000
#define RSDP_AT 0xe0000ULL
#define RSDT_AT 0x90000ULL
#define XSDT_AT 0x91000ULL
#define FACP_AT 0x92000ULL
#define MADT_AT 0x93000ULL
#define MADT2_AT 0x94000ULL

static uint8_t mem[MEM_SIZE];
static struct acpi_madt_info info;
static const char *why;

static const void *fake_map(uint64_t addr, size_t len, void *ctx)
{
	(void)ctx;
	if (addr < BASE || addr - BASE > MEM_SIZE || len > MEM_SIZE - (addr - BASE))
		return NULL;
	return mem + (addr - BASE);
}

static uint8_t *at(uint64_t addr) { return mem + (addr - BASE); }
static void put32(uint64_t addr, uint32_t v) { memcpy(at(addr), &v, 4); }
static void put64(uint64_t addr, uint64_t v) { memcpy(at(addr), &v, 8); }
static uint32_t len_of(uint64_t table) { uint32_t v; memcpy(&v, at(table) + 4, 4); return v; }

static void fix_sum(uint64_t addr, uint32_t len, uint32_t sum_off)
{
	uint8_t s = 0;

	at(addr)[sum_off] = 0;
	for (uint32_t i = 0; i < len; i++)
		s += at(addr)[i];
	at(addr)[sum_off] = (uint8_t)-s;
}

static void table_fix(uint64_t t) { fix_sum(t, len_of(t), 9); }

static void put_rsdp(uint64_t a, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memcpy(at(a), "RSD PTR BOCHS ", 14);
	at(a)[15] = rev;
	put32(a + 16, rsdt);
	if (rev >= 2) {
		put32(a + 20, 36);
		put64(a + 24, xsdt);
	}
	fix_sum(a, 20, 8);		/* the 1.0 sum first: the extended one covers it */
	if (rev >= 2)
		fix_sum(a, 36, 32);
}

static void put_header(uint64_t t, const char *sig, uint32_t len)
{
	memcpy(at(t), sig, 4);
	put32(t + 4, len);
	at(t)[8] = 1;
	memcpy(at(t) + 10, "BOCHS BXPC    ", 14);
}

/* A root table (esize 4: RSDT, 8: XSDT) listing @n tables. */
static void put_root(uint64_t t, unsigned int esize, const uint64_t *tables, unsigned int n)
{
	put_header(t, esize == 8 ? "XSDT" : "RSDT", 36 + n * esize);
	for (unsigned int i = 0; i < n; i++) {
		if (esize == 8)
			put64(t + 36 + i * 8, tables[i]);
		else
			put32(t + 36 + i * 4, (uint32_t)tables[i]);
	}
	table_fix(t);
}

static void madt_begin(uint64_t t, uint32_t lapic)
{
	put_header(t, "APIC", 44);
	put32(t + 36, lapic);
	put32(t + 40, 1);	/* PCAT_COMPAT */
}

static void madt_add(uint64_t t, const uint8_t *e, uint8_t n)
{
	uint32_t len = len_of(t);

	memcpy(at(t) + len, e, n);
	put32(t + 4, len + n);
	table_fix(t);
}

static void add_lapic(uint64_t t, uint8_t id, uint32_t flags)
{
	uint8_t e[8] = { 0, 8, id, id };

	memcpy(e + 4, &flags, 4);
	madt_add(t, e, 8);
}

static void add_x2apic(uint64_t t, uint32_t id, uint32_t flags)
{
	uint8_t e[16] = { 9, 16 };

	memcpy(e + 4, &id, 4);
	memcpy(e + 8, &flags, 4);
	madt_add(t, e, 16);
}

static void add_ioapic(uint64_t t, uint8_t id, uint32_t addr, uint32_t gsi)
{
	uint8_t e[12] = { 1, 12, id, 0 };

	memcpy(e + 4, &addr, 4);
	memcpy(e + 8, &gsi, 4);
	madt_add(t, e, 12);
}

static void add_iso(uint64_t t, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint8_t e[10] = { 2, 10, 0, irq };

	memcpy(e + 4, &gsi, 4);
	memcpy(e + 8, &flags, 2);
	madt_add(t, e, 10);
}

/* The standard layout: RSDP (rev 0) -> RSDT -> FACP, MADT with @ncpus CPUs. */
static void simple_tables(unsigned int ncpus)
{
	uint64_t tables[] = { FACP_AT, MADT_AT };

	put_header(FACP_AT, "FACP", 36);
	table_fix(FACP_AT);
	madt_begin(MADT_AT, 0xfee00000);
	for (unsigned int i = 0; i < ncpus; i++)
		add_lapic(MADT_AT, (uint8_t)i, 1);
	add_ioapic(MADT_AT, 0, 0xfec00000, 0);
	put_root(RSDT_AT, 4, tables, 2);
	put_rsdp(RSDP_AT, 0, RSDT_AT, 0);
}

static int parse(void)
{
	why = NULL;
	return acpi_parse(RSDP_AT, fake_map, NULL, &info, &why);
}

static void expect_error(int err, const char *msg)
{
	assert_int_equal(parse(), err);
	assert_non_null(why);
	if (!strstr(why, msg))
		fail_msg("why = '%s', expected '%s'", why, msg);
	assert_int_equal(info.nr_cpus, 0);	/* nothing half-parsed */
	assert_int_equal(info.lapic_addr, 0);
}

static int reset(void **state)
{
	(void)state;
	memset(mem, 0, sizeof(mem));
	memset(&info, 0xa5, sizeof(info));	/* the parser must clear it */
	return 0;
}

/* QEMU 7.2 q35 -smp 4, as qboot's RSDT points at it (dumped from a guest). */
static const uint8_t qemu_madt[144] = {
	0x41, 0x50, 0x49, 0x43, 0x90, 0x00, 0x00, 0x00, 0x01, 0x4b, 0x42, 0x4f, 0x43, 0x48, 0x53, 0x20,
	0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x02, 0x02,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x03, 0x03, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x00, 0x00,
	0x00, 0x00, 0xc0, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x0a, 0x00, 0x05, 0x05, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x02, 0x0a, 0x00, 0x09,
	0x09, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x02, 0x0a, 0x00, 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x00,
	0x02, 0x0a, 0x00, 0x0b, 0x0b, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x04, 0x06, 0xff, 0x00, 0x00, 0x01,
};

static void test_qemu_madt(void **state)
{
	uint64_t tables[] = { FACP_AT, MADT_AT };

	(void)state;
	put_header(FACP_AT, "FACP", 36);
	table_fix(FACP_AT);
	memcpy(at(MADT_AT), qemu_madt, sizeof(qemu_madt));
	put_root(RSDT_AT, 4, tables, 2);
	put_rsdp(RSDP_AT, 0, RSDT_AT, 0);
	assert_int_equal(parse(), 0);
	assert_int_equal(info.nr_cpus, 4);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(info.apic_ids[i], i);
	assert_int_equal(info.lapic_addr, 0xfee00000);
	assert_int_equal(info.nr_ioapics, 1);
	assert_int_equal(info.ioapics[0].id, 0);
	assert_int_equal(info.ioapics[0].addr, 0xfec00000);
	assert_int_equal(info.ioapics[0].gsi_base, 0);
	assert_int_equal(info.nr_isos, 5);
	assert_int_equal(info.isos[0].irq, 0);
	assert_int_equal(info.isos[0].gsi, 2);
	assert_int_equal(info.isos[2].irq, 9);
	assert_int_equal(info.isos[2].flags, 0xd);	/* level, active high */
	assert_int_equal(info.cpus_ignored, 0);
	assert_int_equal(info.entries_skipped, 0);	/* the NMI entry is just not ours */
}

static void test_xsdt_preferred_rsdt_fallback(void **state)
{
	uint64_t x[] = { MADT_AT }, r[] = { MADT2_AT };

	(void)state;
	madt_begin(MADT_AT, 0xfee00000);
	add_lapic(MADT_AT, 0, 1);
	add_lapic(MADT_AT, 1, 1);
	madt_begin(MADT2_AT, 0xfee00000);
	add_lapic(MADT2_AT, 5, 1);
	put_root(XSDT_AT, 8, x, 1);
	put_root(RSDT_AT, 4, r, 1);
	put_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
	assert_int_equal(parse(), 0);
	assert_int_equal(info.nr_cpus, 2);	/* the XSDT's */

	at(XSDT_AT)[9]++;			/* broken XSDT: the RSDT still works */
	assert_int_equal(parse(), 0);
	assert_int_equal(info.nr_cpus, 1);
	assert_int_equal(info.apic_ids[0], 5);

	put_rsdp(RSDP_AT, 2, 0, XSDT_AT);	/* and without an RSDT, the error */
	expect_error(-EINVAL, "XSDT: bad checksum");
}

static void test_rsdp_errors(void **state)
{
	(void)state;
	simple_tables(1);
	at(RSDP_AT)[0] = 'X';
	expect_error(-EINVAL, "RSDP: bad signature");
	simple_tables(1);
	at(RSDP_AT)[16]++;
	expect_error(-EINVAL, "RSDP: bad checksum");
	assert_int_equal(acpi_parse(0x1000, fake_map, NULL, &info, &why), -EFAULT);
	assert_int_equal(acpi_parse(BASE + MEM_SIZE - 10, fake_map, NULL, &info, &why), -EFAULT);

	put_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
	at(RSDP_AT)[33]++;			/* reserved byte: only the extended sum sees it */
	expect_error(-EINVAL, "RSDP: bad extended checksum");
	put_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
	put32(RSDP_AT + 20, 0xffffffff);
	fix_sum(RSDP_AT, 20, 8);
	expect_error(-EINVAL, "RSDP: length out of range");
	put_rsdp(RSDP_AT, 2, 0, 0);
	expect_error(-ENOENT, "no RSDT or XSDT");
}

static void test_rsdp_at_end_of_memory(void **state)
{
	uint64_t a = BASE + MEM_SIZE - 20;	/* a v1 RSDP fits; a v2 one does not */

	(void)state;
	simple_tables(1);
	put_rsdp(a, 0, RSDT_AT, 0);
	assert_int_equal(acpi_parse(a, fake_map, NULL, &info, &why), 0);
	put_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
	memcpy(at(a), at(RSDP_AT), 20);
	assert_int_equal(acpi_parse(a, fake_map, NULL, &info, &why), -EFAULT);
}

static void test_root_errors(void **state)
{
	uint64_t none[] = { FACP_AT }, many[300] = { 0 };

	(void)state;
	simple_tables(1);
	put32(RSDT_AT + 4, 20);
	table_fix(RSDT_AT);
	expect_error(-EINVAL, "RSDT: length out of range");

	simple_tables(1);
	put32(RSDT_AT + 4, 1 << 20);
	expect_error(-EINVAL, "RSDT: length out of range");

	simple_tables(1);
	memmove(at(BASE + MEM_SIZE - 40), at(RSDT_AT), 40);	/* says 44 bytes, 40 mapped */
	put_rsdp(RSDP_AT, 0, (uint32_t)(BASE + MEM_SIZE - 40), 0);
	expect_error(-EINVAL, "RSDT: runs past mapped memory");

	simple_tables(1);
	put_root(RSDT_AT, 4, many, 300);
	expect_error(-E2BIG, "RSDT: too many entries");

	simple_tables(1);
	put_root(RSDT_AT, 4, none, 1);
	expect_error(-ENOENT, "RSDT lists no MADT");

	simple_tables(1);
	put_rsdp(RSDP_AT, 0, 0x1000, 0);		/* RSDT outside memory */
	expect_error(-EINVAL, "RSDT: cannot be mapped");
}

static void test_root_entries_pointing_nowhere(void **state)
{
	uint64_t tables[] = { 0, 0xdeadbeef, BASE + MEM_SIZE - 2, MADT_AT };

	(void)state;
	simple_tables(2);
	put_root(RSDT_AT, 4, tables, 4);
	assert_int_equal(parse(), 0);
	assert_int_equal(info.nr_cpus, 2);
}

static void test_madt_checks(void **state)
{
	(void)state;
	simple_tables(2);
	at(MADT_AT)[44]++;			/* one byte changed, sum not fixed */
	expect_error(-EINVAL, "MADT: bad checksum");

	simple_tables(2);
	put32(MADT_AT + 4, 40);		/* shorter than its own header */
	table_fix(MADT_AT);
	expect_error(-EINVAL, "MADT: length out of range");

	simple_tables(0);
	expect_error(-ENODEV, "no enabled processor");

	simple_tables(1);
	put32(MADT_AT + 36, 0);
	table_fix(MADT_AT);
	expect_error(-EINVAL, "local APIC address is 0");
}

static void test_madt_bad_entry_lengths(void **state)
{
	static const uint8_t zero_len[] = { 0, 0, 0, 0, 1, 0, 0, 0 };
	static const uint8_t one_len[] = { 3, 1 };
	static const uint8_t too_long[] = { 0, 200, 1, 1, 1, 0, 0, 0 };
	static const uint8_t lone_byte[] = { 0 };

	(void)state;
	simple_tables(1);
	madt_add(MADT_AT, zero_len, sizeof(zero_len));
	expect_error(-EINVAL, "entry length below 2");

	simple_tables(1);
	madt_add(MADT_AT, one_len, sizeof(one_len));
	expect_error(-EINVAL, "entry length below 2");

	simple_tables(1);
	madt_add(MADT_AT, too_long, sizeof(too_long));
	expect_error(-EINVAL, "entry runs past the table");

	simple_tables(1);
	madt_add(MADT_AT, lone_byte, sizeof(lone_byte));
	expect_error(-EINVAL, "truncated entry header");
}

static void test_madt_short_entries_skipped(void **state)
{
	static const uint8_t short_lapic[] = { 0, 6, 9, 9, 1, 0 };
	static const uint8_t short_ioapic[] = { 1, 8, 1, 0, 0, 0, 0xc0, 0xfe };
	static const uint8_t unknown[] = { 0x7f, 3, 0 };

	(void)state;
	simple_tables(1);
	madt_add(MADT_AT, short_lapic, sizeof(short_lapic));
	madt_add(MADT_AT, short_ioapic, sizeof(short_ioapic));
	madt_add(MADT_AT, unknown, sizeof(unknown));
	assert_int_equal(parse(), 0);
	assert_int_equal(info.nr_cpus, 1);
	assert_int_equal(info.nr_ioapics, 1);
	assert_int_equal(info.entries_skipped, 2);
}

static void test_cpu_flags_and_duplicates(void **state)
{
	(void)state;
	simple_tables(0);
	add_lapic(MADT_AT, 0, 1);
	add_lapic(MADT_AT, 1, 0);	/* disabled */
	add_lapic(MADT_AT, 2, 2);	/* online capable only: hotplug, not ours */
	add_lapic(MADT_AT, 0, 1);	/* duplicate */
	add_lapic(MADT_AT, 0xff, 1);	/* the broadcast id */
	add_lapic(MADT_AT, 3, 1);
	assert_int_equal(parse(), 0);
	assert_int_equal(info.nr_cpus, 2);
	assert_int_equal(info.apic_ids[0], 0);
	assert_int_equal(info.apic_ids[1], 3);
	assert_int_equal(info.cpus_ignored, 4);
}

static void test_too_many_cpus(void **state)
{
	(void)state;
	simple_tables(0);
	for (unsigned int i = 0; i < ACPI_MAX_CPUS + 6; i++)
		add_x2apic(MADT_AT, 1000 + i, 1);
	assert_int_equal(parse(), 0);
	assert_int_equal(info.nr_cpus, ACPI_MAX_CPUS);
	assert_int_equal(info.apic_ids[ACPI_MAX_CPUS - 1], 1000 + ACPI_MAX_CPUS - 1);
	assert_int_equal(info.cpus_ignored, 6);
}

static void test_x2apic_and_lapic_override(void **state)
{
	uint8_t ovr[12] = { 5, 12, 0, 0 };
	uint64_t addr = 0x1fee00000ULL;

	(void)state;
	simple_tables(1);
	add_x2apic(MADT_AT, 300, 1);
	add_x2apic(MADT_AT, 0xffffffff, 1);	/* invalid id */
	memcpy(ovr + 4, &addr, 8);
	madt_add(MADT_AT, ovr, sizeof(ovr));
	assert_int_equal(parse(), 0);
	assert_int_equal(info.nr_cpus, 2);
	assert_int_equal(info.apic_ids[1], 300);
	assert_int_equal(info.cpus_ignored, 1);
	assert_int_equal(info.lapic_addr, addr);
}

static void test_ioapic_and_iso_overflow(void **state)
{
	(void)state;
	simple_tables(1);
	for (unsigned int i = 1; i < ACPI_MAX_IOAPICS + 2; i++)
		add_ioapic(MADT_AT, (uint8_t)i, 0xfec00000 + i * 0x1000, i * 24);
	for (unsigned int i = 0; i < ACPI_MAX_ISOS + 4; i++)
		add_iso(MADT_AT, (uint8_t)i, i + 100, 5);
	assert_int_equal(parse(), 0);
	assert_int_equal(info.nr_ioapics, ACPI_MAX_IOAPICS);
	assert_int_equal(info.ioapics[7].gsi_base, 7 * 24);
	assert_int_equal(info.nr_isos, ACPI_MAX_ISOS);
	assert_int_equal(info.isos[15].gsi, 115);
	assert_int_equal(info.isos[15].flags, 5);
	assert_int_equal(info.entries_skipped, 2 + 4);
}

static void test_madt_at_end_of_memory(void **state)
{
	uint64_t t = BASE + MEM_SIZE - 64, tables[] = { t };

	(void)state;
	simple_tables(1);			/* MADT: 44 + LAPIC 8 + IOAPIC 12 */
	assert_int_equal(len_of(MADT_AT), 64);
	memcpy(at(t), at(MADT_AT), 64);
	put_root(RSDT_AT, 4, tables, 1);
	assert_int_equal(parse(), 0);		/* exactly fits */
	put32(t + 4, 72);		/* its sum cannot even be computed */
	expect_error(-EINVAL, "MADT: runs past mapped memory");
}

static void test_scan(void **state)
{
	(void)state;
	assert_int_equal(acpi_scan_rsdp(0, fake_map, NULL), 0);

	put_rsdp(0xf35e0, 0, RSDT_AT, 0);
	assert_int_equal(acpi_scan_rsdp(0, fake_map, NULL), 0xf35e0);

	put_rsdp(0xe0100, 0, RSDT_AT, 0);
	at(0xe0100)[8]++;			/* a bad checksum is passed over */
	assert_int_equal(acpi_scan_rsdp(0, fake_map, NULL), 0xf35e0);

	put_rsdp(0x9fc20, 0, RSDT_AT, 0);	/* the EBDA comes first */
	assert_int_equal(acpi_scan_rsdp(0x9fc00, fake_map, NULL), 0x9fc20);
	assert_int_equal(acpi_scan_rsdp(0x10000, fake_map, NULL), 0xf35e0);	/* insane EBDA */

	put_rsdp(0xe0008, 0, RSDT_AT, 0);	/* not on a 16-byte boundary */
	memset(at(0xf35e0), 0, 20);
	assert_int_equal(acpi_scan_rsdp(0, fake_map, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_qemu_madt, reset),
		cmocka_unit_test_setup(test_xsdt_preferred_rsdt_fallback, reset),
		cmocka_unit_test_setup(test_rsdp_errors, reset),
		cmocka_unit_test_setup(test_rsdp_at_end_of_memory, reset),
		cmocka_unit_test_setup(test_root_errors, reset),
		cmocka_unit_test_setup(test_root_entries_pointing_nowhere, reset),
		cmocka_unit_test_setup(test_madt_checks, reset),
		cmocka_unit_test_setup(test_madt_bad_entry_lengths, reset),
		cmocka_unit_test_setup(test_madt_short_entries_skipped, reset),
		cmocka_unit_test_setup(test_cpu_flags_and_duplicates, reset),
		cmocka_unit_test_setup(test_too_many_cpus, reset),
		cmocka_unit_test_setup(test_x2apic_and_lapic_override, reset),
		cmocka_unit_test_setup(test_ioapic_and_iso_overflow, reset),
		cmocka_unit_test_setup(test_madt_at_end_of_memory, reset),
		cmocka_unit_test_setup(test_scan, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
