/* log.c — see log.h. Thread-safe: each message is formatted into a local
 * buffer and written with one call. Every message is escaped as a whole
 * (sb_log_escape) before it leaves: names, error texts and the like come
 * from the tenant or from any local client, and a newline in them must not
 * forge a second log line, nor a terminal escape reach an admin's screen. */
#include "log.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

static enum sb_log_target log_target = SB_LOG_STDERR;
static int log_level = LOG_INFO;
static const char *log_ident = "scimbridge";
static bool log_stamps;
static int log_facility = LOG_USER;

void sb_log_init(const char *ident, enum sb_log_target target, int facility)
{
	log_ident = ident;
	log_target = target;
	log_facility = facility;
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

size_t sb_utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp)
{
	unsigned c = p[0], need;

	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3;
	else
		return 0;
	if (avail <= need)
		return 0;
	for (unsigned k = 1; k <= need; k++)
		if ((p[k] & 0xc0) != 0x80) /* a NUL stops here too */
			return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
		return 0;
	*cp = c & (need == 1 ? 0x1f : need == 2 ? 0x0f : 0x07);
	for (unsigned k = 1; k <= need; k++)
		*cp = *cp << 6 | (p[k] & 0x3f);
	return need + 1;
}

/* Length of the well-formed UTF-8 sequence at p that encodes a printable
 * character, or 0: not C1 (U+0080..U+009F: U+009B is CSI to many
 * terminals), not a line or paragraph separator, not a bidirectional
 * control (U+061C, U+200E/F, U+202A..E, U+2066..9: they reorder what the
 * admin sees), not an invisible one (soft hyphen, zero-width spaces and
 * joiners, U+2060..4, BOM, tag characters: two names that look alike). */
size_t sb_utf8_printable(const unsigned char *p)
{
	uint32_t cp;
	size_t len = sb_utf8_decode(p, SIZE_MAX, &cp);

	if (!len || (cp >= 0x80 && cp <= 0x9f) || cp == 0xad || cp == 0x61c ||
	    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff || (cp >= 0xe0000 && cp <= 0xe007f))
		return 0;
	return len;
}

size_t sb_text_escape(const char *in, char *out, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return 0;
	while (in && *in) {
		size_t len = sb_utf8_printable((const unsigned char *)in);
		char one[2] = {*in, '\0'};

		if (!len) { /* ASCII, or a byte that is not printable UTF-8 */
			char e[8];
			size_t m = sb_log_escape(one, e, sizeof(e));

			if (n + m >= size)
				break;
			memcpy(out + n, e, m);
			n += m;
			in++;
			continue;
		}
		if (n + len >= size)
			break;
		memcpy(out + n, in, len);
		n += len;
		in += len;
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
	if (log_target == SB_LOG_HOST) {
		syslog(log_facility | prio, "%s: %s", log_ident, buf);
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
