/* app.c - the review screen's main loop: setup, the screen stack, keys
 * every screen shares, the frame, and leaving the terminal as it was. */
#include <curses.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "relabel/screen.h"
#include "relabel/term.h"
#include "relabel/tui.h"

/* fatal() calls this first: the terminal must be usable for its message. */
static void tui_restore(void)
{
	if (!isendwin())
		endwin();
}

static double ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

double tui_ms(const struct tui *t)
{
	return ms_since(&t->t0);
}

void tui_trace(struct tui *t, const char *fmt, ...)
{
	va_list ap;

	if (!t->trace)
		return;
	va_start(ap, fmt);
	vfprintf(t->trace, fmt, ap);
	va_end(ap);
	fputc('\n', t->trace);
	fflush(t->trace);
}

void tui_msg(struct tui *t, const char *fmt, ...)
{
	va_list ap, cp;
	size_t n;
	char *msg;

	/* The old message may be an argument: free it last. */
	va_start(ap, fmt);
	va_copy(cp, ap);
	n = (size_t)vsnprintf(NULL, 0, fmt, cp) + 1;
	va_end(cp);
	msg = xmalloc(n);
	vsnprintf(msg, n, fmt, ap);
	va_end(ap);
	free(t->msg);
	t->msg = msg;
}

const char *tui_class(const struct tui *t, int c)
{
	if (c < 0 || c >= t->s.a.classes.n)
		return "-";
	return t->s.a.classes.name[c];
}

void tui_push(struct tui *t, struct screen *sc)
{
	if (t->depth == TUI_MAX_SCREENS)
		tui_pop(t);
	t->stack[t->depth++] = sc;
}

void tui_pop(struct tui *t)
{
	if (t->depth == 0)
		return;
	t->depth--;
	t->stack[t->depth]->destroy(t->stack[t->depth]);
	t->stack[t->depth] = NULL;
}

/* The first key bound to act, for hints ("?" when none is). */
static void first_key(const struct tui *t, enum action act, struct strbuf *b)
{
	for (size_t i = 0; i < t->keys.n; i++) {
		if (t->keys.b[i].act == act && !t->keys.b[i].cls) {
			keys_name(t->keys.b[i].key, b);
			return;
		}
	}
	strbuf_adds(b, "(unbound)");
}

static void tui_title(struct tui *t)
{
	const struct screen *top = t->stack[t->depth - 1];
	const char *path = store_path(t->s.st), *slash = strrchr(path, '/');
	struct strbuf hint;
	int w;

	strbuf_init(&hint);
	strbuf_adds(&hint, "  ");
	first_key(t, ACT_HELP, &hint);
	strbuf_adds(&hint, " help  ");
	first_key(t, ACT_QUIT, &hint);
	strbuf_adds(&hint, " quit ");
	w = (int)hint.len;
	draw_fill(t, 0, 0, t->cols, STYLE_TITLE);
	draw_printf(t, 0, 1, t->cols - w - 1, STYLE_TITLE, "relabel  %s  %s",
		    slash ? slash + 1 : path, top->title);
	draw_str(t, 0, t->cols - w, w, STYLE_TITLE, hint.s);
	strbuf_free(&hint);
}

/* The counters, the message and a retrain's progress; when they do not
 * all fit, the counters give way first, then the end of the message. */
static void tui_status(struct tui *t)
{
	const struct session *s = &t->s;
	int y = t->rows - 1, x = 0, w, mw;
	struct strbuf b, c;

	if (t->prompt) {
		x = draw_str(t, y, 0, t->cols, STYLE_HEAD, t->prompt);
		x += draw_str(t, y, x, t->cols - x - 1, STYLE_NORMAL,
			      t->answer.s ? t->answer.s : "");
		move(y, x);
		return;
	}
	strbuf_init(&b);
	strbuf_init(&c);
	retrain_status(t, &b);
	if (!b.len && s->loading)
		strbuf_adds(&b, "reading the project...");
	strbuf_addf(&c, "%s | %s %zu/%zu | done %zu/%zu | changed %zu | ",
		    s->reviewer, session_queue_name(s),
		    s->nview ? t->row + 1 : 0, s->nview, s->view_reviewed,
		    s->nview, s->changed);
	w = b.len ? (int)b.len + 2 : 0;
	if (w > t->cols)
		w = t->cols;
	mw = t->msg ? (int)strlen(t->msg) : 0;
	if (!mw || (int)c.len + mw + w <= t->cols)
		x = draw_str(t, y, 0, t->cols - w, STYLE_DIM, c.s);
	if (t->msg)
		draw_str(t, y, x, t->cols - x - w, STYLE_NORMAL, t->msg);
	if (w)
		draw_str(t, y, t->cols - w + 1, w - 1, STYLE_HEAD, b.s);
	strbuf_free(&b);
	strbuf_free(&c);
}

