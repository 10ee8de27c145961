/*
 * The Internet checksum (net/ipv4/checksum.c) against RFC 1071's worked
 * example, a textbook IPv4 header, and a byte-at-a-time big-endian
 * reference over every length and alignment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <net/ipv4/ipv4.h>

/* RFC 1071 §3, written the obvious way: big-endian 16-bit words. */
static uint16_t ref_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;	/* host order */
}

/* Our result is stored as is: read its bytes as a big-endian number. */
static uint16_t as_be(uint16_t stored)
{
	uint8_t b[2];

	memcpy(b, &stored, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void test_rfc1071_example(void **state)
{
	/* RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (with carries). */
	static const uint8_t data[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(as_be(csum_fold(csum_partial(data, sizeof(data), 0))), 0xffff & ~0xddf2);
	assert_int_equal(ref_csum(data, sizeof(data), 0), 0x220d);
}

static void test_ip_header(void **state)
{
	/* A well-known header (Wikipedia's IPv4 checksum example): checksum b861. */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint16_t c;

	(void)state;
	c = ip_fast_csum(h, 5);
	assert_int_equal(as_be(c), 0xb861);
	memcpy(h + 10, &c, 2);
	assert_int_equal(ip_fast_csum(h, 5), 0);	/* a valid header sums to zero */
	h[15] ^= 1;
	assert_int_not_equal(ip_fast_csum(h, 5), 0);
}

static void test_edge_values(void **state)
{
	uint8_t zeros[64] = { 0 }, ones[64];

	(void)state;
	memset(ones, 0xff, sizeof(ones));
	assert_int_equal(csum_fold(csum_partial(zeros, 64, 0)), 0xffff);
	assert_int_equal(csum_fold(csum_partial(ones, 64, 0)), 0);
	assert_int_equal(csum_fold(csum_partial(zeros, 0, 0)), 0xffff);
	/* A partial sum carries over: one buffer in two pieces (even split). */
	assert_int_equal(csum_fold(csum_partial(ones + 10, 54, csum_partial(ones, 10, 0))),
			 csum_fold(csum_partial(ones, 64, 0)));
}

static void test_every_length_and_alignment(void **state)
{
	uint8_t buf[1100];
	uint32_t x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len < 1090; len += (len < 70 ? 1 : 37))
			assert_int_equal(as_be(csum_fold(csum_partial(buf + off, (unsigned int)len, 0))),
					 ref_csum(buf + off, len, 0));
}

static void test_pseudo_header(void **state)
{
	/* UDP 192.168.0.1:1234 → 192.168.0.199:80, "hi!", against the reference. */
	uint8_t seg[11] = { 0x04, 0xd2, 0x00, 0x50, 0x00, 0x0b, 0x00, 0x00, 'h', 'i', '!' };
	uint8_t pseudo[12 + 11] = { 192, 168, 0, 1, 192, 168, 0, 199, 0, 17, 0, 11 };
	uint32_t s = htonl(0xc0a80001), d = htonl(0xc0a800c7);
	uint16_t c;

	(void)state;
	memcpy(pseudo + 12, seg, sizeof(seg));
	c = csum_fold(csum_tcpudp_nofold(s, d, sizeof(seg), 17, csum_partial(seg, sizeof(seg), 0)));
	assert_int_equal(as_be(c), ref_csum(pseudo, sizeof(pseudo), 0));
	/* With the checksum in place the whole thing verifies to zero. */
	memcpy(seg + 6, &c, 2);
	assert_int_equal(csum_fold(csum_tcpudp_nofold(s, d, sizeof(seg), 17,
						      csum_partial(seg, sizeof(seg), 0))), 0);
	/* Lengths past 255 land in both bytes of the pseudo-header field. */
	assert_int_equal(as_be(csum_fold(csum_tcpudp_nofold(0, 0, 0x1234, 6, 0))),
			 (uint16_t)~(0x1234 + 6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_ip_header),
		cmocka_unit_test(test_edge_values),
		cmocka_unit_test(test_every_length_and_alignment),
		cmocka_unit_test(test_pseudo_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
