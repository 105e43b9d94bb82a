/* err.h — one error record passed down every call chain that can fail, so
 * that the top (CLI, daemon, module) can print what happened and where:
 * the HTTP status, the tenant's message, curl's reason, the file and line. */
#ifndef SB_ERR_H
#define SB_ERR_H

#include <stddef.h>

enum sb_errkind {
	SB_E_NONE = 0,
	SB_E_CONFIG,   /* bad config file, key or value */
	SB_E_IO,       /* open/read/write/rename failed (errno in sys_errno) */
	SB_E_NETWORK,  /* DNS, connect, TLS, timeout: the tenant is unreachable */
	SB_E_AUTH,     /* 401/403 after one token renewal, bad client secret */
	SB_E_HTTP,     /* any other non-2xx answer */
	SB_E_PROTOCOL, /* malformed body: bad JSON, wrong types, lying totals */
	SB_E_NOTFOUND, /* a definite "no such entry" */
	SB_E_FORMAT,   /* a cache file we do not understand */
	SB_E_SECURITY, /* refused for a security reason (secret mode, owner) */
	SB_E_NOMEM,
	SB_E_INTERNAL,
	SB_E_BUSY, /* no capacity here (all live connections in use): not the tenant's fault */
};

struct sb_err {
	enum sb_errkind kind;
	long http_status; /* 0 when no HTTP answer */
	int sys_errno;	  /* 0 when not a system call failure */
	char msg[512];
};

/* Sets kind and a printf-style message; returns -1 so callers can
 * `return sb_err_set(...)`. A NULL err is allowed and ignored. */
int sb_err_set(struct sb_err *err, enum sb_errkind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like sb_err_set, appending ": strerror(errno)" and recording errno. */
int sb_err_sys(struct sb_err *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sb_err_clear(struct sb_err *err);
const char *sb_errkind_name(enum sb_errkind kind);

#endif