static void tui_too_small(struct tui *t)
{
	int y = t->rows / 2;

	draw_printf(t, y > 0 ? y - 1 : 0, 0, t->cols, STYLE_ERROR,
		    "terminal too small: %dx%d", t->cols, t->rows);
	draw_printf(t, y, 0, t->cols, STYLE_NORMAL, "need %dx%d; q quits",
		    TUI_MIN_COLS, TUI_MIN_ROWS);
}

/* After curses has drawn: the sixel image this frame placed, if any. */
static void tui_sixel_after(struct tui *t)
{
	struct tui_sixel *w = &t->want;

	if (!t->want_set || t->shown_set)
		return;
	if (term_write_sixel(t->tty_fd, w->y, w->x, w->bytes.s, w->bytes.len))
		tui_msg(t, "cannot write the sixel image to the terminal");
	t->shown = (struct tui_sixel){ .y = w->y, .x = w->x, .rows = w->rows,
				       .cols = w->cols, .key = w->key };
	t->shown_set = 1;
}

/* Before curses draws: lines under an image that must go are repainted
 * in full, since curses does not know the image is there. */
static void tui_sixel_before(struct tui *t)
{
	const struct tui_sixel *w = &t->want, *s = &t->shown;

	if (!t->shown_set)
		return;
	if (t->want_set && w->key == s->key && w->y == s->y && w->x == s->x &&
	    w->rows == s->rows && w->cols == s->cols)
		return;
	wredrawln(stdscr, s->y, s->rows);
	t->shown_set = 0;
}

void tui_draw(struct tui *t)
{
	erase();
	t->want_set = 0;
	curs_set(t->prompt ? 1 : 0);
	if (t->rows < TUI_MIN_ROWS || t->cols < TUI_MIN_COLS) {
		tui_too_small(t);
	} else {
		/* The screen first: it may retitle itself. */
		t->stack[t->depth - 1]->draw(t->stack[t->depth - 1], t);
		tui_title(t);
		tui_status(t);
	}
	tui_sixel_before(t);
	refresh();
	tui_sixel_after(t);
}

static void tui_resize(struct tui *t)
{
	getmaxyx(stdscr, t->rows, t->cols);
	term_cell_pixels(t->tty_fd, &t->cell_w, &t->cell_h);

	/* The terminal may have moved or dropped the image: repaint all. */
	clearok(curscr, TRUE);
	t->shown_set = 0;
	for (int k = 0; k < t->depth; k++)
		if (t->stack[k]->resize)
			t->stack[k]->resize(t->stack[k], t);
}

/* Appends code point c to b as UTF-8 (the locale's, which is UTF-8
 * whenever such characters can be typed). */
static void add_cp(struct strbuf *b, int c)
{
	char mb[8];
	mbstate_t ps;
	size_t n;

	memset(&ps, 0, sizeof ps);
	n = wcrtomb(mb, (wchar_t)c, &ps);
	if (n != (size_t)-1)
		strbuf_add(b, mb, n);
}

static void drop_cp(struct strbuf *b)
{
	while (b->len > 0) {
		unsigned char c = (unsigned char)b->s[--b->len];

		if ((c & 0xC0) != 0x80)
			break;
	}
	if (b->s)
		b->s[b->len] = '\0';
}

/* The row of the item with project id id in the view now, else 0. */
static long tui_row_of(const struct tui *t, int64_t id)
{
	long i = id ? item_table_find(&t->s.a.items, id) : -1;
	long r = i >= 0 ? session_find_row(&t->s, (uint32_t)i) : -1;

	return r > 0 ? r : 0;
}

/* A finished load of the project takes the place of the queue, once the
 * reviewer is on the queue screen (other screens point into the old
 * one).  The first full load ranks as the first rows did, so the cursor
 * stays on its item where it is; a newer run re-ranks, and the item on
 * screen stays on screen as the first row. */
