/* What the shim's files share: libedit's names (through the table filled in by
 * wsc_le_load), the prompt's state, and the functions one file gives another. */
#ifndef WSC_LE_PRIVATE_H
#define WSC_LE_PRIVATE_H

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

struct wsc_le_table {
#define WSC_LE_FIELD(name) __typeof__(&name) name;
    WSC_LE_SYMBOLS(WSC_LE_FIELD)
#undef WSC_LE_FIELD
};
extern struct wsc_le_table wsc_le;

/* Fills in le from libedit's shared object; 0 on success, else wsc_le_load_error() says why. */
int wsc_le_load(void);
/* Says why the prompt cannot start (load_error's text). */
void wsc_le_set_error(const char *text);

/* libedit's names mean its functions in the table (not in libedit.c, which fills it in). */
#ifndef WSC_LE_FILLING_TABLE
#define el_init (*wsc_le.el_init)
#define el_end (*wsc_le.el_end)
#define el_set (*wsc_le.el_set)
#define el_source (*wsc_le.el_source)
#define el_wgets (*wsc_le.el_wgets)
#define el_line (*wsc_le.el_line)
#define el_wline (*wsc_le.el_wline)
#define el_winsertstr (*wsc_le.el_winsertstr)
#define el_resize (*wsc_le.el_resize)
#define history_init (*wsc_le.history_init)
#define history_end (*wsc_le.history_end)
#define history (*wsc_le.history)
#define fn_complete2 (*wsc_le.fn_complete2)
#define completion_matches (*wsc_le.completion_matches)
#define fn_filename_completion_function (*wsc_le.fn_filename_completion_function)
#define fn_tilde_expand (*wsc_le.fn_tilde_expand)
#endif



/* ---------- the prompt's state (shim.c) */
extern EditLine *g_el;
extern History *g_hist;
extern char *g_prompt;
extern int g_inited;
extern int g_installed;        /* unbuffered (raw) mode: libedit owns the line */
extern int g_drawn;            /* prompt (+ line) is on screen, cursor inside it */

/* Redraws the prompt and the line (the cursor at column 0 of the prompt's row first). */
void wsc_redraw(void);
/* Unbuffered mode: raw terminal, an empty line, the prompt drawn; and back. */
void wsc_install(void);
void wsc_uninstall(void);

/* geometry.c: cursor to column 0 of the prompt's first row, the edit area cleared. */
void wsc_erase_edit_area(void);

/* keys.c: EL_GETCFN, the keys read by the shim. */
int wsc_key_getc(EditLine *el, wchar_t *out);

/* completion.c: the function bound to Tab. */
unsigned char wsc_complete_fn(EditLine *el, int ch);

/* crash.c: the termios put back on a crash or any exit. */
void wsc_crash_guard_install(const struct termios *tio);

/* history.c: the limit set at start (for the file's merge when saving). */
extern int g_hist_max;
extern char *g_hist_path;

#endif
