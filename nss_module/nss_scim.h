/* nss_scim.h — internals shared by the module's files: the mapped cache
 * (nss_state.c), filling the caller's buffers (nss_fill.c) and asking the
 * daemon about a miss (nss_daemon.c). */
#ifndef NSS_SCIM_H
#define NSS_SCIM_H

#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache_reader.h"

/* The cache, read-locked, or NULL (then *errnop is set: UNAVAIL). Every
 * non-NULL return is paired with nss_cache_release(). */
const struct sb_cache *nss_cache_acquire(int *errnop);
void nss_cache_release(void);
/* Forces the next acquire to reopen the file (after the daemon wrote it). */
void nss_cache_invalidate(void);
/* For an enumeration, a mapping of the cache file of its own (closed with
 * sb_cache_close), which it reads to the end whatever replaces the file:
 * SUCCESS; NOTFOUND (ENOENT) when the config says enumerate = no; UNAVAIL
 * (ENOENT) without a readable cache. */
enum nss_status nss_cache_open_own(struct sb_cache **out, int *errnop);

enum nss_status nss_fill_passwd(const struct sb_user_view *v, struct passwd *pw, char *buf,
				size_t len, int *errnop);
enum nss_status nss_fill_group(const struct sb_cache *c, const struct sb_group_view *v,
			       struct group *gr, char *buf, size_t len, int *errnop);

/* A miss: asks the daemon (once, short timeout, negative-cached). true if
 * the daemon says it has just added the entry to the cache. */
bool nss_daemon_found(uint16_t req_type, const char *key);
/* Called once with the config (under the state's write lock). */
void nss_daemon_configure(const char *socket_path, unsigned negative_ttl);

/* errno as nss-systemd's PROTECT_ERRNO keeps it: every entry point saves
 * errno on entry and puts it back on the way out (the first lookup reads
 * the config and maps the cache, a miss asks the daemon: their syscalls
 * must not show through a call that succeeded), except that a failure is
 * reported in *errnop, which glibc points at errno. */
static inline enum nss_status nss_errno_out(enum nss_status st, int saved, int *errnop)
{
	int e = errnop ? *errnop : 0;

	errno = saved;
	if (errnop && st != NSS_STATUS_SUCCESS)
		*errnop = e;
	return st;
}

#endif
