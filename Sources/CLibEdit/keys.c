#include "shim_private.h"

static char *g_line;

/* ---------- keys: read by us, handed to libedit one at a time
 * Bytes read from the terminal wait here. libedit takes keys from wsc_key_getc();
 * runs of plain text (a paste) skip it and are inserted at once. */
static unsigned char g_in[1 << 16];
static size_t g_in_start, g_in_end;
static int g_probe;            /* wsc_key_getc may only say "nothing" (no read(2)) */
static wint_t g_last_key = WEOF;

/* Reads what the terminal has (at least one byte when `wait`); 0 at its end or on an error. */
static ssize_t in_fill(int wait) {
    if (g_in_start == g_in_end) g_in_start = g_in_end = 0;
    if (g_in_start > 0 && g_in_end == sizeof g_in) {
        memmove(g_in, g_in + g_in_start, g_in_end - g_in_start);
        g_in_end -= g_in_start;
        g_in_start = 0;
    }
    if (g_in_end == sizeof g_in) return (ssize_t)(g_in_end - g_in_start);
    if (!wait) {
        int avail = 0;
        if (ioctl(STDIN_FILENO, FIONREAD, &avail) < 0 || avail <= 0) return 0;
    }
    for (;;) {
        ssize_t n = read(STDIN_FILENO, g_in + g_in_end, sizeof g_in - g_in_end);
        if (n < 0 && errno == EINTR) continue;
        if (n > 0) g_in_end += (size_t)n;
        return n;
    }
}

/* The character at the head of the queue: its length, 0 when it is not all there yet
 * (-1: an invalid byte, taken as it is). */
static int in_peek(wchar_t *wc) {
    if (g_in_start == g_in_end) return 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = mbrtowc(wc, (const char *)g_in + g_in_start, g_in_end - g_in_start, &st);
    if (n == (size_t)-2) return 0;
    if (n == (size_t)-1) { *wc = (wchar_t)g_in[g_in_start]; return -1; }
    return n == 0 ? 1 : (int)n;
}

/* EL_GETCFN: the next key from the queue, reading the terminal when it is empty. */
int wsc_key_getc(EditLine *el, wchar_t *out) {
    (void)el;
    for (;;) {
        wchar_t wc;
        int n = in_peek(&wc);
        if (n != 0) {
            g_in_start += (size_t)(n < 0 ? 1 : n);
            *out = wc;
            g_last_key = (wint_t)wc;
            return 1;
        }
        if (g_probe) return 0;
        ssize_t r = in_fill(1);
        if (r <= 0) return r == 0 ? 0 : -1;
    }
}

/* Plain text at the head of the queue (no control character, whole characters only):
 * its length in bytes and characters. */
static size_t in_text_run(size_t *chars) {
    size_t i = g_in_start, count = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    while (i < g_in_end) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, (const char *)g_in + i, g_in_end - i, &st);
        if (n == (size_t)-2 || n == (size_t)-1 || n == 0 || iswcntrl((wint_t)wc)) break;
        i += n;
        count++;
    }
    *chars = count;
    return i - g_in_start;
}

/* ---------- input */

/* One libedit command (a key, or a key sequence) from the queue. */
static int step(void) {
    int count = 0;
    const wchar_t *buf = el_wgets(g_el, &count);
    if (!buf || count <= 0) return WSC_LE_NONE;
    if (count == 1 && buf[0] == ('D' & 037)) {
        /* Ctrl-D on an empty line ("> " still on screen, cursor after it) */
        wsc_uninstall();
        return WSC_LE_EOF;
    }
    if (buf[count - 1] != L'\n' && buf[count - 1] != L'\r') return WSC_LE_NONE;
    /* a line: libedit moved below it (ed-newline) */
    size_t size = (size_t)count * MB_CUR_MAX + 1, used = 0;
    char *line = malloc(size);
    if (line) {
        mbstate_t st;
        memset(&st, 0, sizeof st);
        for (int i = 0; i < count - 1; i++) {
            size_t n = wcrtomb(line + used, buf[i], &st);
            if (n != (size_t)-1) used += n;
        }
        line[used] = '\0';
        free(g_line);
        g_line = line;
    }
    wsc_uninstall();
    g_drawn = 0;
    return WSC_LE_LINE;
}

/* Plain text at the head of the queue goes in at once: a paste of a megabyte is a few
 * insertions and one redraw, not a million keys each redrawing the whole line. The
 * screen is redrawn by the caller (*dirty is set). */
static int insert_text_run(int *dirty) {
    size_t chars = 0, bytes = in_text_run(&chars);
    if (chars < 2) return 0;
    wchar_t *text = malloc((chars + 1) * sizeof *text);
    if (!text) return 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t i = 0;
    for (size_t k = 0; k < chars; k++) {
        size_t n = mbrtowc(&text[k], (const char *)g_in + g_in_start + i, bytes - i, &st);
        i += n;
    }
    text[chars] = L'\0';
    wsc_erase_edit_area();                        /* what is on screen is the line before */
    el_winsertstr(g_el, text);
    free(text);
    g_in_start += bytes;
    g_last_key = WEOF;
    *dirty = 1;
    return 1;
}

/* Whether the terminal has more to read within `ms` milliseconds. */
static int readable_within(int ms) {
    struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
    return poll(&p, 1, ms) > 0 && (p.revents & POLLIN);
}

static long elapsed_ms(const struct timespec *since) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

int wsc_le_on_readable(void) {
    struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
    int avail = 0;
    if (poll(&p, 1, 0) < 0) return WSC_LE_NONE;
    if (ioctl(STDIN_FILENO, FIONREAD, &avail) < 0) avail = 0;   /* EIO after hang-up */
    if ((p.revents & (POLLHUP | POLLERR | POLLNVAL)) && avail == 0 && g_in_start == g_in_end) return WSC_LE_HANGUP;
    if (!g_installed) return WSC_LE_NONE;
    if (avail > 0) in_fill(0);

    int event = WSC_LE_NONE, dirty = 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        while (g_in_start < g_in_end) {
            if (insert_text_run(&dirty)) continue;
            if (dirty) { wsc_redraw(); dirty = 0; }   /* libedit's commands start from what is on screen */
            event = step();
            if (event != WSC_LE_NONE || !g_installed) goto done;
            if (g_in_start == g_in_end) in_fill(0);
        }
        /* A paste arrives in pieces: while text is coming, take the next piece if it comes
         * within a moment, and draw once at the end (a quarter of a second at most, so that
         * output and signals are not held back by a terminal that never stops sending). */
        if (!dirty || elapsed_ms(&start) > 250 || !readable_within(5) || in_fill(0) <= 0) break;
    }
    if (dirty) wsc_redraw();
    /* A key can leave another in libedit's own queue, not on fd 0: Enter that ends a
     * Ctrl-R search is pushed back and run by the next command. Run it now, with a
     * queue that says "nothing" rather than wait (not after ^V, which would take that
     * as its argument). */
    if (event == WSC_LE_NONE && g_installed && g_in_start == g_in_end && g_last_key != (wint_t)('V' & 037)) {
        g_probe = 1;
        event = step();
        g_probe = 0;
    }
done:
    if (event == WSC_LE_LINE) wsc_install();      /* the next line: raw mode, the prompt */
    fflush(stdout);
    return event;
}

int wsc_le_has_pending_input(void) { return g_installed && g_in_start < g_in_end; }

const char *wsc_le_line(void) { return g_line ? g_line : ""; }

