/* wsc line-editor shim over libedit's native API in unbuffered mode.
 * All functions are plain, non-variadic, and must be called from ONE thread
 * (the main thread / main actor). No function here blocks, except
 * wsc_le_on_readable() while libedit finishes reading a multi-byte key
 * sequence that has only partly arrived (see notes: lone Esc), and
 * wsc_le_suspend() which stops the process until SIGCONT. */
#ifndef WSC_LE_SHIM_H
#define WSC_LE_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    WSC_LE_NONE = 0,    /* keys consumed, nothing for the app */
    WSC_LE_LINE = 1,    /* a line was submitted: get it with wsc_le_line() */
    WSC_LE_EOF = 2,     /* Ctrl-D on an empty line */
    WSC_LE_HANGUP = 3   /* terminal gone (POLLHUP/POLLERR, nothing to read) */
};

/* 0: ok. -1: stdin or stdout is not a terminal (use a plain reader instead).
 * -2: libedit could not be loaded (it is opened here, not at start):
 * wsc_le_load_error() says why.
 * Sets the locale (LC_CTYPE "" with C.UTF-8 fallback), saves the termios of
 * fd 0, turns off libedit's signal handling, sets up completion, stifles and
 * loads history (history_path may be NULL, history_max <= 0: unlimited),
 * makes stdout fully buffered and draws the prompt. */
int wsc_le_init(const char *prompt, const char *history_path, int history_max);

/* Why wsc_le_init() returned -2 (dlopen's or dlsym's words); "" before that. */
const char *wsc_le_load_error(void);

/* Idempotent tear-down: erases the prompt area, removes the handler, restores
 * the termios saved by init, writes the history file, flushes stdout. */
void wsc_le_shutdown(void);

/* Call when fd 0 is readable. Returns a WSC_LE_* event. After WSC_LE_LINE
 * the prompt has already been redrawn (handler reinstalled). After
 * WSC_LE_EOF the terminal is cooked and no prompt is shown: the app is
 * expected to shut down (or call wsc_le_resume()). */
int wsc_le_on_readable(void);

/* Whether keys read from the terminal still wait to be handled (the rest of a
 * paste after a line ended): call wsc_le_on_readable() again, fd 0 may not be
 * readable any more. */
int wsc_le_has_pending_input(void);

/* The last submitted line (UTF-8, no newline); valid until the next
 * wsc_le_on_readable(). */
const char *wsc_le_line(void);

/* Reinstall the prompt after WSC_LE_EOF if the app does not want to quit. */
void wsc_le_resume(void);

/* Print text (one or more '\n'-separated lines; a final '\n' is added if
 * missing) above the prompt, then redraw prompt + typed text with the
 * cursor where it was. One call = one redraw, whatever the number of lines. */
void wsc_le_print_above(const char *text, size_t len);

/* Ctrl-C: empty libedit's buffer and the displayed line. */
void wsc_le_clear_line(void);
int wsc_le_line_is_empty(void);

/* History: the app decides what to add (e.g. not lines starting with ' ').
 * Saving appends this session's lines to what the file holds by then (capped at
 * history_max), so that prompts open at once do not overwrite each other's. */
void wsc_le_history_add(const char *line);
int wsc_le_history_save(void);     /* 0 ok, else -1 */

/* Completion: commands offered when the first word starts with '/'. */
void wsc_le_add_command(const char *cmd);

/* SIGTSTP (app-handled): cooked terminal, SIGSTOP self; on return (after fg /
 * SIGCONT) raw again and the prompt and line (kept in libedit) redrawn. */
void wsc_le_suspend(void);

/* SIGWINCH (app-handled; libedit does not see it with signals off). */
void wsc_le_resize(void);

/* Diagnostics for tests. */
int wsc_le_cursor_row(void);
int wsc_le_point(void);
int wsc_le_end(void);

#ifdef __cplusplus
}
#endif
#endif
