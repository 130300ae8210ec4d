#define _GNU_SOURCE
#include "CLibEdit.h"

#include <editline/readline.h>
#include <errno.h>
#include <limits.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include <dlfcn.h>

/* ---------- libedit, opened on first use
 * Only the prompt needs libedit: it is dlopen()ed by wsc_le_init(), so a run in
 * a pipe never maps it (nor libtinfo, libbsd and libmd behind it), and starts
 * sooner. Every name of it used below goes through this table: the macros after
 * it make `rl_point` mean libedit's own variable, `rl_initialize()` its function. */
#define WSC_LE_SYMBOLS(X) \
    X(rl_point) \
    X(rl_end) \
    X(rl_line_buffer) \
    X(rl_prompt) \
    X(rl_readline_name) \
    X(rl_catch_signals) \
    X(rl_catch_sigwinch) \
    X(rl_attempted_completion_function) \
    X(rl_attempted_completion_over) \
    X(rl_completion_append_character) \
    X(rl_completion_query_items) \
    X(rl_initialize) \
    X(rl_parse_and_bind) \
    X(rl_callback_handler_install) \
    X(rl_callback_handler_remove) \
    X(rl_callback_read_char) \
    X(rl_forced_update_display) \
    X(rl_get_previous_history) \
    X(rl_insert_text) \
    X(rl_delete_text) \
    X(rl_copy_text) \
    X(rl_resize_terminal) \
    X(rl_get_screen_size) \
    X(rl_completion_matches) \
    X(rl_filename_completion_function) \
    X(tilde_expand) \
    X(add_history) \
    X(read_history) \
    X(write_history) \
    X(stifle_history)

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

#define rl_point (*le.rl_point)
#define rl_end (*le.rl_end)
#define rl_line_buffer (*le.rl_line_buffer)
#define rl_prompt (*le.rl_prompt)
#define rl_readline_name (*le.rl_readline_name)
#define rl_catch_signals (*le.rl_catch_signals)
#define rl_catch_sigwinch (*le.rl_catch_sigwinch)
#define rl_attempted_completion_function (*le.rl_attempted_completion_function)
#define rl_attempted_completion_over (*le.rl_attempted_completion_over)
#define rl_completion_append_character (*le.rl_completion_append_character)
#define rl_completion_query_items (*le.rl_completion_query_items)
#define rl_initialize (*le.rl_initialize)
#define rl_parse_and_bind (*le.rl_parse_and_bind)
#define rl_callback_handler_install (*le.rl_callback_handler_install)
#define rl_callback_handler_remove (*le.rl_callback_handler_remove)
#define rl_callback_read_char (*le.rl_callback_read_char)
#define rl_forced_update_display (*le.rl_forced_update_display)
#define rl_get_previous_history (*le.rl_get_previous_history)
#define rl_insert_text (*le.rl_insert_text)
#define rl_delete_text (*le.rl_delete_text)
#define rl_copy_text (*le.rl_copy_text)
#define rl_resize_terminal (*le.rl_resize_terminal)
#define rl_get_screen_size (*le.rl_get_screen_size)
#define rl_completion_matches (*le.rl_completion_matches)
#define rl_filename_completion_function (*le.rl_filename_completion_function)
#define tilde_expand (*le.tilde_expand)
#define add_history (*le.add_history)
#define read_history (*le.read_history)
#define write_history (*le.write_history)
#define stifle_history (*le.stifle_history)

static char *g_prompt;
static char *g_hist_path;
static int g_inited;
static int g_installed;     /* handler installed: raw mode, libedit owns the line */
static int g_drawn;         /* prompt (+ line) is on screen, cursor inside it */
static int g_event;
static char *g_line;
static struct termios g_saved_tio;
static int g_have_tio;
static char **g_cmds;
static int g_ncmds;
static int g_clear_method = WSC_LE_CLEAR_REINSTALL;
static char g_outbuf[1 << 16];

