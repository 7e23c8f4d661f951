/* detail.c - what is known about the item under the cursor: its labels,
 * why it is in the queue, the model, every annotator's vote, metadata,
 * and which key relabels to which class. */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/preview.h"
#include "relabel/screen.h"

#define LABEL_W 7
#define TOP_PROBS 3

/* "name 0.81  name 0.10 ..." for the most probable classes. */
static void detail_model(const struct tui *t, uint32_t i, struct strbuf *b)
{
	const struct analysis *a = &t->s.a;
	const float *p;
	int C = a->classes.n, used[TOP_PROBS];

	if (!a->probs || !a->has[i]) {
		strbuf_adds(b, "no model probabilities for this item");
		return;
	}
	p = a->probs + (size_t)i * (size_t)C;
	for (int k = 0; k < TOP_PROBS && k < C; k++) {
		int best = -1;

		for (int c = 0; c < C; c++) {
			int taken = 0;

			for (int j = 0; j < k; j++)
				taken |= used[j] == c;
			if (!taken && (best < 0 || p[c] > p[best]))
				best = c;
		}
		used[k] = best;
		strbuf_addf(b, "%s%s %.2f", k ? "  " : "", tui_class(t, best),
			    (double)p[best]);
	}
}

/* "2/3 agree, consensus bag (0.93): w1 bag (acc 0.92)  w3 ..." */
static void detail_votes(const struct tui *t, uint32_t i, struct strbuf *b)
{
	const struct analysis *a = &t->s.a;
	const struct rank_output *o = &a->out;
	unsigned agree, total;
	int C = a->classes.n;

	session_agreement(&t->s, i, &agree, &total);
	if (!total) {
		strbuf_adds(b, "no annotator votes");
		return;
	}
	strbuf_addf(b, "%u of %u agree with the label", agree, total);
	if (!o->ds.no_votes[i]) {
		int k = o->ds.label[i];

		strbuf_addf(b, "; consensus %s (%.2f)", tui_class(t, k),
			    o->ds.post[(size_t)i * (size_t)C + (size_t)k]);
	}
	strbuf_adds(b, ":");
	for (size_t v = o->ix.start[i]; v < o->ix.start[i + 1]; v++) {
		uint32_t vote = o->ix.vote[v], an = a->votes.annotator[vote];

		strbuf_addf(b, "  %s %s (acc %.2f)", a->votes.annot_name[an],
			    tui_class(t, a->votes.label[vote]),
			    o->an.ds_acc[an]);
	}
}

/* "key=value  key=value" from the item's metadata object. */
static void detail_meta(const char *meta, struct strbuf *b)
{
	cJSON *o = meta ? cJSON_Parse(meta) : NULL, *it;

	if (!cJSON_IsObject(o)) {
		strbuf_adds(b, meta ? meta : "none");
		cJSON_Delete(o);
		return;
	}
	cJSON_ArrayForEach(it, o) {
		char *v = cJSON_IsString(it) ? NULL : cJSON_PrintUnformatted(it);

		strbuf_addf(b, "%s%s=%s", b->len ? "  " : "", it->string,
			    v ? v : it->valuestring);
		free(v);
	}
	if (!b->len)
		strbuf_adds(b, "none");
	cJSON_Delete(o);
}

/* "1 ankle-boot  2 bag ..." from the key map. */
static void detail_keys(const struct tui *t, struct strbuf *b)
{
	struct strbuf k;

	strbuf_init(&k);
	for (int c = 0; c < t->s.a.classes.n; c++) {
		strbuf_reset(&k);
		if (!keys_for(&t->keys, ACT_LABEL, c + 1, "/", &k))
			continue;
		strbuf_addf(b, "%s%s %s", b->len ? "  " : "", k.s,
			    tui_class(t, c));
	}
	strbuf_free(&k);
}

/* Rows the class key legend takes wrapped to width, at most 3. */
static int legend_rows(const char *text, int width)
{
	struct preview_lines l;
	int n;

	preview_wrap(text, width, &l);
	n = l.n > 3 ? 3 : (int)l.n;
	preview_lines_free(&l);
	return n;
}

static const char *split_name(int s)
{
	return item_split_name((enum item_split)s);
}

