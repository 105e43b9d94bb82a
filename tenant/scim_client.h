/* scim_client.h — the only code that talks to the tenant: OAuth 2.0 client
 * credentials (or a static bearer token), paging, filters, retries, both
 * dialects, over one reused libcurl handle (one TLS handshake per sync).
 * Linked into the daemon and the CLI, never into the modules. */
#ifndef SB_SCIM_CLIENT_H
#define SB_SCIM_CLIENT_H

#include <stddef.h>

#include "config.h"
#include "err.h"
#include "scim_types.h"

struct sb_scim_client;

struct sb_client_opts {
	/* Owner allowed for client_secret_file/bearer_token_file besides root:
	 * the daemon passes -1 (root only), the CLI its own uid. */
	long secret_owner;
	/* Retries after 429/5xx/network errors: 0 means the default (3); -1
	 * means none — for live checks, where a fast fallback beats a late
	 * answer. */
	int max_retries;
	/* Optional progress report (a page fetched): what is "Users"/"Groups". */
	void (*progress)(void *ctx, const char *what, long done, long total);
	void *progress_ctx;
};

struct sb_client_stats {
	long requests;	     /* HTTP requests sent, retries included */
	long token_requests; /* POSTs to token_path */
	long retries;	     /* requests repeated after 429/5xx/network errors */
	long connects;	     /* new connections (curl's CURLINFO_NUM_CONNECTS summed) */
	long bytes;	     /* response bytes received */
	long understated;    /* lists whose totalResults was below what they held */
};

/* Reads the secret (or bearer token) now, so a bad secret file fails early. */
int sb_scim_client_new(const struct sb_config *cfg, const struct sb_client_opts *opts,
		       struct sb_scim_client **out, struct sb_err *err);
void sb_scim_client_free(struct sb_scim_client *c);

/* Mints a new token (client credentials) even if one is cached. With a
 * bearer_token_file, returns that token and expires_in = -1. Out strings are
 * malloc'd (scope may be NULL). */
int sb_scim_token(struct sb_scim_client *c, char **token, long *expires_in, char **scope,
		  struct sb_err *err);

/* Every page of Users/Groups matching filter (NULL: all), appended to out.
 * On failure out is left as it was (no partial result). */
int sb_scim_list_users(struct sb_scim_client *c, const char *filter, struct sb_scim_users *out,
		       struct sb_err *err);
int sb_scim_list_groups(struct sb_scim_client *c, const char *filter, struct sb_scim_groups *out,
			struct sb_err *err);
/* Called on each group as soon as it is read (sb_parse_opts.on_group): the
 * caller may reduce it there (a sync's mapping resolves members to user
 * indexes, so the ids of a million memberships are never all in memory at
 * once). -1 fails the listing. */
typedef int (*sb_scim_group_fn)(void *ctx, struct sb_scim_group *g, struct sb_err *err);
/* sb_scim_list_groups (every group), with on_group on each group read. */
int sb_scim_list_groups_each(struct sb_scim_client *c, sb_scim_group_fn on_group, void *ctx,
			     struct sb_scim_groups *out, struct sb_err *err);
/* One page only (for `scimbridge check`): count resources, total. */
int sb_scim_probe(struct sb_scim_client *c, const char *resource, long count,
		  struct sb_scim_users *users_out, long *total, struct sb_err *err);
/* GET Users/{id}; SB_E_NOTFOUND for a definite 404 on an existing resource path. */
int sb_scim_get_user(struct sb_scim_client *c, const char *id, struct sb_scim_user *out,
		     struct sb_err *err);

/* ServiceProviderConfig's filter.supported (SCIM 2.0 only): 1 or 0, or -1
 * when unknown (SCIM 1.1, no such endpoint, no answer). */
int sb_scim_filter_supported(struct sb_scim_client *c, struct sb_err *err);

/* A raw authenticated request relative to the tenant url (for
 * create-directory). body may be NULL. *resp is malloc'd and NUL-terminated. */
int sb_scim_request(struct sb_scim_client *c, const char *method, const char *path,
		    const char *content_type, const char *body, long *status, char **resp,
		    size_t *resp_len, struct sb_err *err);

void sb_scim_client_stats(const struct sb_scim_client *c, struct sb_client_stats *out);

/* `attr eq "value"` with value escaped per RFC 7644 §3.4.2.2 (JSON string
 * rules: \" \\ and \u00XX for control characters). malloc'd. */
char *sb_scim_filter_eq(const char *attr, const char *value);
/* The same with another operator (`sw`, `gt`, …). */
char *sb_scim_filter_op(const char *attr, const char *op, const char *value);

#endif