/* ---------- rl_line_buffer: a sink, never read
 * libedit's readline layer ends every key with `rl_line_buffer[rl_end] = '\0'`
 * (readline.c, _rl_update_pos), through a pointer it refreshes only when its wide
 * line buffer grows, while the narrow copy that pointer points into is realloc'ed
 * by el_gets() every 1 KiB of growth. Past a few KB of typing or pasting, the
 * write lands in freed memory: a paste of 6 KB aborted with "malloc(): invalid
 * next size". libedit itself never reads rl_line_buffer, so before every call that
 * can end in that write we point it at a sink of our own that any int offset fits
 * in: 2 GiB + 1 of address space, reserved without memory, of which only the pages
 * written take any (released after each line). The line's text is read with
 * rl_copy_text() instead. */
static char *g_sink;
static size_t g_sink_size;
static size_t g_sink_used;    /* offsets written since the last release, as a bound */

static int sink_open(void) {
    if (g_sink) return 0;
    size_t size = (size_t)INT_MAX + 2;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        snprintf(g_load_error, sizeof g_load_error, "cannot reserve the line editor's buffer: %s", strerror(errno));
        return -1;
    }
    g_sink = p;
    g_sink_size = size;
    return 0;
}

/* Before a call that may end in _rl_update_pos(). */
static void sink_aim(void) {
    rl_line_buffer = g_sink;
    if (rl_end > 0 && (size_t)rl_end + 1 > g_sink_used) g_sink_used = (size_t)rl_end + 1;
}

/* After a line: the pages written go back. */
static void sink_release(void) {
    if (rl_end > 0 && (size_t)rl_end + 1 > g_sink_used) g_sink_used = (size_t)rl_end + 1;
    if (g_sink && g_sink_used > 0) {
        long page = sysconf(_SC_PAGESIZE);
        size_t len = (g_sink_used + (size_t)page - 1) / (size_t)page * (size_t)page;
        madvise(g_sink, len, MADV_DONTNEED);
    }
    g_sink_used = 0;
}

/* The line's bytes [0, n), n clamped to the line (malloc'ed; "" on failure). */
static char *line_copy(int n) {
    if (n > rl_end) n = rl_end;
    if (n < 0) n = 0;
    char *t = n > 0 ? rl_copy_text(0, n) : NULL;
    return t ? t : strdup("");
}

/* ---------- the terminal, restored whichever way the process ends
 * A crash (SIGABRT from malloc, SIGILL from a Swift trap, SIGSEGV, …) used to leave
 * the terminal raw and the rest of a paste running in the shell. These handlers
 * put the saved termios back (tcsetattr is async-signal-safe), then hand the
 * signal to whoever had it before (Swift's backtracer, or the default action). */
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
    if (g_loaded <= 0) return 0;
    struct geo g = {0, 0, 80, 24};
    int rows = 0, cols = 0;
    rl_get_screen_size(&rows, &cols);
    if (cols > 0) g.cols = cols;
    if (rows > 0) g.rows = rows;
    mbstate_t st;
    wchar_t wc;
    /* prompt: characters between two RL_PROMPT_START_IGNORE ('\1') are zero-width */
    const char *p = rl_prompt ? rl_prompt : "";
    size_t plen = strlen(p);
    int ignore = 0;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < plen;) {
        if (p[i] == RL_PROMPT_START_IGNORE) { ignore = !ignore; i++; continue; }
        size_t n = mbrtowc(&wc, p + i, plen - i, &st);
        if (n == (size_t)-1 || n == (size_t)-2) { memset(&st, 0, sizeof st); wc = (unsigned char)p[i]; n = 1; }
        if (n == 0) n = 1;
        if (!ignore) geo_put(&g, wcwidth(wc));
        i += n;
    }
    /* typed text up to the cursor, and the character under it (rl_point is a byte offset) */
    char *b = line_copy(rl_point + 8);
    size_t blen = strlen(b), pt = (size_t)(rl_point > 0 ? rl_point : 0);
    if (pt > blen) pt = blen;
    memset(&st, 0, sizeof st);
    size_t i = 0;
    while (i < pt) {
        size_t n = mbrtowc(&wc, b + i, blen - i, &st);
        if (n == (size_t)-1 || n == (size_t)-2) { memset(&st, 0, sizeof st); wc = (unsigned char)b[i]; n = 1; }
        if (n == 0) n = 1;
        geo_addc(&g, wc);
        i += n;
    }
    /* libedit moves the cursor to the next row if the char under it is wide and does not fit */
    if (i < blen) {
        size_t n = mbrtowc(&wc, b + i, blen - i, &st);
        if (n != (size_t)-1 && n != (size_t)-2 && wcwidth(wc) > 1 && g.h + wcwidth(wc) > g.cols && g.v + 1 < g.rows)
            g.v++;
    }
    free(b);
    return g.v;
}

