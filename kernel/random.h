/*
 * Pseudo-random numbers for port selection and hash secrets (Linux's
 * prandom_u32): a per-CPU xorshift128+, seeded from the TSC at boot. Not
 * cryptographic: TCP initial sequence numbers use a keyed hash of the
 * 4-tuple on top (RFC 6528), never this alone.
 */
#ifndef SQUALL_RANDOM_H
#define SQUALL_RANDOM_H

#include <stdint.h>

void prandom_seed(uint64_t seed);	/* every CPU's state from one seed */
uint32_t prandom_u32(void);
/* Uniform in [0, n), n > 0 (Lemire's multiply-shift, bias < 2^-32). */
static inline uint32_t prandom_u32_max(uint32_t n)
{
	return (uint32_t)(((uint64_t)prandom_u32() * n) >> 32);
}

#endif
