/* nss_ref.c — the benchmark's reference NSS module ("ref"): answers
 * getpwnam_r/getpwuid_r/initgroups_dyn for users u000001…u100000 from
 * arithmetic, with no I/O and no lookup structure, so a measurement through
 * it is glibc's own dispatch cost plus a minimal copy. Our module's figures
 * are quoted as ratios to this one, measured in the same run. */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum nss_status _nss_ref_getpwnam_r(const char *, struct passwd *, char *, size_t, int *);
enum nss_status _nss_ref_getpwuid_r(uid_t, struct passwd *, char *, size_t, int *);
enum nss_status _nss_ref_initgroups_dyn(const char *, gid_t, long *, long *, gid_t **, long, int *);

static enum nss_status fill(unsigned i, struct passwd *pw, char *buf, size_t len, int *errnop)
{
	if (len < 64) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	memcpy(buf, "u000000", 8);
	for (int k = 6; k >= 1; k--, i /= 10)
		buf[k] = (char)('0' + i % 10);
	pw->pw_name = buf;
	pw->pw_passwd = (char *)"x";
	pw->pw_gecos = (char *)"User";
	memcpy(buf + 8, "/home/", 6);
	memcpy(buf + 14, buf, 8);
	pw->pw_dir = buf + 8;
	pw->pw_shell = (char *)"/bin/bash";
	return NSS_STATUS_SUCCESS;
}

static int parse(const char *name, unsigned *i)
{
	unsigned v = 0;

	if (name[0] != 'u' || strlen(name) != 7)
		return 0;
	for (int k = 1; k < 7; k++) {
		if (name[k] < '0' || name[k] > '9')
			return 0;
		v = v * 10 + (unsigned)(name[k] - '0');
	}
	*i = v;
	return v >= 1 && v <= 100000;
}

enum nss_status _nss_ref_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
				    int *errnop)
{
	unsigned i;

	if (!parse(name, &i)) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	pw->pw_uid = pw->pw_gid = 200000 + i;
	return fill(i, pw, buf, len, errnop);
}

enum nss_status _nss_ref_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
				    int *errnop)
{
	if (uid <= 200000 || uid > 300000) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	pw->pw_uid = pw->pw_gid = uid;
	return fill(uid - 200000, pw, buf, len, errnop);
}

enum nss_status _nss_ref_initgroups_dyn(const char *user, gid_t skip, long *start, long *size,
					gid_t **groups, long limit, int *errnop)
{
	unsigned i;

	(void)skip, (void)limit;
	if (!parse(user, &i)) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	for (unsigned k = 0; k < 10; k++) {
		if (*start == *size) {
			gid_t *ng = realloc(*groups, (size_t)(*size * 2) * sizeof(gid_t));

			if (!ng)
				return NSS_STATUS_TRYAGAIN;
			*groups = ng;
			*size *= 2;
		}
		(*groups)[(*start)++] = 300000000u + (i * 7 + k * k * 131 + k) % 10000;
	}
	return NSS_STATUS_SUCCESS;
}
