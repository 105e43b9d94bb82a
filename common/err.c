/* err.c — the error record shared by every layer (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sb_err_set(struct sb_err *err, enum sb_errkind kind, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->kind = kind;
	err->sys_errno = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int sb_err_sys(struct sb_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err)
		return -1;
	err->kind = SB_E_IO;
	err->sys_errno = errnum;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	if (n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	return -1;
}

void sb_err_clear(struct sb_err *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
}

const char *sb_errkind_name(enum sb_errkind kind)
{
	static const char *const names[] = {
	    [SB_E_NONE] = "ok",
	    [SB_E_CONFIG] = "config",
	    [SB_E_IO] = "io",
	    [SB_E_NETWORK] = "network",
	    [SB_E_AUTH] = "auth",
	    [SB_E_HTTP] = "http",
	    [SB_E_PROTOCOL] = "protocol",
	    [SB_E_NOTFOUND] = "not-found",
	    [SB_E_FORMAT] = "format",
	    [SB_E_SECURITY] = "security",
	    [SB_E_NOMEM] = "no-memory",
	    [SB_E_INTERNAL] = "internal",
	    [SB_E_BUSY] = "busy",
	};

	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]) || !names[kind])
		return "unknown";
	return names[kind];
}
