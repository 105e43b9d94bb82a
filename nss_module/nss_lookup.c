/* nss_lookup.c — the keyed lookups glibc calls: passwd and group by name and
 * by id, and initgroups_dyn. A hit costs a read lock, a hash probe and a copy;
 * a miss may ask the daemon once (nss_daemon.c) and then looks again. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nss_scim.h"
#include "serve.h"
#include "hot.h"
#include "proto.h"

#define EXPORT __attribute__((visibility("default")))

SB_HOT enum nss_status _nss_scim_getpwnam_r(const char *, struct passwd *, char *, size_t,
					    int *) EXPORT;
SB_HOT enum nss_status _nss_scim_getpwuid_r(uid_t, struct passwd *, char *, size_t, int *) EXPORT;
enum nss_status _nss_scim_getgrnam_r(const char *, struct group *, char *, size_t, int *) EXPORT;
enum nss_status _nss_scim_getgrgid_r(gid_t, struct group *, char *, size_t, int *) EXPORT;
SB_HOT enum nss_status _nss_scim_initgroups_dyn(const char *, gid_t, long int *, long int *,
						gid_t **, long int, int *) EXPORT;

/* One key, either a name or an id, and what to ask the daemon on a miss. */
struct key {
	const char *name;
	uint32_t id;
	uint16_t req;
};

/* What a passwd entry needs only: the record, not the user's details. */
SB_HOT static int find_user(const struct sb_cache *c, const struct key *k, struct sb_user_view *v)
{
	int found =
	    k->name ? sb_cache_passwd_by_name(c, k->name, v) : sb_cache_passwd_by_uid(c, k->id, v);

	return found && sb_user_servable(v);
}

static int find_group(const struct sb_cache *c, const struct key *k, struct sb_group_view *v)
{
	int found =
	    k->name ? sb_cache_group_by_name(c, k->name, v) : sb_cache_group_by_gid(c, k->id, v);

	return found && sb_group_servable(v);
}

static bool ask_daemon(const struct key *k)
{
	char num[16];

	if (k->name)
		return nss_daemon_found(k->req, k->name);
	snprintf(num, sizeof(num), "%u", k->id);
	return nss_daemon_found(k->req, num);
}

/* Finds k in c and fills the caller's struct: an nss_status, or NOT_HERE
 * when the cache has no such entry. */
#define NOT_HERE (-100)
typedef int (*answer_fn)(const struct sb_cache *c, const struct key *k, void *result, char *buf,
			 size_t len, int *errnop);

SB_HOT static int answer_passwd(const struct sb_cache *c, const struct key *k, void *result,
				char *buf, size_t len, int *errnop)
{
	struct sb_user_view v;

	return find_user(c, k, &v) ? (int)nss_fill_passwd(&v, result, buf, len, errnop) : NOT_HERE;
}

static int answer_group(const struct sb_cache *c, const struct key *k, void *result, char *buf,
			size_t len, int *errnop)
{
	struct sb_group_view v;

	return find_group(c, k, &v) ? (int)nss_fill_group(c, &v, result, buf, len, errnop)
				    : NOT_HERE;
}

/* The cache, then on a miss the daemon once, then the cache again. */
SB_HOT static enum nss_status lookup(const struct key *k, answer_fn answer, void *result, char *buf,
				     size_t len, int *errnop)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		const struct sb_cache *c = nss_cache_acquire(errnop);
		int st;

		if (!c)
			return NSS_STATUS_UNAVAIL;
		st = answer(c, k, result, buf, len, errnop);
		nss_cache_release();
		if (st != NOT_HERE)
			return (enum nss_status)st;
		if (attempt > 0 || !ask_daemon(k))
			break;
		nss_cache_invalidate();
	}
	*errnop = ENOENT;
	return NSS_STATUS_NOTFOUND;
}

static enum nss_status refuse(int *errnop)
{
	*errnop = ENOENT;
	return NSS_STATUS_NOTFOUND;
}

enum nss_status _nss_scim_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
				     int *errnop)
{
	int saved = errno;
	struct key k = {.name = name, .req = SB_REQ_USER_BY_NAME};

	return nss_errno_out(!sb_name_servable(name)
				 ? refuse(errnop)
				 : lookup(&k, answer_passwd, pw, buf, len, errnop),
			     saved, errnop);
}

enum nss_status _nss_scim_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
				     int *errnop)
{
	int saved = errno;
	struct key k = {.id = uid, .req = SB_REQ_USER_BY_UID};

	return nss_errno_out(!sb_id_servable(uid) ? refuse(errnop)
						  : lookup(&k, answer_passwd, pw, buf, len, errnop),
			     saved, errnop);
}

enum nss_status _nss_scim_getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
				     int *errnop)
{
	int saved = errno;
	struct key k = {.name = name, .req = SB_REQ_GROUP_BY_NAME};

	return nss_errno_out(!sb_name_servable(name)
				 ? refuse(errnop)
				 : lookup(&k, answer_group, gr, buf, len, errnop),
			     saved, errnop);
}

enum nss_status _nss_scim_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len,
				     int *errnop)
{
	int saved = errno;
	struct key k = {.id = gid, .req = SB_REQ_GROUP_BY_GID};

	return nss_errno_out(!sb_id_servable(gid) ? refuse(errnop)
						  : lookup(&k, answer_group, gr, buf, len, errnop),
			     saved, errnop);
}

/* Appends gid to glibc's growing array, honouring its limit (≤ 0: none). */
SB_HOT static int push_gid(gid_t gid, long int *start, long int *size, gid_t **groupsp,
			   long int limit)
{
	if (*start == *size) {
		long int nsize = *size ? *size * 2 : 16;
		gid_t *ng;

		if (limit > 0 && nsize > limit)
			nsize = limit;
		if (nsize <= *size)
			return 1; /* full: glibc keeps what fits */
		ng = realloc(*groupsp, (size_t)nsize * sizeof(gid_t));
		if (!ng)
			return -1;
		*groupsp = ng;
		*size = nsize;
	}
	(*groupsp)[(*start)++] = gid;
	return 0;
}

SB_HOT static enum nss_status user_groups(const char *user, gid_t skip, long int *start,
					  long int *size, gid_t **groupsp, long int limit,
					  int *errnop)
{
	const struct sb_cache *c;
	struct sb_user_view v;
	enum nss_status st = NSS_STATUS_SUCCESS;

	if (!sb_name_servable(user)) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	c = nss_cache_acquire(errnop);
	if (!c)
		return NSS_STATUS_UNAVAIL;
	if (!sb_cache_passwd_by_name(c, user, &v) || !sb_user_servable(&v)) {
		nss_cache_release();
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	for (uint32_t i = 0; i < v.n_gids; i++) {
		int r;

		if (v.gids[i] == skip || !sb_id_servable(v.gids[i]))
			continue;
		r = push_gid(v.gids[i], start, size, groupsp, limit);
		if (r < 0) {
			*errnop = ENOMEM;
			st = NSS_STATUS_TRYAGAIN;
		}
		if (r)
			break;
	}
	nss_cache_release();
	return st;
}

enum nss_status _nss_scim_initgroups_dyn(const char *user, gid_t skip, long int *start,
					 long int *size, gid_t **groupsp, long int limit,
					 int *errnop)
{
	int saved = errno;

	return nss_errno_out(user_groups(user, skip, start, size, groupsp, limit, errnop), saved,
			     errnop);
}
