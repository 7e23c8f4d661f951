/* screen_runs.c - the project's training runs, newest first, with the
 * parameters and metrics of the one under the cursor. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/screen.h"

struct runs_screen {
	struct screen sc;
	struct run_info *runs;
	size_t n, row;
	char *error;
};

static void runs_row(struct tui *t, int y, const struct run_info *r,
		     int cursor)
{
	enum style st = cursor ? STYLE_CURSOR : STYLE_NORMAL;
	char noise[16];

	if (r->noise_rate < 0 || isnan(r->noise_rate))
		snprintf(noise, sizeof noise, "     -");
	else
		snprintf(noise, sizeof noise, "%5.1f%%", 100.0 * r->noise_rate);
	draw_fill(t, y, 1, t->cols - 2, st);
	draw_printf(t, y, 1, t->cols - 2, st, "%5lld  %-20s  %-9s %9.1f %9zu "
		    "%7s", (long long)r->id, r->started ? r->started : "-",
		    r->method ? r->method : "-", r->seconds, r->nscored, noise);
}

static void runs_draw(struct screen *sc, struct tui *t)
{
	struct runs_screen *s = (struct runs_screen *)sc;
	int list = t->rows / 2 - 2, y;
	size_t top;

	if (s->error || s->n == 0) {
		draw_str(t, 2, 2, t->cols - 4, s->error ? STYLE_ERROR : STYLE_DIM,
			 s->error ? s->error : "no training runs yet: relabel "
			 "train, or import --probs");
		return;
	}
	top = s->row >= (size_t)list ? s->row - (size_t)list + 1 : 0;
	draw_fill(t, 1, 1, t->cols - 2, STYLE_HEAD);
	draw_printf(t, 1, 1, t->cols - 2, STYLE_HEAD, "%5s  %-20s  %-9s %9s "
		    "%9s %7s", "run", "started", "method", "seconds", "scored",
		    "noise");
	for (int k = 0; k < list && top + (size_t)k < s->n; k++)
		runs_row(t, 2 + k, &s->runs[top + (size_t)k],
			 top + (size_t)k == s->row);
	y = 3 + list;
	y += draw_wrapped(t, y, 1, t->cols - 2, 3, STYLE_NORMAL, "params", 8,
			  s->runs[s->row].params ? s->runs[s->row].params :
			  "-");
	draw_wrapped(t, y, 1, t->cols - 2, t->rows - 1 - y, STYLE_NORMAL,
		     "metrics", 8, s->runs[s->row].metrics ?
		     s->runs[s->row].metrics : "-");
}

static int runs_key(struct screen *sc, struct tui *t, enum action act,
		    int arg)
{
	struct runs_screen *s = (struct runs_screen *)sc;

	(void)t;
	(void)arg;
	if (s->n == 0)
		return 0;
	switch (act) {
	case ACT_DOWN: s->row += s->row + 1 < s->n; return 1;
	case ACT_UP: s->row -= s->row > 0; return 1;
	case ACT_TOP: s->row = 0; return 1;
	case ACT_BOTTOM: s->row = s->n - 1; return 1;
	default: return 0;
	}
}

static void runs_destroy(struct screen *sc)
{
	struct runs_screen *s = (struct runs_screen *)sc;

	for (size_t i = 0; i < s->n; i++)
		run_info_free(&s->runs[i]);
	free(s->runs);
	free(s->error);
	free(s);
}

struct screen *screen_runs_new(struct tui *t)
{
	struct runs_screen *s = xcalloc(1, sizeof *s);
	struct err e;

	s->sc = (struct screen){ .title = "training runs (esc: back)",
				 .draw = runs_draw, .key = runs_key,
				 .destroy = runs_destroy };
	if (store_runs_list(t->s.st, &s->runs, &s->n, &e)) {
		s->error = xstrdup(e.msg);
		s->runs = NULL;
		s->n = 0;
	}
	return &s->sc;
}
