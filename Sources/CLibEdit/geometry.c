#include "shim_private.h"

/* ---------- geometry: where libedit's cursor is, in rows below the prompt's first row.
 * Mirrors libedit refresh.c (re_putc/re_addc/re_nextline). */
struct geo { int h, v, cols, rows; };

static void geo_put(struct geo *g, int w) {
    if (w < 0) w = 0;
    while (g->h + w > g->cols) {            /* wide char that does not fit: pad */
        g->h++;
        if (g->h >= g->cols) { g->h = 0; if (g->v + 1 < g->rows) g->v++; }
    }
    g->h += w;
    if (g->h >= g->cols) { g->h = 0; if (g->v + 1 < g->rows) g->v++; }
}

static void geo_addc(struct geo *g, wchar_t c) {
    if (c == L'\t') {
        do geo_put(g, 1); while ((g->h & 7) != 0);
    } else if (c == L'\n') {
        g->h = 0; if (g->v + 1 < g->rows) g->v++;
    } else if (c < 0x100 && iswcntrl((wint_t)c)) {
        geo_put(g, 1); geo_put(g, 1);       /* ^X */
    } else if (iswprint((wint_t)c)) {
        geo_put(g, wcwidth(c));
    } else {
        int n = c > 0xffff ? 8 : 7;          /* \U+XXXX */
        while (n--) geo_put(g, 1);
    }
}

int wsc_le_cursor_row(void) {
    if (!g_el) return 0;
    struct winsize ws;
    struct geo g = {0, 0, 80, 24};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
        if (ws.ws_col > 0) g.cols = ws.ws_col;
        if (ws.ws_row > 0) g.rows = ws.ws_row;
    }
    for (const char *p = g_prompt; *p;) {
        wchar_t wc;
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t n = mbrtowc(&wc, p, strlen(p), &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) { wc = (unsigned char)*p; n = 1; }
        geo_put(&g, wcwidth(wc));
        p += n;
    }
    const LineInfoW *li = el_wline(g_el);
    const wchar_t *c = li->buffer;
    for (; c < li->cursor; c++) geo_addc(&g, *c);
    /* libedit moves the cursor to the next row if the char under it is wide and does not fit */
    if (c < li->lastchar && wcwidth(*c) > 1 && g.h + wcwidth(*c) > g.cols && g.v + 1 < g.rows) g.v++;
    return g.v;
}

int wsc_le_point(void) { return g_el ? (int)(el_wline(g_el)->cursor - el_wline(g_el)->buffer) : 0; }
int wsc_le_end(void) { return g_el ? (int)(el_wline(g_el)->lastchar - el_wline(g_el)->buffer) : 0; }

/* Cursor to column 0 of the prompt's first row and clear to the end of screen.
 * "\r\e[K\e[C\e[J\r" instead of "\r\e[J": tmux (scroll-on-clear, default on)
 * pushes the whole screen into its history when ED is sent at the top-left
 * cell, which left a stray "> " line in the scrollback. */
void wsc_erase_edit_area(void) {
    if (!g_drawn) return;
    int row = wsc_le_cursor_row();
    if (row > 0) fprintf(stdout, "\r\033[%dA", row);
    fputs("\r\033[K\033[C\033[J\r", stdout);
    g_drawn = 0;
}

