/* term.c - asking the terminal what it can do, reading keys, and writing
 * sixel images. */
#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "relabel/keys.h"
#include "relabel/term.h"

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Reads the reply to ESC [ c into buf until its final 'c'; returns its
 * length, or -1 when none came in time. */
static int da_read(int fd, char *buf, int cap, int timeout_ms)
{
	struct timespec t0;
	int n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n < cap) {
		struct pollfd p = { fd, POLLIN, 0 };
		long left = timeout_ms - ms_since(&t0);
		ssize_t got;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		got = read(fd, buf + n, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		if (buf[n++] == 'c' && n > 2)
			return n;
	}
	return -1;
}

/* 1 when the reply "ESC [ ? P1 ; P2 ; ... c" lists 4 after P1. */
static int da_has_sixel(const char *s, int n)
{
	int i = 0, param = 0, value = -1;

	while (i < n && s[i] != '?')
		i++;
	for (i++; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			value = (value < 0 ? 0 : value * 10) + s[i] - '0';
			if (value > 9999)
				value = 9999;
			continue;
		}
		if (param > 0 && value == 4)
			return 1;
		if (s[i] != ';')
			break;
		param++;
		value = -1;
	}
	return 0;
}

int term_has_sixel(int fd, int timeout_ms)
{
	struct termios old, raw;
	char buf[256];
	int n;

	if (!isatty(fd) || tcgetattr(fd, &old))
		return 0;
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw))
		return 0;
	n = write(fd, "\033[c", 3) == 3 ?
	    da_read(fd, buf, (int)sizeof buf, timeout_ms) : -1;
	tcsetattr(fd, TCSANOW, &old);
	return n > 0 && da_has_sixel(buf, n);
}

void term_cell_pixels(int fd, int *w, int *h)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) || !ws.ws_col || !ws.ws_row ||
	    ws.ws_xpixel < ws.ws_col || ws.ws_ypixel < ws.ws_row)
		return;
	*w = ws.ws_xpixel / ws.ws_col;
	*h = ws.ws_ypixel / ws.ws_row;
}

/* After an ESC: a lone escape, an Alt-key (the key comes next), or a
 * control sequence curses did not know, such as a late answer to the
 * device attributes query, which must not turn into keys. */
static int term_after_esc(int wait_ms)
{
	wint_t ch;
	int r;

	nodelay(stdscr, TRUE);
	r = get_wch(&ch);
	if (r == ERR) {
		wtimeout(stdscr, wait_ms);
		return KEYS_ESC;
	}
	if (r == OK && ch == '[') {
		/* Parameters and intermediates up to the final byte. */
		while (get_wch(&ch) == OK && !(ch >= 0x40 && ch <= 0x7E))
			;
		wtimeout(stdscr, wait_ms);
		return TERM_NO_KEY;
	}
	/* The key after an Alt comes back as a key of its own. */
	if (r == KEY_CODE_YES)
		ungetch((int)ch);
	else
		unget_wch(ch);
	wtimeout(stdscr, wait_ms);
	return KEYS_ESC;
}

static int term_function_key(wint_t ch)
{
	switch (ch) {
	case KEY_RESIZE: return TERM_RESIZE;
	case KEY_UP: return KEYS_UP;
	case KEY_DOWN: return KEYS_DOWN;
	case KEY_LEFT: return KEYS_LEFT;
	case KEY_RIGHT: return KEYS_RIGHT;
	case KEY_PPAGE: return KEYS_PGUP;
	case KEY_NPAGE: return KEYS_PGDN;
	case KEY_HOME: return KEYS_HOME;
	case KEY_END: return KEYS_END;
	case KEY_IC: return KEYS_INSERT;
	case KEY_DC: return KEYS_DELETE;
	case KEY_BACKSPACE: return KEYS_BACKSPACE;
	case KEY_ENTER: return KEYS_ENTER;
	}
	if (ch >= KEY_F(1) && ch <= KEY_F(12))
		return KEYS_F1 + (int)(ch - KEY_F(1));
	return TERM_NO_KEY;
}

int term_read_key(int wait_ms)
{
	wint_t ch;
	int r;

	wtimeout(stdscr, wait_ms);
	r = get_wch(&ch);

	if (r == ERR)
		return TERM_NO_KEY;
	if (r == KEY_CODE_YES)
		return term_function_key(ch);
	if (ch == '\n' || ch == '\r')
		return KEYS_ENTER;
	if (ch == 127 || ch == 8)
		return KEYS_BACKSPACE;
	if (ch == 27)
		return term_after_esc(wait_ms);
	return (int)ch;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int term_write_sixel(int fd, int y, int x, const char *bytes, size_t n)
{
	char pos[48];
	int len;

	/* Save the cursor, place the image, restore: curses keeps its idea
	 * of where the cursor is. */
	len = snprintf(pos, sizeof pos, "\0337\033[%d;%dH", y + 1, x + 1);
	if (write_all(fd, pos, (size_t)len) || write_all(fd, bytes, n) ||
	    write_all(fd, "\0338", 2))
		return -1;
	return 0;
}
