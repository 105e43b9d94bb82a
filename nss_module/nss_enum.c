/* nss_enum.c — setpwent/getpwent_r/endpwent and the group equivalents.
 * Enumeration is off unless the config says `enumerate = yes` (as in SSSD: a
 * 100,000-user `getent passwd` is rarely what anyone wants). The cursors are
 * per process, guarded by one mutex. */
#include <errno.h>
#include <pthread.h>

#include "nss_scim.h"

#define EXPORT __attribute__((visibility("default")))

enum nss_status _nss_scim_setpwent(int) EXPORT;
enum nss_status _nss_scim_endpwent(void) EXPORT;
enum nss_status _nss_scim_getpwent_r(struct passwd *, char *, size_t, int *) EXPORT;
enum nss_status _nss_scim_setgrent(int) EXPORT;
enum nss_status _nss_scim_endgrent(void) EXPORT;
enum nss_status _nss_scim_getgrent_r(struct group *, char *, size_t, int *) EXPORT;

static pthread_mutex_t ent_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t pw_next, gr_next;

enum nss_status _nss_scim_setpwent(int stayopen)
{
	(void)stayopen;
	pthread_mutex_lock(&ent_lock);
	pw_next = 0;
	pthread_mutex_unlock(&ent_lock);
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_scim_endpwent(void)
{
	return _nss_scim_setpwent(0);
}

enum nss_status _nss_scim_setgrent(int stayopen)
{
	(void)stayopen;
	pthread_mutex_lock(&ent_lock);
	gr_next = 0;
	pthread_mutex_unlock(&ent_lock);
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_scim_endgrent(void)
{
	return _nss_scim_setgrent(0);
}

enum nss_status _nss_scim_getpwent_r(struct passwd *pw, char *buf, size_t len, int *errnop)
{
	enum nss_status st = NSS_STATUS_NOTFOUND;
	const struct sb_cache *c = nss_cache_acquire(errnop);
	struct sb_user_view v;

	if (!c)
		return NSS_STATUS_UNAVAIL;
	pthread_mutex_lock(&ent_lock);
	while (nss_enumerate_enabled() && sb_cache_user_at(c, pw_next, &v)) {
		if (v.uid == 0 || v.gid == 0 || nss_forbidden_name(v.name)) {
			pw_next++;
			continue;
		}
		st = nss_fill_passwd(&v, pw, buf, len, errnop);
		if (st == NSS_STATUS_SUCCESS)
			pw_next++; /* on ERANGE the caller retries the same entry */
		break;
	}
	pthread_mutex_unlock(&ent_lock);
	nss_cache_release();
	if (st == NSS_STATUS_NOTFOUND)
		*errnop = ENOENT;
	return st;
}

enum nss_status _nss_scim_getgrent_r(struct group *gr, char *buf, size_t len, int *errnop)
{
	enum nss_status st = NSS_STATUS_NOTFOUND;
	const struct sb_cache *c = nss_cache_acquire(errnop);
	struct sb_group_view v;

	if (!c)
		return NSS_STATUS_UNAVAIL;
	pthread_mutex_lock(&ent_lock);
	while (nss_enumerate_enabled() && sb_cache_group_at(c, gr_next, &v)) {
		if (v.gid == 0 || nss_forbidden_name(v.name)) {
			gr_next++;
			continue;
		}
		st = nss_fill_group(c, &v, gr, buf, len, errnop);
		if (st == NSS_STATUS_SUCCESS)
			gr_next++;
		break;
	}
	pthread_mutex_unlock(&ent_lock);
	nss_cache_release();
	if (st == NSS_STATUS_NOTFOUND)
		*errnop = ENOENT;
	return st;
}

void nss_enum_atfork_child(void)
{
	pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

	ent_lock = fresh;
}