static int tui_reload(struct tui *t)
{
	struct session_delta d;
	struct err e;
	long keep = t->s.nview ? (long)t->s.view[t->row] : -1;
	int64_t keep_id = keep >= 0 ? t->s.a.items.id[keep] : 0;
	int was_loading = t->s.loading, rc;
	long row;

	if (!session_load_busy(&t->s) || t->depth > 1 || t->prompt)
		return 0;
	rc = session_load_poll(&t->s, was_loading ? -1 : keep, &d, &e);
	if (rc == 0)
		return 0;
	if (rc < 0) {
		tui_msg(t, "cannot read the project: %s", e.msg);
		return 1;
	}
	row = was_loading ? tui_row_of(t, keep_id) : 0;
	t->row = t->top = 0;
	tui_land(t, row, 1, 0);

	/* The first full queue is painted whole, as a first screen is. */
	if (was_loading) {
		clearok(curscr, TRUE);
		t->shown_set = 0;
		tui_trace(t, "loaded %.3f", tui_ms(t));
	}
	if (!retrain_reloaded(t, &d) && !was_loading)
		tui_msg(t, "run %lld, stored by another session, is in: the "
			"queue is re-ranked (%zu newly flagged, %zu cleared)",
			(long long)d.run_after, d.flagged, d.cleared);
	return 1;
}

/* Work that goes on without keys: the retrain's progress, a finished
 * load, the lease on the item on screen.  1 when the screen changed. */
static int tui_tick(struct tui *t)
{
	struct err e;
	int changed = retrain_tick(t);

	changed |= tui_reload(t);
	if (session_renew(&t->s, session_now(), &e) < 0)
		tui_msg(t, "cannot renew the lease on this item: %s", e.msg);
	return changed;
}

/* How long to wait for a key: short while the project is read (the
 * full queue is shown as soon as it is there), then while a retrain has
 * progress to show, else long enough only to renew the lease. */
static int tui_wait_ms(const struct tui *t)
{
	if (session_load_busy(&t->s))
		return 20;
	return retrain_busy(t) ? 100 : 1000;
}

/* The next key, keeping the status line current while none comes. */
static int tui_next_key(struct tui *t)
{
	int key;

	while ((key = term_read_key(tui_wait_ms(t))) == TERM_NO_KEY)
		if (tui_tick(t))
			tui_draw(t);
	return key;
}

int tui_confirm(struct tui *t, const char *question)
{
	int key, arg;

	t->prompt = question;
	strbuf_reset(&t->answer);
	do {
		tui_draw(t);
		key = tui_next_key(t);
		if (key == TERM_RESIZE)
			tui_resize(t);
	} while (key == TERM_RESIZE);
	t->prompt = NULL;
	return keys_lookup(&t->keys, key, &arg) == ACT_YES;
}

int tui_prompt(struct tui *t, const char *label)
{
	int rc = -1;

	t->prompt = label;
	strbuf_reset(&t->answer);
	strbuf_add(&t->answer, "", 0);
	while (rc < 0) {
		int key;

		tui_draw(t);
		key = tui_next_key(t);
		if (key == TERM_RESIZE)
			tui_resize(t);
		else if (key == KEYS_ENTER)
			rc = 0;
		else if (key == KEYS_ESC || key == 7)
			rc = 1;
		else if (key == KEYS_BACKSPACE)
			drop_cp(&t->answer);
		else if (key == 21)
			strbuf_reset(&t->answer);
		else if (key >= ' ' && key < 0x110000 && key != 0x7F &&
			 !(key >= 0x80 && key < 0xA0))
			add_cp(&t->answer, key);
	}
	t->prompt = NULL;
	return rc;
}