int wsc_le_point(void) { return g_loaded > 0 ? rl_point : 0; }
int wsc_le_end(void) { return g_loaded > 0 ? rl_end : 0; }

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

/* ---------- line handler */
static void on_line(char *line) {
    /* libedit has already left unbuffered (raw) mode before calling us. */
    g_installed = 0;
    if (line) {
        free(g_line);
        g_line = line;
        g_event = WSC_LE_LINE;
        g_drawn = 0;            /* libedit moved below the line (ed-newline) */
    } else {
        g_event = WSC_LE_EOF;   /* "> " still on screen, cursor after it */
    }
}

static void install(void) {
    rl_callback_handler_install(g_prompt, on_line);   /* raw mode + draws the prompt */
    g_installed = 1;
    g_drawn = 1;
    rl_point = rl_end = 0;     /* libedit does not refresh these until the next key */
}

/* ---------- completion */
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
    char *m = rl_filename_completion_function(text, state);
    if (m && *m) {
        char *path = m[0] == '~' ? tilde_expand(m) : m;
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
    rl_attempted_completion_over = 1;   /* never fall back to libedit's default */
    char *before = line_copy(start);
    int i = 0;
    while (i < start && before[i] == ' ') i++;
    int first_word = before[i] == '\0';
    free(before);
    if (first_word && text[0] == '/' && g_ncmds > 0) {
        rl_completion_append_character = ' ';
        return rl_completion_matches(text, cmd_gen);
    }
    char **m = rl_completion_matches(text, file_gen);
    rl_completion_append_character = ' ';
    if (m && m[1] && !m[2] && m[0][0] && m[0][strlen(m[0]) - 1] == '/')   /* single match: m[0] == m[1] */
        rl_completion_append_character = '\0';   /* directory: no space after the '/' */
    return m;
}

void wsc_le_add_command(const char *cmd) {
    char **n = realloc(g_cmds, sizeof(char *) * (size_t)(g_ncmds + 1));
    if (!n) return;
    g_cmds = n;
    g_cmds[g_ncmds++] = strdup(cmd);
}

