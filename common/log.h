/* log.h — logging for the daemon and CLI (stderr or syslog/journald) and,
 * quietly, for the modules (syslog only, never stderr: the module runs
 * inside other programs whose stderr is not ours). */
#ifndef SB_LOG_H
#define SB_LOG_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

/* SB_LOG_HOST: syslog through the host program's own openlog (a PAM module
 * must not change sshd's ident): each line starts "ident: " and goes to the
 * facility given to sb_log_init. */
enum sb_log_target { SB_LOG_STDERR, SB_LOG_SYSLOG, SB_LOG_NONE, SB_LOG_HOST };

/* ident is the syslog ident; facility e.g. LOG_DAEMON, LOG_AUTHPRIV. */
void sb_log_init(const char *ident, enum sb_log_target target, int facility);
/* stderr lines start with an ISO 8601 UTC time (the daemon in the
 * foreground; the CLI's lines are read by a person at once). */
void sb_log_timestamps(bool on);
/* Messages above this level (LOG_DEBUG > LOG_INFO) are dropped. Default LOG_INFO. */
void sb_log_set_level(int level);
/* Logs one line. The formatted message is escaped (sb_log_escape) first, so
 * tenant or client text in it cannot forge lines: callers need not escape. */
void sb_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies `in` to `out` (size bytes, always NUL-terminated when size > 0)
 * with control characters, DEL and every byte >= 0x80 as \xNN and '\' as
 * "\\", so the result is one line of printable ASCII that reads back
 * unambiguously; cut before an escape that would not fit. Returns the
 * length written. */
size_t sb_log_escape(const char *in, char *out, size_t size);
/* The same for text an admin reads on a terminal (CLI errors, the daemon's
 * last error in `status`), except that well-formed UTF-8 encoding no
 * control character is kept ("≥" stays "≥"): ESC, BEL, a newline, C1
 * (U+009B is CSI to many terminals) and stray bytes >= 0x80 still become
 * \xNN. */
size_t sb_text_escape(const char *in, char *out, size_t size);
/* The well-formed UTF-8 sequence of two to four bytes at p, reading at most
 * avail bytes: its length, and its code point in *cp; 0 when there is none
 * (ASCII, a stray or overlong byte, a surrogate, a cut sequence). */
size_t sb_utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp);
/* Length of the UTF-8 sequence at p (NUL-terminated) if it encodes a
 * character safe to show on a terminal (not C1, not a line separator or a
 * bidirectional control), else 0. */
size_t sb_utf8_printable(const unsigned char *p);

#endif
