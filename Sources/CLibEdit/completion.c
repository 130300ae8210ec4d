#include "shim_private.h"

static char **g_cmds;
static int g_ncmds;

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

unsigned char wsc_complete_fn(EditLine *el, int ch) {
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

