#include "shim_private.h"

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

void wsc_crash_guard_install(const struct termios *tio) {
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

