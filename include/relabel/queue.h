/* queue.h - the review queues: which item the expert sees next, and why.
 *
 * Suspicion, the default order.  For item i with current label y, model
 * probabilities p (if any), Dawid-Skene posterior post (if it has votes),
 * and the terms that exist for it:
 *
 *   m = max(0, p_s - p_y)       flagged by confident learning, s = its
 *                               suggested label
 *   m = 1 - p_y                 labeled, with probabilities, not flagged
 *   m = 1 - max_k p_k           unlabeled, with probabilities
 *   q = 1 - post[y]             one or more votes, labeled
 *   q = 1 - max_k post[k]       one or more votes, unlabeled
 *   d = H(vote shares) / log C  two or more votes
 *
 *   suspicion = F + (m + q + d/2) / (w_m + w_q + w_d/2)
 *
 * where a missing term adds 0 to the sum and its weight w (1 if the term
 * exists, else 0) adds 0 to the divisor, and F = 1 when confident
 * learning flagged the item, else 0.  Flagged items so score 1 .. 2 and
 * come first, ordered by how far the model prefers the suggested label;
 * the rest score 0 .. 1.  An item with no term scores 0.  With
 * probabilities only this is 1 - self-confidence; with votes only, the
 * Dawid-Skene doubt and (at half weight) the annotators' disagreement.
 *
 * Queue orders, highest score first; ties by lower item index; items
 * whose score is undefined (NAN) come after the rest, by index:
 *
 *   suspicion     the score above
 *   loss          -log p_y (labeled items with probabilities)
 *   margin        lowest p_y - max_{k != y} p_k first
 *   disagreement  vote entropy (items with votes)
 *   uncertainty   entropy of the model's probabilities, or of the
 *                 Dawid-Skene posterior for items without probabilities;
 *                 unlabeled items take part like any other (active
 *                 learning)
 *   random        a seeded shuffle (an unbiased audit sample)
 */
#ifndef RELABEL_QUEUE_H
#define RELABEL_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/rank.h"

/* Weight of the disagreement term d against m and q. */
#define QUEUE_W_DISAGREE 0.5

enum queue_by {
	QUEUE_SUSPICION,
	QUEUE_LOSS,
	QUEUE_MARGIN,
	QUEUE_DISAGREEMENT,
	QUEUE_UNCERTAINTY,
	QUEUE_RANDOM
};
#define QUEUE_COUNT 6

/* "suspicion", "loss", ...; "?" for a value out of range. */
const char *queue_by_name(enum queue_by by);
/* Parses a name above; an unknown one fails with the list of names. */
int queue_by_parse(const char *name, enum queue_by *by, struct err *e);

/* Fills out->suspicion [n] (allocated here) from the rest of out. */
void queue_suspicion(const struct rank_input *in, struct rank_output *out);

/* Writes the queue's items into order [in->n] and returns how many:
 * every item, less those in->reviewed marks unless with_reviewed.
 * seed is used by QUEUE_RANDOM only. */
size_t queue_order(const struct rank_input *in, const struct rank_output *out,
		   enum queue_by by, int with_reviewed, uint64_t seed,
		   uint32_t *order);

/* One line saying why item (< in->n) sits where it does in queue by, e.g.
 * "flagged by confident learning: looks like 'shirt' (p=0.81)".
 * names [C] are the class names (NULL: "class 3"); they appear as
 * given, so the caller sanitizes the line before drawing it.  Returns
 * a new string (free() it). */
char *queue_why(const struct rank_input *in, const struct rank_output *out,
		enum queue_by by, size_t item, const char *const *names);

/* Sort keys: a score and an item index packed so that a larger key
 * means a higher score, then a lower index; NAN sorts below -inf. */
static inline uint64_t queue_key(float score, uint32_t item)
{
	uint32_t b;

	memcpy(&b, &score, sizeof b);
	if (score != score)
		b = 0;
	else
		b = (b & 0x80000000u) ? ~b : b | 0x80000000u;
	return (uint64_t)b << 32 | (uint32_t)~item;
}

static inline uint32_t queue_key_item(uint64_t key)
{
	return ~(uint32_t)key;
}

/* Sorts key [n] into descending order (LSD radix sort, O(n)); keys made
 * in ascending item order need only the four passes over the score. */
void queue_sort_keys(uint64_t *key, size_t n);
/* Moves the k largest of key [n] to key[0 .. k), in no given order
 * (selection, O(n) expected). */
void queue_top_keys(uint64_t *key, size_t n, size_t k);

#endif