/* ---------- lifecycle */
int wsc_le_init(const char *prompt, const char *history_path, int history_max) {
    if (g_inited) return 0;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) return -1;
    if (le_load() != 0 || sink_open() != 0) return -2;

    const char *loc = setlocale(LC_CTYPE, "");
    if (!loc || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0)
        if (!setlocale(LC_CTYPE, "C.UTF-8")) setlocale(LC_CTYPE, "C.utf8");

    setvbuf(stdout, g_outbuf, _IOFBF, sizeof g_outbuf);
    if (tcgetattr(STDIN_FILENO, &g_saved_tio) == 0) {
        g_have_tio = 1;
        crash_guard_install(&g_saved_tio);
    }

    g_prompt = strdup(prompt ? prompt : "> ");
    rl_readline_name = "wsc";
    rl_catch_signals = 0;          /* must be set before rl_initialize() */
    rl_catch_sigwinch = 0;
    rl_attempted_completion_function = complete;
    rl_completion_query_items = 1000000;  /* never ask "Display all N?" (it getc()s stdin) */
    rl_initialize();
    /* M-x (ed-command) opens a blocking ":" prompt inside rl_callback_read_char()
     * and loses the typed line: neutralize it. */
    rl_parse_and_bind("bind ^[x ed-unassigned");

    if (history_max > 0) stifle_history(history_max);
    if (history_path) {
        g_hist_path = strdup(history_path);
        read_history(g_hist_path);
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
    if (g_installed) { rl_callback_handler_remove(); g_installed = 0; }
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
int wsc_le_on_readable(void) {
    struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
    int avail = 0;
    if (poll(&p, 1, 0) < 0) return WSC_LE_NONE;
    if (ioctl(STDIN_FILENO, FIONREAD, &avail) < 0) avail = 0;   /* EIO after hang-up */
    if ((p.revents & (POLLHUP | POLLERR | POLLNVAL)) && avail == 0) return WSC_LE_HANGUP;
    if (!g_installed) return WSC_LE_NONE;
    if (!(p.revents & POLLIN) || avail == 0) return WSC_LE_NONE;

    g_event = WSC_LE_NONE;
    do {
        sink_aim();
        rl_callback_read_char();     /* reads one key (sequence) */
        if (g_event != WSC_LE_NONE || !g_installed) break;
        avail = 0;
        if (ioctl(STDIN_FILENO, FIONREAD, &avail) < 0) avail = 0;
    } while (avail > 0);

    if (g_event == WSC_LE_LINE) {
        sink_release();
        install();                   /* trap 3: reinstall after every line */
    }
    fflush(stdout);
    return g_event;
}

const char *wsc_le_line(void) { return g_line ? g_line : ""; }

/* ---------- output */
void wsc_le_print_above(const char *text, size_t len) {
    if (!text || !len) return;
    erase_edit_area();
    fwrite(text, 1, len, stdout);
    if (text[len - 1] != '\n') fputc('\n', stdout);
    if (g_installed) {
        rl_forced_update_display();   /* el_set(EL_REFRESH): assumes cursor at col 0 of prompt row */
        g_drawn = 1;
    }
    fflush(stdout);
}

int wsc_le_line_is_empty(void) { return g_loaded > 0 ? rl_end <= 0 : 1; }

void wsc_le_set_clear_method(int m) { g_clear_method = m; }

void wsc_le_clear_line(void) {
    if (!g_installed) return;
    switch (g_clear_method) {
    case WSC_LE_CLEAR_DELETE:       /* trap: does nothing for [0, rl_end) */
        erase_edit_area();
        rl_delete_text(0, rl_end);
        rl_point = 0;
        rl_forced_update_display();
        g_drawn = 1;
        break;
    case WSC_LE_CLEAR_KILLKEY:      /* let libedit run em-kill-line itself */
        rl_get_previous_history(1, 'U' & 037);   /* = el_push("\025") */
        sink_aim();
        rl_callback_read_char();                 /* consumes the pushed key, no read(2) */
        break;
    default:                        /* remove + reinstall: ch_reset() empties the buffer */
        erase_edit_area();
        rl_callback_handler_remove();
        install();
        break;
    }
    fflush(stdout);
}

/* ---------- history */
void wsc_le_history_add(const char *line) {
    if (g_inited) add_history(line);
}

int wsc_le_history_save(void) {
    if (!g_hist_path) return 0;
    return write_history(g_hist_path);
}

/* ---------- job control / resize */
void wsc_le_suspend(void) {
    char *saved = NULL;
    int back = 0, had = g_installed;
    if (had) {
        if (rl_end > 0) {
            saved = line_copy(rl_end);
            size_t end = strlen(saved);
            /* characters between the cursor and the end, to move back after restore */
            mbstate_t st; memset(&st, 0, sizeof st);
            for (size_t i = (size_t)rl_point; i < end;) {
                size_t n = mbrlen(saved + i, end - i, &st);
                if (n == 0 || n == (size_t)-1 || n == (size_t)-2) n = 1;
                i += n; back++;
            }
        }
        erase_edit_area();
        rl_callback_handler_remove();
        g_installed = 0;
    }
    fflush(stdout);
    if (g_have_tio) tcsetattr(STDIN_FILENO, TCSADRAIN, &g_saved_tio);
    raise(SIGSTOP);
    /* continued */
    if (had) {
        install();
        if (saved) {
            erase_edit_area();
            rl_insert_text(saved);
            rl_point = rl_end = (int)strlen(saved);
            rl_forced_update_display();
            g_drawn = 1;
            if (back > 0) {
                rl_get_previous_history(back, 'B' & 037);      /* push ^B x back */
                for (int k = 0; k < back; k++) {
                    sink_aim();
                    rl_callback_read_char();
                }
            }
        }
        fflush(stdout);
    }
    free(saved);
}

void wsc_le_resize(void) {
    if (!g_inited) return;
    rl_resize_terminal();          /* el_resize(): re-reads the window size */
    if (g_installed) {
        erase_edit_area();         /* uses the new width */
        rl_forced_update_display();
        g_drawn = 1;
        fflush(stdout);
    }
}