/* Actions every screen shares, when the top one did not take them. */
static void tui_global(struct tui *t, enum action act, int key)
{
	struct strbuf b;

	switch (act) {
	case ACT_QUIT:
		t->quit = 1;
		return;
	case ACT_BACK:
		if (t->depth > 1)
			tui_pop(t);
		return;
	case ACT_HELP:
		tui_push(t, screen_help_new(t));
		return;
	case ACT_RETRAIN:
		retrain_key(t);
		return;
	case ACT_ANNOTATORS:
	case ACT_NOISE:
		if (t->s.loading) {
			tui_msg(t, "still reading the project; %s in a moment",
				keys_action_name(act));
			return;
		}
		/* fall through */
	case ACT_RUNS:
		while (t->depth > 1)
			tui_pop(t);
		tui_push(t, act == ACT_ANNOTATORS ? screen_annot_new(t) :
			 act == ACT_NOISE ? screen_noise_new(t) :
			 screen_runs_new(t));
		return;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		t->shown_set = 0;
		return;
	default:
		break;
	}
	strbuf_init(&b);
	keys_name(key, &b);
	strbuf_adds(&b, " does nothing; ");
	first_key(t, ACT_HELP, &b);
	if (act == ACT_NONE)
		tui_msg(t, "key %s lists the keys", b.s);
	else
		tui_msg(t, "%s does nothing here", keys_action_name(act));
	strbuf_free(&b);
}

static void tui_key(struct tui *t, int key)
{
	struct screen *top = t->stack[t->depth - 1];
	int arg;
	enum action act = keys_lookup(&t->keys, key, &arg);

	/* A terminal too small shows no screen: only quitting makes sense. */
	if (t->rows < TUI_MIN_ROWS || t->cols < TUI_MIN_COLS) {
		if (act == ACT_QUIT)
			t->quit = 1;
		return;
	}
	if (act != ACT_NONE && top->key(top, t, act, arg))
		return;
	tui_global(t, act, key);
}

static void tui_loop(struct tui *t)
{
	struct strbuf name;

	strbuf_init(&name);
	while (!t->quit) {
		int key = term_read_key(tui_wait_ms(t));
		struct timespec k0;

		clock_gettime(CLOCK_MONOTONIC, &k0);
		if (key == TERM_NO_KEY) {
			if (tui_tick(t))
				tui_draw(t);
			continue;
		}
		if (key == TERM_RESIZE)
			tui_resize(t);
		else
			tui_key(t, key);
		if (t->quit)
			break;
		tui_tick(t);
		tui_draw(t);
		if (t->trace) {
			strbuf_reset(&name);
			if (key == TERM_RESIZE)
				strbuf_adds(&name, "resize");
			else
				keys_name(key, &name);
			tui_trace(t, "key %s %.3f", name.s, ms_since(&k0));
		}
	}
	strbuf_free(&name);
}

/* The user's key file, then the one given; classes resolved last. */
static int tui_keys(struct tui *t, const char *extra, struct err *e)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *path = NULL;
	int rc = 0;

	keys_init(&t->keys);
	if (xdg && *xdg)
		path = xasprintf("%s/relabel/keys.conf", xdg);
	else if (home && *home)
		path = xasprintf("%s/.config/relabel/keys.conf", home);
	if (path)
		rc = keys_load_file(&t->keys, path, e) < 0 ? -1 : 0;
	free(path);
	if (rc == 0 && extra) {
		rc = keys_load_file(&t->keys, extra, e);
		if (rc > 0)
			rc = err_set(e, "--keys %s: no such file", extra);
	}
	if (rc == 0)
		rc = keys_resolve(&t->keys,
				  (const char *const *)t->s.a.classes.name,
				  t->s.a.classes.n, e);
	return rc;
}

/* Colours the terminal has, unless NO_COLOR asks for none. */
static int tui_colors(void)
{
	const char *ct = getenv("COLORTERM"), *nc = getenv("NO_COLOR");

	if ((nc && *nc) || !has_colors() || start_color() == ERR)
		return 0;
	if (COLORS >= TUI_DIRECT_COLOR && ct &&
	    (!strcmp(ct, "truecolor") || !strcmp(ct, "24bit")))
		return TUI_DIRECT_COLOR;
	return COLORS >= 256 ? 256 : 8;
}

/* The preview mode to use, now that curses knows the terminal. */
static void tui_preview_mode(struct tui *t, enum preview_mode asked,
			     int sixel)
{
	int blocks_ok = t->colors >= 256 && t->utf8;

	t->preview = asked;
	if (asked == PREVIEW_AUTO)
		t->preview = sixel ? PREVIEW_SIXEL :
			     blocks_ok ? PREVIEW_BLOCKS : PREVIEW_ASCII;
	if (t->preview == PREVIEW_BLOCKS && !blocks_ok) {
		t->preview = PREVIEW_ASCII;
		tui_msg(t, "half blocks need 256 colours and a UTF-8 locale; "
			"showing ASCII");
	}
}

