/* nscd_notify.h — tells a running nscd that its passwd and group caches are
 * stale, after a sync wrote a new cache: without it nscd answers from its own
 * copy for up to positive-time-to-live (600 s by default). */
#ifndef SB_NSCD_NOTIFY_H
#define SB_NSCD_NOTIFY_H

/* Asks nscd at socket_path (NULL: glibc's /var/run/nscd/socket) to
 * invalidate its passwd and group databases. Returns the number invalidated
 * (0 when no nscd listens — the usual case — or it refused); never blocks
 * for more than about a second. nscd accepts this from root only. */
int sb_nscd_invalidate(const char *socket_path);

#endif
