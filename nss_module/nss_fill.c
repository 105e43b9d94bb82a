/* nss_fill.c — copies a cache record into the caller's struct and buffer,
 * or says the buffer is too small (TRYAGAIN + ERANGE, so glibc retries with a
 * larger one), exactly as sss_client and libnss-cache do. */
#include <errno.h>
#include <stdalign.h>
#include <string.h>

#include "nss_scim.h"
#include "hot.h"

static char *put(char **p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *at = *p;

	memcpy(at, s, n);
	*p += n;
	return at;
}

/* The record's text is already laid out as the buffer must be (see
 * cache_reader.h): one copy, then pointers at the same offsets. */
SB_HOT enum nss_status nss_fill_passwd(const struct sb_user_view *v, struct passwd *pw, char *buf,
				       size_t len, int *errnop)
{
	if (v->text_len > len) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	memcpy(buf, v->text, v->text_len);
	pw->pw_name = buf;
	/* A one-byte field and its NUL precede gecos. It is served as "*" even
	 * from a cache written with "x": "x" sends pam_unix's account check to
	 * a shadow entry a directory user never has (PAM_AUTHINFO_UNAVAIL, and
	 * Debian's stock common-account then reaches pam_deny); "*" is what
	 * SSSD serves and means "no local password" to every client. */
	pw->pw_passwd = buf + (v->gecos - v->text) - 2;
	pw->pw_passwd[0] = '*';
	pw->pw_gecos = buf + (v->gecos - v->text);
	pw->pw_dir = buf + (v->home - v->text);
	pw->pw_shell = buf + (v->shell - v->text);
	pw->pw_uid = v->uid;
	pw->pw_gid = v->gid;
	return NSS_STATUS_SUCCESS;
}

enum nss_status nss_fill_group(const struct sb_cache *c, const struct sb_group_view *v,
			       struct group *gr, char *buf, size_t len, int *errnop)
{
	size_t pad = (alignof(char *) - ((uintptr_t)buf % alignof(char *))) % alignof(char *);
	size_t need = pad + (v->n_members + 1) * sizeof(char *) + strlen(v->name) + 3;
	char **mem;
	char *p;

	for (uint32_t i = 0; i < v->n_members; i++)
		need += strlen(sb_cache_group_member(c, v, i)) + 1;
	if (need > len) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	mem = (char **)(void *)(buf + pad);
	p = (char *)(mem + v->n_members + 1);
	gr->gr_name = put(&p, v->name);
	gr->gr_passwd = put(&p, "x");
	gr->gr_gid = v->gid;
	for (uint32_t i = 0; i < v->n_members; i++)
		mem[i] = put(&p, sb_cache_group_member(c, v, i));
	mem[v->n_members] = NULL;
	gr->gr_mem = mem;
	return NSS_STATUS_SUCCESS;
}
