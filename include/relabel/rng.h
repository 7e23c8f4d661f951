/* rng.h - the project's own seeded random numbers.
 *
 * xoshiro256** seeded through splitmix64: the same seed gives the same
 * stream on every machine, which is what makes training reproducible.
 */
#ifndef RELABEL_RNG_H
#define RELABEL_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_u64(struct rng *r);
/* Uniform in [0, n); n > 0. Unbiased (rejection). */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform in [0, 1) with 53 random bits. */
double rng_uniform(struct rng *r);
/* Standard normal (Box-Muller, one value per call). */
double rng_normal(struct rng *r);
/* Fisher-Yates shuffle of n indices in place. */
void rng_shuffle(struct rng *r, uint32_t *idx, size_t n);
/* Gamma(shape, 1) for shape > 0 (Marsaglia-Tsang). */
double rng_gamma(struct rng *r, double shape);
/* Beta(a, b) through two gammas; used by mixup. */
double rng_beta(struct rng *r, double a, double b);

#endif