/* The class key legend at the bottom; returns the rows it took. */
static int detail_legend(struct tui *t, int end, int x, int h, int w)
{
	struct strbuf b;
	int rows = 0;

	strbuf_init(&b);
	detail_keys(t, &b);
	if (b.len)
		rows = legend_rows(b.s, w - LABEL_W - 1);
	if (rows && h > 4 + rows)
		draw_wrapped(t, end - rows, x, w, rows, STYLE_DIM, "keys",
			     LABEL_W, b.s);
	else
		rows = 0;
	strbuf_free(&b);
	return rows;
}

/* The id line and the label line; returns the next row. */
static int detail_head(struct tui *t, uint32_t i, const struct item_detail *d,
		       int y, int x, int end, int w)
{
	int label = t->s.a.items.label[i], given = t->s.a.items.given[i];
	int changed = label != given;

	draw_printf(t, y++, x, w, STYLE_HEAD, "%s  %s %s%s%s", d->ext_id,
		    d->kind == ITEM_IMAGE ? "image" : "text",
		    split_name(d->split), d->reviewed ? "  reviewed by " : "",
		    d->reviewed && d->reviewer ? d->reviewer : "");
	if (y < end)
		draw_printf(t, y++, x, w, changed ? STYLE_CHANGED : STYLE_NORMAL,
			    "%-*s %s%s%s%s", LABEL_W, "label",
			    tui_class(t, label), changed ? "  (given: " :
			    "  (as given)", changed ? tui_class(t, given) : "",
			    changed ? ")" : "");
	return y;
}

/* While the project is read: what the stored ranking says. */
static int detail_first(struct tui *t, uint32_t i, int y, int x, int end,
			int w)
{
	const struct session *s = &t->s;
	struct strbuf b;
	int sug = s->first_suggested ? s->first_suggested[i] : -1;
	int rows;

	strbuf_init(&b);
	strbuf_addf(&b, "stored suspicion %.3f", (double)s->a.out.suspicion[i]);
	if (sug >= 0)
		strbuf_addf(&b, ", flagged: looks like '%s'", tui_class(t, sug));
	strbuf_adds(&b, "; reading the whole project (model, votes)...");
	rows = draw_wrapped(t, y, x, w, end - y < 2 ? end - y : 2, STYLE_NORMAL,
			    "why", LABEL_W, b.s);
	strbuf_free(&b);
	return rows;
}

void detail_draw(struct tui *t, uint32_t i, const struct item_detail *d,
		 const char *dispute, int y, int x, int h, int w)
{
	const struct session *s = &t->s;
	int end = y + h;
	struct strbuf b;
	char *why;

	end -= detail_legend(t, end, x, h, w);
	y = detail_head(t, i, d, y, x, end, w);
	strbuf_init(&b);
	if (dispute && y < end) {
		strbuf_addf(&b, "%s; the later, %s, holds", dispute,
			    tui_class(t, s->a.items.label[i]));
		y += draw_wrapped(t, y, x, w, 1, STYLE_ERROR, "dispute",
				  LABEL_W, b.s);
		strbuf_reset(&b);
	}
	if (s->loading) {
		y += detail_first(t, i, y, x, end, w);
		goto meta;
	}
	why = queue_why(&s->a.in, &s->a.out, s->sub ? QUEUE_SUSPICION : s->by,
			i, (const char *const *)s->a.classes.name);
	y += draw_wrapped(t, y, x, w, end - y < 2 ? end - y : 2, STYLE_NORMAL,
			  "why", LABEL_W, why);
	free(why);
	detail_model(t, i, &b);
	y += draw_wrapped(t, y, x, w, end - y < 1 ? end - y : 1, STYLE_NORMAL,
			  "model", LABEL_W, b.s);
	strbuf_reset(&b);
	detail_votes(t, i, &b);

	/* Votes may take every row but the one for the metadata. */
	y += draw_wrapped(t, y, x, w, end - y > 2 ? end - y - 1 : end - y,
			  STYLE_NORMAL, "votes", LABEL_W, b.s);
meta:
	strbuf_reset(&b);
	detail_meta(d->meta, &b);
	if (y < end)
		draw_wrapped(t, y, x, w, end - y, STYLE_DIM, "meta", LABEL_W,
			     b.s);
	strbuf_free(&b);
}
