#include "shim_private.h"

/* The prompt on libedit's native API in unbuffered mode: its lifecycle, printing above
 * it, suspend and resize. The keys are in keys.c, completion, history, the crash guard
 * and the cursor's geometry in files of their own. */

EditLine *g_el;
History *g_hist;
char *g_prompt;
int g_inited;
int g_installed;
int g_drawn;
static struct termios g_saved_tio;
static int g_have_tio;
static char g_outbuf[1 << 16];

/* Redraws the prompt and the line, the cursor where it was (el_set EL_REFRESH
 * assumes the cursor at column 0 of the prompt's row). */
void wsc_redraw(void) {
    el_set(g_el, EL_REFRESH);
    g_drawn = 1;
}

/* Unbuffered mode: raw terminal, an empty line, the prompt drawn. */
void wsc_install(void) {
    el_set(g_el, EL_UNBUFFERED, 1);
    g_installed = 1;
    g_drawn = 1;
}

/* Back to a cooked terminal; the line is forgotten when installed again. */
void wsc_uninstall(void) {
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

/* ---------- lifecycle */
int wsc_le_init(const char *prompt, const char *history_path, int history_max) {
    if (g_inited) return 0;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) return -1;
    if (wsc_le_load() != 0) return -2;

    const char *loc = setlocale(LC_CTYPE, "");
    if (!loc || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0)
        if (!setlocale(LC_CTYPE, "C.UTF-8")) setlocale(LC_CTYPE, "C.utf8");

    setvbuf(stdout, g_outbuf, _IOFBF, sizeof g_outbuf);
    if (tcgetattr(STDIN_FILENO, &g_saved_tio) == 0) {
        g_have_tio = 1;
        wsc_crash_guard_install(&g_saved_tio);
    }

    g_prompt = strdup(prompt ? prompt : "> ");
    g_el = el_init("wsc", stdin, stdout, stderr);
    g_hist = history_init();
    if (!g_el || !g_hist) {
        wsc_le_set_error("libedit could not start");
        return -2;
    }
    HistEvent ev;
    g_hist_max = history_max > 0 ? history_max : INT_MAX;
    history(g_hist, &ev, H_SETSIZE, g_hist_max);
    el_set(g_el, EL_HIST, history, g_hist);
    el_set(g_el, EL_SIGNAL, 0);                /* the app handles signals */
    el_set(g_el, EL_EDITOR, "emacs");
    el_set(g_el, EL_PROMPT, prompt_fn);
    el_set(g_el, EL_GETCFN, wsc_key_getc);
    el_set(g_el, EL_ADDFN, "wsc-complete", "complete a command or a file path", wsc_complete_fn);
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
    wsc_install();
    fflush(stdout);
    g_inited = 1;
    return 0;
}

void wsc_le_shutdown(void) {
    if (!g_inited) return;
    g_inited = 0;
    wsc_erase_edit_area();
    if (g_installed) wsc_uninstall();
    fflush(stdout);
    if (g_have_tio) tcsetattr(STDIN_FILENO, TCSADRAIN, &g_saved_tio);
    wsc_le_history_save();
}

void wsc_le_resume(void) {
    if (!g_inited || g_installed) return;
    wsc_erase_edit_area();
    wsc_install();
    fflush(stdout);
}

/* ---------- output */
void wsc_le_print_above(const char *text, size_t len) {
    if (!text || !len) return;
    wsc_erase_edit_area();
    fwrite(text, 1, len, stdout);
    if (text[len - 1] != '\n') fputc('\n', stdout);
    if (g_installed) wsc_redraw();
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
    wsc_erase_edit_area();
    wsc_uninstall();
    wsc_install();
    fflush(stdout);
}

/* ---------- job control / resize */
void wsc_le_suspend(void) {
    int had = g_installed;
    if (had) {
        wsc_erase_edit_area();
        el_set(g_el, EL_PREP_TERM, 0);         /* cooked; the line stays in libedit */
    }
    fflush(stdout);
    if (g_have_tio) tcsetattr(STDIN_FILENO, TCSADRAIN, &g_saved_tio);
    raise(SIGSTOP);
    /* continued */
    if (had) {
        el_set(g_el, EL_PREP_TERM, 1);
        el_resize(g_el);
        wsc_redraw();
        fflush(stdout);
    }
}

void wsc_le_resize(void) {
    if (!g_inited) return;
    el_resize(g_el);               /* re-reads the window size */
    if (g_installed) {
        wsc_erase_edit_area();         /* uses the new width */
        wsc_redraw();
        fflush(stdout);
    }
}
