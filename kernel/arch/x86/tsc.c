/*
 * TSC clock. Calibration counts TSC cycles across one-shots of PIT
 * channel 2 (the speaker gate, pollable through port 0x61), which every PC
 * QEMU machine has; under TCG both follow host time. Each poll of the PIT
 * is an exit into QEMU that can stall behind its big lock on a busy host;
 * the measurement is arranged so that a stall only ever makes a window look
 * longer, and the shortest of several windows is taken. The conversion is a 32.32 fixed-point
 * multiply, so reading the clock costs no division.
 */
#include <kernel/time.h>
#include <kernel/arch/x86/x86.h>

#define PIT_HZ 1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61
#define CALIB_MS 5
#define CALIB_ROUNDS 5

static uint64_t tsc_boot;
static uint64_t ns_mult;	/* ns per cycle, 32.32 fixed point */
static uint64_t khz;

static uint64_t pit_measure_cycles(void)
{
	uint16_t count = PIT_HZ * CALIB_MS / 1000;
	uint64_t t0, t1;

	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);	/* gate on, speaker off */
	outb(PIT_CMD, 0xb0);			/* ch2, lo/hi byte, mode 0 */
	outb(PIT_CH2, count & 0xff);
	/*
	 * Counting starts with the high byte's write. Read the TSC before it:
	 * a stall in that exit then makes the window look longer, never
	 * shorter, so the shortest window of several is the honest one.
	 */
	t0 = rdtsc();
	outb(PIT_CH2, count >> 8);
	/* OUT2 (bit 5) rises at terminal count; give up after ~10 s at 4 GHz. */
	do {
		t1 = rdtsc();
	} while (!(inb(PIT_GATE) & 0x20) && t1 - t0 < 40000000000ULL);
	return t1 - t0;
}

int hpet_init(void);
uint64_t hpet_read_ns(void);

/*
 * TSC cycles per ms against the HPET: bracket a 5 ms HPET interval with
 * TSC reads. Each round gives an estimate; the median of the rounds throws
 * out the ones a host CPU migration or a stall disturbed.
 */
static uint64_t hpet_measure_khz(void)
{
	uint64_t est[CALIB_ROUNDS];

	for (int i = 0; i < CALIB_ROUNDS; i++) {
		uint64_t h0 = hpet_read_ns(), t0 = rdtsc(), h1, t1;

		do {
			h1 = hpet_read_ns();
		} while (h1 - h0 < CALIB_MS * 1000000ULL);
		t1 = rdtsc();
		est[i] = (t1 - t0) * 1000000ULL / (h1 - h0);
	}
	for (int i = 1; i < CALIB_ROUNDS; i++) {	/* insertion sort: 5 values */
		uint64_t v = est[i];
		int j = i;

		for (; j > 0 && est[j - 1] > v; j--)
			est[j] = est[j - 1];
		est[j] = v;
	}
	return est[CALIB_ROUNDS / 2];
}

void tsc_init(void)
{
	uint64_t cycles = UINT64_MAX;

	if (hpet_init() == 0) {
		khz = hpet_measure_khz();
		goto done;
	}
	for (int i = 0; i < CALIB_ROUNDS; i++) {	/* no HPET: the PIT, shortest window */
		uint64_t c = pit_measure_cycles();

		if (c < cycles)
			cycles = c;
	}

	khz = cycles / CALIB_MS;
done:
	if (khz < 10000)	/* below 10 MHz: no usable reference; assume 1 GHz */
		khz = 1000000;
	ns_mult = ((uint64_t)1000000 << 32) / khz;
	tsc_boot = rdtsc();
}

uint64_t tsc_to_ns(uint64_t cycles)
{
	return (uint64_t)(((unsigned __int128)cycles * ns_mult) >> 32);
}

uint64_t ktime_ns(void)
{
	if (!ns_mult)
		return 0;
	return tsc_to_ns(rdtsc() - tsc_boot);
}

uint64_t tsc_khz(void)
{
	return khz;
}
