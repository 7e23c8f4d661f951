/* modelblob.c - writing and checked reading of model blobs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/mem.h"
#include "relabel/modelblob.h"

static const char modelblob_magic[8] = "RLMODEL";

uint64_t modelblob_fnv1a(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static unsigned char *modelblob_put(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
	return p + bytes;
}

static uint64_t modelblob_get(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Bytes before the parameters for nlayer layers. */
static size_t modelblob_head_len(int nlayer)
{
	return 24 + 4 * ((size_t)nlayer + 1) + 8;
}

void modelblob_write(const struct mlp *nets, int nnet, unsigned char **out,
		     size_t *len)
{
	const struct mlp *m = &nets[0];
	size_t n = modelblob_head_len(m->nlayer) +
		4 * (size_t)nnet * m->nparam + 8;
	unsigned char *buf = xmalloc(n), *p = buf;

	memcpy(p, modelblob_magic, 8);
	p = modelblob_put(p + 8, MODELBLOB_VERSION, 4);
	p = modelblob_put(p, (uint64_t)nnet, 4);
	p = modelblob_put(p, (uint64_t)m->sparse, 4);
	p = modelblob_put(p, (uint64_t)m->nlayer, 4);
	for (int l = 0; l <= m->nlayer; l++)
		p = modelblob_put(p, (uint64_t)m->size[l], 4);
	p = modelblob_put(p, m->nparam, 8);

	/* Floats go through their bit patterns: the same bytes anywhere. */
	for (int k = 0; k < nnet; k++)
		for (size_t i = 0; i < m->nparam; i++) {
			uint32_t u;

			memcpy(&u, &nets[k].param[i], sizeof u);
			p = modelblob_put(p, u, 4);
		}
	modelblob_put(p, modelblob_fnv1a(buf, (size_t)(p - buf)), 8);
	*out = buf;
	*len = n;
}

static int modelblob_damaged(struct err *e, const char *what)
{
	return err_set(e, "model blob is damaged (%s); retrain with "
		       "relabel train", what);
}

/* Checks the header and fills the shape; returns -1 on any mismatch. */
static int modelblob_head(const unsigned char *buf, size_t len,
			  struct mlp_shape *s, int *nnet, size_t *nparam,
			  struct err *e)
{
	uint64_t v;

	if (len < modelblob_head_len(1) + 8)
		return modelblob_damaged(e, "too short");
	if (memcmp(buf, modelblob_magic, 8))
		return modelblob_damaged(e, "not a relabel model");
	if ((v = modelblob_get(buf + 8, 4)) != MODELBLOB_VERSION)
		return err_set(e, "model blob has version %llu, this relabel "
			       "reads version %d; retrain with relabel train",
			       (unsigned long long)v, MODELBLOB_VERSION);
	*nnet = (int)modelblob_get(buf + 12, 4);
	s->sparse = (int)modelblob_get(buf + 16, 4);
	v = modelblob_get(buf + 20, 4);
	if (*nnet < 1 || *nnet > 2 || s->sparse < 0 || s->sparse > 1 ||
	    v < 1 || v > MLP_MAX_LAYERS)
		return modelblob_damaged(e, "bad header");
	if (len < modelblob_head_len((int)v) + 8)
		return modelblob_damaged(e, "too short");

	/* Sizes: inputs, hidden widths, classes; each is range-checked by
	 * mlp_shape_nparam (0 means out of limits). */
	s->nhidden = (int)v - 1;
	for (uint64_t l = 0; l <= v; l++) {
		uint64_t sz = modelblob_get(buf + 24 + 4 * l, 4);

		sz = sz > MLP_MAX_IN ? 0 : sz;
		if (l == 0)
			s->nin = (int)sz;
		else if (l == v)
			s->nclass = (int)sz;
		else
			s->hidden[l - 1] = (int)sz;
	}
	*nparam = mlp_shape_nparam(s);
	v = modelblob_get(buf + 24 + 4 * (v + 1), 8);
	if (!*nparam || v != *nparam)
		return modelblob_damaged(e, "bad layer sizes");
	return 0;
}

/* Copies np floats from p into a new net of shape s. */
static int modelblob_net(const unsigned char *p, size_t np,
			 const struct mlp_shape *s, struct mlp *m,
			 struct err *e)
{
	if (mlp_init(m, s, 0, e) < 0)
		return modelblob_damaged(e, "bad layer sizes");
	for (size_t i = 0; i < np; i++) {
		uint32_t u = (uint32_t)modelblob_get(p + 4 * i, 4);

		memcpy(&m->param[i], &u, sizeof u);
		if (!isfinite(m->param[i])) {
			mlp_free(m);
			return modelblob_damaged(e, "non-finite weight");
		}
	}
	return 0;
}

int modelblob_read(const unsigned char *buf, size_t len, struct mlp nets[2],
		   int *nnet, struct err *e)
{
	struct mlp_shape s;
	size_t np = 0, head;

	memset(&s, 0, sizeof s);
	if (modelblob_head(buf, len, &s, nnet, &np, e) < 0)
		return -1;

	/* The length must match exactly before anything is allocated. */
	head = modelblob_head_len(s.nhidden + 1);
	if (len - head - 8 != 4 * np * (size_t)*nnet)
		return modelblob_damaged(e, "wrong length");
	if (modelblob_fnv1a(buf, len - 8) != modelblob_get(buf + len - 8, 8))
		return modelblob_damaged(e, "checksum mismatch");

	for (int k = 0; k < *nnet; k++)
		if (modelblob_net(buf + head + 4 * np * (size_t)k, np, &s,
				  &nets[k], e) < 0) {
			while (k-- > 0)
				mlp_free(&nets[k]);
			return -1;
		}
	return 0;
}
