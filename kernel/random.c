/* xorshift128+ per CPU; see random.h. Portable (hosted: CPU 0 only). */
#include <kernel/random.h>
#include <kernel/percpu.h>
#include <kernel/spinlock.h>

struct prandom_state {
	uint64_t s0, s1;	/* [o] interrupts off while stepping */
} __attribute__((aligned(64)));

static struct prandom_state states[NR_CPUS];	/* per-CPU */

/* splitmix64: spreads one seed into well-mixed, never-all-zero states. */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void prandom_seed(uint64_t seed)
{
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		states[c].s0 = splitmix64(&seed);
		states[c].s1 = splitmix64(&seed) | 1;
	}
}

uint32_t prandom_u32(void)
{
	uint64_t f = local_irq_save();
	struct prandom_state *st = &states[smp_processor_id()];
	uint64_t s1 = st->s0, s0 = st->s1;

	st->s0 = s0;
	s1 ^= s1 << 23;
	st->s1 = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
	local_irq_restore(f);
	return (uint32_t)((st->s1 + s0) >> 32);
}