static int tui_curses(struct tui *t, enum preview_mode asked, int sixel,
		      struct err *e)
{
	const char *cs = nl_langinfo(CODESET);

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return err_set(e, "review needs a terminal on standard input "
			       "and output");
	if (!newterm(NULL, stdout, stdin))
		return err_set(e, "cannot use terminal '%s'; set TERM to one "
			       "that terminfo knows (e.g. xterm-256color)",
			       getenv("TERM") ? getenv("TERM") : "");
	fatal_set_hook(tui_restore);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	t->tty_fd = STDOUT_FILENO;
	t->utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	t->colors = tui_colors();
	draw_init(t);
	t->cell_w = 10;
	t->cell_h = 20;
	getmaxyx(stdscr, t->rows, t->cols);
	term_cell_pixels(t->tty_fd, &t->cell_w, &t->cell_h);
	tui_preview_mode(t, asked, sixel);
	return 0;
}

static void tui_end(struct tui *t)
{
	struct rusage ru;

	/* A retrain stops at its next epoch: say why quitting waits. */
	if (retrain_busy(t) && t->depth > 0) {
		tui_msg(t, "stopping the retrain (nothing of it is stored)...");
		tui_draw(t);
	}
	while (t->depth > 0)
		tui_pop(t);
	retrain_free(t);
	if (stdscr) {
		endwin();
		fatal_set_hook(NULL);
	}
	if (t->trace && getrusage(RUSAGE_SELF, &ru) == 0)
		tui_trace(t, "maxrss %ld", ru.ru_maxrss);
	imgcache_free(t->images);
	preview_cells_free(&t->cells);
	keys_free(&t->keys);
	session_close(&t->s);
	strbuf_free(&t->want.bytes);
	strbuf_free(&t->answer);
	free(t->msg);
	if (t->trace)
		fclose(t->trace);
}

int tui_run(const struct tui_options *o, struct err *e)
{
	struct tui *t = xcalloc(1, sizeof *t);
	int sixel = 0, rc = -1;

	clock_gettime(CLOCK_MONOTONIC, &t->t0);
	if (o->trace && !(t->trace = fopen(o->trace, "a"))) {
		err_errno(e, o->trace);
		goto out;
	}
	tui_trace(t, "start %.3f", tui_ms(t));
	if (retrain_new(t, o, e))
		goto out;
	if (session_open(&t->s, o->project, o->reviewer, o->by, e))
		goto out;
	tui_trace(t, "opened %.3f", tui_ms(t));
	if (tui_keys(t, o->keys_file, e))
		goto out;

	/* The terminal answers before curses takes its input over. */
	if (o->preview == PREVIEW_AUTO && t->s.images)
		sixel = term_has_sixel(STDIN_FILENO, TUI_DA_TIMEOUT_MS);
	preview_view_reset(&t->view);
	t->images = imgcache_new();
	if (tui_curses(t, o->preview, sixel, e))
		goto out;
	tui_push(t, screen_queue_new(t));
	tui_land(t, 0, 1, 0);
	tui_draw(t);
	tui_trace(t, "first-paint %.3f %zu", tui_ms(t), t->s.nview);
	tui_loop(t);
	rc = 0;
out:
	tui_end(t);
	free(t);
	return rc;
}

void tui_open_sub(struct tui *t, const char *name, const char *title,
		  uint32_t *items, size_t n)
{
	uint64_t *key = xmalloc((n + 1) * sizeof *key);
	uint32_t *sorted = xmalloc((n + 1) * sizeof *sorted);

	/* Most suspicious first, as in the default queue. */
	for (size_t k = 0; k < n; k++)
		key[k] = queue_key(t->s.a.out.suspicion[items[k]], items[k]);
	queue_sort_keys(key, n);
	for (size_t k = 0; k < n; k++)
		sorted[k] = queue_key_item(key[k]);
	free(key);

	/* items may belong to a screen about to close: use it before. */
	session_set_sub(&t->s, name, title, sorted, n);
	free(sorted);
	while (t->depth > 1)
		tui_pop(t);
	t->row = t->top = 0;
	tui_land(t, 0, 1, 0);
	tui_msg(t, "%zu items; esc returns to the queue", n);
}
