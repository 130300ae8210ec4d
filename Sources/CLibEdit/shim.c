#define _GNU_SOURCE
#include "CLibEdit.h"

#include <histedit.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include <dlfcn.h>

/* Exported by libedit (filecomplete.c), not declared in its headers. */
int fn_complete2(EditLine *, char *(*)(const char *, int), char **(*)(const char *, int, int),
    const wchar_t *, const wchar_t *, const char *(*)(const char *), size_t, int *, int *, int *, int *,
    unsigned int);
char **completion_matches(const char *, char *(*)(const char *, int));
char *fn_filename_completion_function(const char *, int);
char *fn_tilde_expand(const char *);
#define WSC_FN_QUOTE_MATCH 1U   /* filecomplete.h: unescape the word, escape the match */

/* ---------- libedit, opened on first use
 * Only the prompt needs libedit: it is dlopen()ed by wsc_le_init(), so a run in
 * a pipe never maps it (nor libtinfo, libbsd and libmd behind it), and starts
 * sooner. Every name of it used below goes through this table: the macros after
 * it make `el_set(...)` call libedit's own function.
 *
 * This is libedit's native API, not its readline layer: that layer wrote
 * rl_line_buffer[rl_end] after every key through a pointer that went stale every
 * 1 KiB of line growth (a 6 KB paste corrupted the heap), its rl_copy_text() drops
 * the last byte, and a key that ended Ctrl-R's search waited for the next key. */
#define WSC_LE_SYMBOLS(X) \
    X(el_init) \
    X(el_end) \
    X(el_set) \
    X(el_source) \
    X(el_wgets) \
    X(el_line) \
    X(el_wline) \
    X(el_winsertstr) \
    X(el_resize) \
    X(history_init) \
    X(history_end) \
    X(history) \
    X(fn_complete2) \
    X(completion_matches) \
    X(fn_filename_completion_function) \
    X(fn_tilde_expand)

static struct {
#define WSC_LE_FIELD(name) __typeof__(&name) name;
    WSC_LE_SYMBOLS(WSC_LE_FIELD)
#undef WSC_LE_FIELD
} le;

static int g_loaded;           /* 1: le is filled in; -1: libedit could not be loaded */
static char g_load_error[256];

