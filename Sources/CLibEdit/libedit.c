#define WSC_LE_FILLING_TABLE
#include "shim_private.h"

/* The table of libedit's functions, filled in when the prompt starts (see
 * shim_private.h): a run in a pipe never maps libedit. */
struct wsc_le_table wsc_le;

static int g_loaded;           /* 1: le is filled in; -1: libedit could not be loaded */
static char g_load_error[256];

int wsc_le_load(void) {
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
    if (!(wsc_le.name = (__typeof__(wsc_le.name))dlsym(h, #name))) { \
        snprintf(g_load_error, sizeof g_load_error, "libedit has no %s", #name); \
        return -1; \
    }
    WSC_LE_SYMBOLS(WSC_LE_LOAD)
#undef WSC_LE_LOAD
    g_loaded = 1;
    return 0;
}

const char *wsc_le_load_error(void) { return g_load_error; }


void wsc_le_set_error(const char *text) { snprintf(g_load_error, sizeof g_load_error, "%s", text); }
