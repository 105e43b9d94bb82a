/* nss_enum.c — setpwent/getpwent_r/endpwent and the group equivalents.
 * Enumeration is off unless the config says `enumerate = yes` (as in SSSD: a
 * 100,000-user `getent passwd` is rarely what anyone wants). Each cursor
 * holds a mapping of its own, taken at its first entry and kept until
 * endent or setent: an index means something only in the file it started
 * on, so a sync in the middle of `getent group` must not move it to the new
 * file (which repeated or skipped entries); glibc's files backend likewise
 * keeps reading the file it opened. The cursors are per process, guarded by
 * one mutex; a forked child inherits them with the mapping. */
#include <errno.h>
#include <pthread.h>

#include "nss_scim.h"
#include "serve.h"

#define EXPORT __attribute__((visibility("default")))

enum nss_status _nss_scim_setpwent(int) EXPORT;
enum nss_status _nss_scim_endpwent(void) EXPORT;
enum nss_status _nss_scim_getpwent_r(struct passwd *, char *, size_t, int *) EXPORT;
enum nss_status _nss_scim_setgrent(int) EXPORT;
enum nss_status _nss_scim_endgrent(void) EXPORT;
enum nss_status _nss_scim_getgrent_r(struct group *, char *, size_t, int *) EXPORT;

struct cursor {
	struct sb_cache *cache; /* NULL until the first entry */
	uint32_t next;
};

static pthread_mutex_t ent_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static struct cursor pw_cur, gr_cur;

/* The mutex may have been held by a thread that does not exist in the
 * child; the cursors and their mappings are inherited as they were. */
static void atfork_child(void)
{
	pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

	ent_lock = fresh;
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, atfork_child);
}

/* Registered before the first lock: no fork can find it held unregistered. */
static void ent_lock_take(void)
{
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&ent_lock);
}

/* Back to the start: the next entry maps the cache as it is then. */
static enum nss_status rewind_cursor(struct cursor *cur)
{
	int saved = errno;

	ent_lock_take();
	sb_cache_close(cur->cache);
	cur->cache = NULL;
	cur->next = 0;
	pthread_mutex_unlock(&ent_lock);
	return nss_errno_out(NSS_STATUS_SUCCESS, saved, NULL);
}

enum nss_status _nss_scim_setpwent(int stayopen)
{
	(void)stayopen;
	return rewind_cursor(&pw_cur);
}

enum nss_status _nss_scim_endpwent(void)
{
	return rewind_cursor(&pw_cur);
}

enum nss_status _nss_scim_setgrent(int stayopen)
{
	(void)stayopen;
	return rewind_cursor(&gr_cur);
}

enum nss_status _nss_scim_endgrent(void)
{
	return rewind_cursor(&gr_cur);
}

/* The cursor's mapping, taken now if it has none; under ent_lock. */
static enum nss_status cursor_cache(struct cursor *cur, const struct sb_cache **c, int *errnop)
{
	enum nss_status st =
	    cur->cache ? NSS_STATUS_SUCCESS : nss_cache_open_own(&cur->cache, errnop);

	*c = cur->cache;
	return st;
}

static enum nss_status getpwent_locked(struct passwd *pw, char *buf, size_t len, int *errnop)
{
	const struct sb_cache *c;
	enum nss_status st = cursor_cache(&pw_cur, &c, errnop);
	struct sb_user_view v;

	if (st != NSS_STATUS_SUCCESS)
		return st;
	while (sb_cache_user_at(c, pw_cur.next, &v)) {
		if (!sb_user_servable(&v)) {
			pw_cur.next++;
			continue;
		}
		st = nss_fill_passwd(&v, pw, buf, len, errnop);
		if (st == NSS_STATUS_SUCCESS)
			pw_cur.next++; /* on ERANGE the caller retries the same entry */
		return st;
	}
	*errnop = ENOENT;
	return NSS_STATUS_NOTFOUND;
}

static enum nss_status getgrent_locked(struct group *gr, char *buf, size_t len, int *errnop)
{
	const struct sb_cache *c;
	enum nss_status st = cursor_cache(&gr_cur, &c, errnop);
	struct sb_group_view v;

	if (st != NSS_STATUS_SUCCESS)
		return st;
	while (sb_cache_group_at(c, gr_cur.next, &v)) {
		if (!sb_group_servable(&v)) {
			gr_cur.next++;
			continue;
		}
		st = nss_fill_group(c, &v, gr, buf, len, errnop);
		if (st == NSS_STATUS_SUCCESS)
			gr_cur.next++;
		return st;
	}
	*errnop = ENOENT;
	return NSS_STATUS_NOTFOUND;
}

enum nss_status _nss_scim_getpwent_r(struct passwd *pw, char *buf, size_t len, int *errnop)
{
	int saved = errno;
	enum nss_status st;

	ent_lock_take();
	st = getpwent_locked(pw, buf, len, errnop);
	pthread_mutex_unlock(&ent_lock);
	return nss_errno_out(st, saved, errnop);
}

enum nss_status _nss_scim_getgrent_r(struct group *gr, char *buf, size_t len, int *errnop)
{
	int saved = errno;
	enum nss_status st;

	ent_lock_take();
	st = getgrent_locked(gr, buf, len, errnop);
	pthread_mutex_unlock(&ent_lock);
	return nss_errno_out(st, saved, errnop);
}