/* Fills in le from libedit's shared object; 0 on success. */
static int le_load(void) {
    if (g_loaded) return g_loaded > 0 ? 0 : -1;
    g_loaded = -1;
    void *h = dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("libedit.so", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(g_load_error, sizeof g_load_error, "%s", e ? e : "libedit.so.2 not found");
        return -1;
    }
#define WSC_LE_LOAD(name) \
    if (!(le.name = (__typeof__(le.name))dlsym(h, #name))) { \
        snprintf(g_load_error, sizeof g_load_error, "libedit has no %s", #name); \
        return -1; \
    }
    WSC_LE_SYMBOLS(WSC_LE_LOAD)
#undef WSC_LE_LOAD
    g_loaded = 1;
    return 0;
}

const char *wsc_le_load_error(void) { return g_load_error; }

#define el_init (*le.el_init)
#define el_end (*le.el_end)
#define el_set (*le.el_set)
#define el_source (*le.el_source)
#define el_wgets (*le.el_wgets)
#define el_line (*le.el_line)
#define el_wline (*le.el_wline)
#define el_winsertstr (*le.el_winsertstr)
#define el_resize (*le.el_resize)
#define history_init (*le.history_init)
#define history_end (*le.history_end)
#define history (*le.history)
#define fn_complete2 (*le.fn_complete2)
#define completion_matches (*le.completion_matches)
#define fn_filename_completion_function (*le.fn_filename_completion_function)
#define fn_tilde_expand (*le.fn_tilde_expand)

static EditLine *g_el;
static History *g_hist;
static char *g_prompt;
static char *g_hist_path;
static int g_hist_max;
static char **g_hist_new;      /* lines added this session, appended to the file at the end */
static int g_hist_nnew;
static int g_inited;
static int g_installed;        /* unbuffered (raw) mode: libedit owns the line */
static int g_drawn;            /* prompt (+ line) is on screen, cursor inside it */
static char *g_line;
static struct termios g_saved_tio;
static int g_have_tio;
static char **g_cmds;
static int g_ncmds;
static char g_outbuf[1 << 16];

/* ---------- keys: read by us, handed to libedit one at a time
 * Bytes read from the terminal wait here. libedit takes keys from key_getc();
 * runs of plain text (a paste) skip it and are inserted at once. */
static unsigned char g_in[1 << 16];
static size_t g_in_start, g_in_end;
static int g_probe;            /* key_getc may only say "nothing" (no read(2)) */
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
static int key_getc(EditLine *el, wchar_t *out) {
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
static void erase_edit_area(void) {
    if (!g_drawn) return;
    int row = wsc_le_cursor_row();
    if (row > 0) fprintf(stdout, "\r\033[%dA", row);
    fputs("\r\033[K\033[C\033[J\r", stdout);
    g_drawn = 0;
}

/* Redraws the prompt and the line, the cursor where it was (el_set EL_REFRESH
 * assumes the cursor at column 0 of the prompt's row). */
static void redraw(void) {
    el_set(g_el, EL_REFRESH);
    g_drawn = 1;
}

/* Unbuffered mode: raw terminal, an empty line, the prompt drawn. */
static void install(void) {
    el_set(g_el, EL_UNBUFFERED, 1);
    g_installed = 1;
    g_drawn = 1;
}

/* Back to a cooked terminal; the line is forgotten when installed again. */
static void uninstall(void) {
    el_set(g_el, EL_UNBUFFERED, 0);
    g_installed = 0;
}

static char *prompt_fn(EditLine *el) { (void)el; return g_prompt; }

/* ^Z: the app suspends (SIGTSTP is its to handle), as the readline layer did. */
static unsigned char tstp_fn(EditLine *el, int ch) {
    (void)el; (void)ch;
    kill(0, SIGTSTP);
    return CC_NORM;
}

/* ---------- completion: slash commands as the first word, else file paths */
static char *cmd_gen(const char *text, int state) {
    static int idx;
    static size_t len;
    if (!state) { idx = 0; len = strlen(text); }
    while (idx < g_ncmds) {
        const char *c = g_cmds[idx++];
        if (strncmp(c, text, len) == 0) return strdup(c);
    }
    return NULL;
}

static char *file_gen(const char *text, int state) {
    char *m = fn_filename_completion_function(text, state);
    if (m && *m) {
        char *path = m[0] == '~' ? fn_tilde_expand(m) : m;
        struct stat sb;
        int isdir = path && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
        if (path != m) free(path);
        size_t l = strlen(m);
        if (isdir && m[l - 1] != '/') {
            char *n = realloc(m, l + 2);
            if (n) { n[l] = '/'; n[l + 1] = 0; m = n; }
        }
    }
    return m;
}

static char **complete(const char *text, int start, int end) {
    (void)end;
    const LineInfoW *li = el_wline(g_el);
    int i = 0;
    while (i < start && li->buffer[i] == L' ') i++;
    /* the first word: a command, also from nothing (Tab on an empty prompt lists them) */
    if (i == start && (text[0] == '/' || text[0] == '\0') && g_ncmds > 0)
        return completion_matches(text, cmd_gen);
    return completion_matches(text, file_gen);
}

/* What follows a single match: nothing after a directory, else a space. */
static const char *append_fn(const char *match) {
    size_t l = strlen(match);
    return l > 0 && match[l - 1] == '/' ? "" : " ";
}

static unsigned char complete_fn(EditLine *el, int ch) {
    (void)ch;
    int type = 0, over = 0;
    /* Quoted: a space in a path is typed and completed as "\ ", as in a shell. */
    return (unsigned char)fn_complete2(el, NULL, complete, L" \t\n\"\\'`@$><=;|&{(", NULL, append_fn,
        1000000 /* never ask "Display all N?" (it reads stdin) */, &type, &over, NULL, NULL, WSC_FN_QUOTE_MATCH);
}

void wsc_le_add_command(const char *cmd) {
    char **n = realloc(g_cmds, sizeof(char *) * (size_t)(g_ncmds + 1));
    if (!n) return;
    g_cmds = n;
    g_cmds[g_ncmds++] = strdup(cmd);
}

/* ---------- the terminal, restored whichever way the process ends
 * A crash (SIGABRT from malloc, SIGILL from a Swift trap, SIGSEGV, …) used to leave
 * the terminal raw and the rest of a paste running in the shell. These handlers
 * put the saved termios back (tcsetattr is async-signal-safe), hand the signal to
 * whoever had it before (Swift's backtracer), then take its default action. */
static struct termios g_crash_tio;
static volatile sig_atomic_t g_crash_tio_valid;
static const int g_crash_signals[] = { SIGABRT, SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP, SIGSYS, SIGQUIT };
#define WSC_NCRASH ((int)(sizeof g_crash_signals / sizeof g_crash_signals[0]))
static struct sigaction g_crash_previous[WSC_NCRASH];

static void crash_handler(int sig, siginfo_t *info, void *context) {
    if (g_crash_tio_valid) tcsetattr(STDIN_FILENO, TCSANOW, &g_crash_tio);
    for (int i = 0; i < WSC_NCRASH; i++) {
        if (g_crash_signals[i] != sig) continue;
        struct sigaction *prev = &g_crash_previous[i];
        if ((prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction) {
            prev->sa_sigaction(sig, info, context);
        } else if (!(prev->sa_flags & SA_SIGINFO) && prev->sa_handler == SIG_IGN) {
            return;
        } else if (!(prev->sa_flags & SA_SIGINFO) && prev->sa_handler != SIG_DFL) {
            prev->sa_handler(sig);
        }
        /* Then the default action (a core dump, the status the signal gives), also when
         * the handler before returned, as one does for a signal sent with kill(2). */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
}

static void atexit_restore(void) {
    if (g_crash_tio_valid) tcsetattr(STDIN_FILENO, TCSANOW, &g_crash_tio);
}

static void crash_guard_install(const struct termios *tio) {
    static int installed;
    g_crash_tio = *tio;
    g_crash_tio_valid = 1;
    if (installed) return;
    installed = 1;
    atexit(atexit_restore);
    for (int i = 0; i < WSC_NCRASH; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = crash_handler;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        sigaction(g_crash_signals[i], &sa, &g_crash_previous[i]);
    }
}

/* ---------- lifecycle */
int wsc_le_init(const char *prompt, const char *history_path, int history_max) {
    if (g_inited) return 0;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) return -1;
    if (le_load() != 0) return -2;

    const char *loc = setlocale(LC_CTYPE, "");
    if (!loc || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0)
        if (!setlocale(LC_CTYPE, "C.UTF-8")) setlocale(LC_CTYPE, "C.utf8");

    setvbuf(stdout, g_outbuf, _IOFBF, sizeof g_outbuf);
    if (tcgetattr(STDIN_FILENO, &g_saved_tio) == 0) {
        g_have_tio = 1;
        crash_guard_install(&g_saved_tio);
    }

    g_prompt = strdup(prompt ? prompt : "> ");
    g_el = el_init("wsc", stdin, stdout, stderr);
    g_hist = history_init();
    if (!g_el || !g_hist) {
        snprintf(g_load_error, sizeof g_load_error, "libedit could not start");
        return -2;
    }
    HistEvent ev;
    g_hist_max = history_max > 0 ? history_max : INT_MAX;
    history(g_hist, &ev, H_SETSIZE, g_hist_max);
    el_set(g_el, EL_HIST, history, g_hist);
    el_set(g_el, EL_SIGNAL, 0);                /* the app handles signals */
    el_set(g_el, EL_EDITOR, "emacs");
    el_set(g_el, EL_PROMPT, prompt_fn);
    el_set(g_el, EL_GETCFN, key_getc);
    el_set(g_el, EL_ADDFN, "wsc-complete", "complete a command or a file path", complete_fn);
    el_set(g_el, EL_BIND, "^I", "wsc-complete", NULL);
    el_set(g_el, EL_ADDFN, "wsc-tstp", "suspend", tstp_fn);
    el_set(g_el, EL_BIND, "^Z", "wsc-tstp", NULL);
    /* The keys the readline layer bound, which users of it know. */
    el_set(g_el, EL_BIND, "^R", "em-inc-search-prev", NULL);
    el_set(g_el, EL_BIND, "\\e[1~", "ed-move-to-beg", NULL);
    el_set(g_el, EL_BIND, "\\e[4~", "ed-move-to-end", NULL);
    el_set(g_el, EL_BIND, "\\e[7~", "ed-move-to-beg", NULL);
    el_set(g_el, EL_BIND, "\\e[8~", "ed-move-to-end", NULL);
    el_set(g_el, EL_BIND, "\\e[H", "ed-move-to-beg", NULL);
    el_set(g_el, EL_BIND, "\\e[F", "ed-move-to-end", NULL);
    el_set(g_el, EL_BIND, "\\e[3~", "ed-delete-next-char", NULL);
    el_set(g_el, EL_BIND, "\\e[2~", "ed-quoted-insert", NULL);
    el_set(g_el, EL_BIND, "\\e[1;5C", "em-next-word", NULL);
    el_set(g_el, EL_BIND, "\\e[1;5D", "ed-prev-word", NULL);
    el_set(g_el, EL_BIND, "\\e[5C", "em-next-word", NULL);
    el_set(g_el, EL_BIND, "\\e[5D", "ed-prev-word", NULL);
    el_set(g_el, EL_BIND, "\\e\\e[C", "em-next-word", NULL);
    el_set(g_el, EL_BIND, "\\e\\e[D", "ed-prev-word", NULL);
    el_source(g_el, NULL);                     /* ~/.editrc */
    /* M-x (ed-command) opens a blocking ":" prompt and loses the typed line. */
    el_set(g_el, EL_BIND, "^[x", "ed-unassigned", NULL);

    if (history_path) {
        g_hist_path = strdup(history_path);
        history(g_hist, &ev, H_LOAD, g_hist_path);
    }
    install();
    fflush(stdout);
    g_inited = 1;
    return 0;
}

void wsc_le_shutdown(void) {
    if (!g_inited) return;
    g_inited = 0;
    erase_edit_area();
    if (g_installed) uninstall();
    fflush(stdout);
    if (g_have_tio) tcsetattr(STDIN_FILENO, TCSADRAIN, &g_saved_tio);
    wsc_le_history_save();
}

void wsc_le_resume(void) {
    if (!g_inited || g_installed) return;
    erase_edit_area();
    install();
    fflush(stdout);
}

/* ---------- input */

/* One libedit command (a key, or a key sequence) from the queue. */
static int step(void) {
    int count = 0;
    const wchar_t *buf = el_wgets(g_el, &count);
    if (!buf || count <= 0) return WSC_LE_NONE;
    if (count == 1 && buf[0] == ('D' & 037)) {
        /* Ctrl-D on an empty line ("> " still on screen, cursor after it) */
        uninstall();
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
    uninstall();
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
    erase_edit_area();                        /* what is on screen is the line before */
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
            if (dirty) { redraw(); dirty = 0; }   /* libedit's commands start from what is on screen */
            event = step();
            if (event != WSC_LE_NONE || !g_installed) goto done;
            if (g_in_start == g_in_end) in_fill(0);
        }
        /* A paste arrives in pieces: while text is coming, take the next piece if it comes
         * within a moment, and draw once at the end (a quarter of a second at most, so that
         * output and signals are not held back by a terminal that never stops sending). */
        if (!dirty || elapsed_ms(&start) > 250 || !readable_within(5) || in_fill(0) <= 0) break;
    }
    if (dirty) redraw();
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
    if (event == WSC_LE_LINE) install();      /* the next line: raw mode, the prompt */
    fflush(stdout);
    return event;
}

int wsc_le_has_pending_input(void) { return g_installed && g_in_start < g_in_end; }

const char *wsc_le_line(void) { return g_line ? g_line : ""; }

/* ---------- output */
void wsc_le_print_above(const char *text, size_t len) {
    if (!text || !len) return;
    erase_edit_area();
    fwrite(text, 1, len, stdout);
    if (text[len - 1] != '\n') fputc('\n', stdout);
    if (g_installed) redraw();
    fflush(stdout);
}

int wsc_le_line_is_empty(void) {
    if (!g_el || !g_installed) return 1;
    const LineInfoW *li = el_wline(g_el);
    return li->lastchar == li->buffer;
}

void wsc_le_clear_line(void) {
    if (!g_installed) return;
    /* remove + reinstall: ch_reset() empties the buffer */
    erase_edit_area();
    uninstall();
    install();
    fflush(stdout);
}

/* ---------- history
 * Each session appends the lines it added to what the file has then, as bash's
 * histappend does: two prompts open at once both keep their lines. */
void wsc_le_history_add(const char *line) {
    if (!g_inited) return;
    HistEvent ev;
    history(g_hist, &ev, H_ENTER, line);
    char **n = realloc(g_hist_new, sizeof(char *) * (size_t)(g_hist_nnew + 1));
    if (!n) return;
    g_hist_new = n;
    g_hist_new[g_hist_nnew++] = strdup(line);
}

int wsc_le_history_save(void) {
    if (!g_hist_path || g_hist_nnew == 0) return 0;
    HistEvent ev;
    History *merged = history_init();
    if (!merged) return -1;
    history(merged, &ev, H_SETSIZE, g_hist_max);
    history(merged, &ev, H_LOAD, g_hist_path);
    for (int i = 0; i < g_hist_nnew; i++)
        if (g_hist_new[i]) history(merged, &ev, H_ENTER, g_hist_new[i]);
    int rv = history(merged, &ev, H_SAVE, g_hist_path) < 0 ? -1 : 0;
    history_end(merged);
    for (int i = 0; i < g_hist_nnew; i++) free(g_hist_new[i]);
    g_hist_nnew = 0;
    return rv;
}

/* ---------- job control / resize */
void wsc_le_suspend(void) {
    int had = g_installed;
    if (had) {
        erase_edit_area();
        el_set(g_el, EL_PREP_TERM, 0);         /* cooked; the line stays in libedit */
    }
    fflush(stdout);
    if (g_have_tio) tcsetattr(STDIN_FILENO, TCSADRAIN, &g_saved_tio);
    raise(SIGSTOP);
    /* continued */
    if (had) {
        el_set(g_el, EL_PREP_TERM, 1);
        el_resize(g_el);
        redraw();
        fflush(stdout);
    }
}

void wsc_le_resize(void) {
    if (!g_inited) return;
    el_resize(g_el);               /* re-reads the window size */
    if (g_installed) {
        erase_edit_area();         /* uses the new width */
        redraw();
        fflush(stdout);
    }
}
