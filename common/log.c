/* log.c — see log.h. Thread-safe: each message is formatted into a local
 * buffer and written with one call. Every message is escaped as a whole
 * (sb_log_escape) before it leaves: names, error texts and the like come
 * from the tenant or from any local client, and a newline in them must not
 * forge a second log line, nor a terminal escape reach an admin's screen. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

static enum sb_log_target log_target = SB_LOG_STDERR;
static int log_level = LOG_INFO;
static const char *log_ident = "scimbridge";
static bool log_stamps;

void sb_log_init(const char *ident, enum sb_log_target target, int facility)
{
	log_ident = ident;
	log_target = target;
	if (target == SB_LOG_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void sb_log_timestamps(bool on)
{
	log_stamps = on;
}

/* "2026-11-29T16:50:01.123Z " (UTC, milliseconds), or "" */
static void stamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	buf[0] = '\0';
	if (!log_stamps)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ldZ ", ts.tv_nsec / 1000000);
}

void sb_log_set_level(int level)
{
	log_level = level;
}

static const char *prio_name(int prio)
{
	switch (prio) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

size_t sb_log_escape(const char *in, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (size == 0)
		return 0;
	for (; in && *in; in++) {
		unsigned char c = (unsigned char)*in;
		char e[4];
		size_t len = 1;

		if (c == '\\') {
			e[0] = '\\', e[1] = '\\', len = 2;
		} else if (c < 0x20 || c >= 0x7f) {
			e[0] = '\\', e[1] = 'x', e[2] = hex[c >> 4], e[3] = hex[c & 15], len = 4;
		} else {
			e[0] = (char)c;
		}
		if (n + len >= size) /* never half an escape */
			break;
		memcpy(out + n, e, len);
		n += len;
	}
	out[n] = '\0';
	return n;
}

void sb_log(int prio, const char *fmt, ...)
{
	char raw[2048], buf[2048];
	va_list ap;
	int n;

	if (prio > log_level || log_target == SB_LOG_NONE)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	sb_log_escape(raw, buf, sizeof(buf));
	if (log_target == SB_LOG_SYSLOG) {
		syslog(prio, "%s", buf);
		return;
	}
	{
		char line[2240], ts[40];

		stamp(ts, sizeof(ts));
		n = snprintf(line, sizeof(line), "%s%s: %s: %s\n", ts, log_ident, prio_name(prio),
			     buf);
		if (n > 0 && write(STDERR_FILENO, line, strnlen(line, sizeof(line))) < 0)
			return;
	}
}
