#include "shim_private.h"

char *g_hist_path;
int g_hist_max;
static char **g_hist_new;      /* lines added this session, appended to the file at the end */
static int g_hist_nnew;

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

