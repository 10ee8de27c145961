/*
 * libFuzzer: the ACPI parser on arbitrary BIOS areas. The input is the
 * memory at 0xE0000 (up to 128 KiB, so up to 0xFFFFF); tables point at
 * each other inside it. Each input is parsed twice: as given (mostly bad
 * checksums, so the early checks), and with every table-looking header's
 * checksum made right, so mutations reach the MADT walk (lwIP's fuzzers
 * switch checksums off for the same reason). Checks the output contract.
 * Seeds: tests/fuzz/corpus/acpi/, made by make_acpi_seeds.py.
 */
#include <drivers/acpi.h>
#include <stdlib.h>
#include <string.h>

#define BASE 0xe0000ULL
#define MAX_SIZE 0x20000

struct fake_mem {
	const uint8_t *p;
	size_t n;
};

static const void *fuzz_map(uint64_t addr, size_t len, void *ctx)
{
	const struct fake_mem *m = ctx;

	if (addr < BASE || addr - BASE > m->n || len > m->n - (addr - BASE))
		return NULL;
	return m->p + (addr - BASE);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void set_sum(uint8_t *p, size_t len, size_t at)
{
	uint8_t s = 0;

	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		s += p[i];
	p[at] = (uint8_t)-s;
}

/* Make every RSDP and SDT header that fits in the buffer checksum right. */
static void fix_checksums(uint8_t *p, size_t n)
{
	for (size_t off = 0; off + 36 <= n; off++) {
		uint8_t *h = p + off;
		uint32_t len = get32(h + 4);

		if (!(off % 16) && !memcmp(h, "RSD PTR ", 8)) {
			set_sum(h, 20, 8);
			len = get32(h + 20);
			if (h[15] >= 2 && len >= 36 && len <= n - off)
				set_sum(h, len, 32);
		} else if ((!memcmp(h, "RSDT", 4) || !memcmp(h, "XSDT", 4) ||
			    !memcmp(h, "APIC", 4)) && len >= 36 && len <= n - off) {
			set_sum(h, len, 9);
		}
	}
}

static void check(const struct acpi_madt_info *m)
{
	if (!m->nr_cpus || m->nr_cpus > ACPI_MAX_CPUS || m->nr_ioapics > ACPI_MAX_IOAPICS ||
	    m->nr_isos > ACPI_MAX_ISOS || !m->lapic_addr)
		abort();
	for (unsigned int i = 0; i < m->nr_cpus; i++) {
		for (unsigned int j = 0; j < i; j++) {
			if (m->apic_ids[i] == m->apic_ids[j])
				abort();
		}
	}
}

static void parse(const uint8_t *p, size_t n)
{
	struct fake_mem m = { p, n };
	struct acpi_madt_info info;
	const char *why = NULL;
	uint64_t rsdp = acpi_scan_rsdp(0, fuzz_map, &m);

	if (rsdp && (rsdp % 16 || rsdp < BASE || rsdp >= BASE + n))
		abort();
	if (!acpi_parse(rsdp ? rsdp : BASE, fuzz_map, &m, &info, &why))
		check(&info);
	else if (!why)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size > MAX_SIZE)
		size = MAX_SIZE;
	parse(data, size);
	copy = malloc(size ? size : 1);	/* exactly sized: ASan sees any over-read */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	fix_checksums(copy, size);
	parse(copy, size);
	free(copy);
	return 0;
}
