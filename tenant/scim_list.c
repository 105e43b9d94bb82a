/* scim_list.c — whole listings of Users and Groups, page by page
 * (scim_pager.c decides where a list ends), held to max_resources and
 * max_listing_mib, and the one-page probe `scimbridge check` makes. */
#include "scim_http.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "scim_pager.h"

/* Base/Resource?startIndex=S&count=N[&filter=…] */
static char *list_url(struct sb_scim_client *c, const char *resource, long start, long count,
		      const char *filter)
{
	char *base = sb_http_base_url(c, c->cfg->scim_path), *esc = NULL, *url = NULL;
	int n;

	if (!base)
		return NULL;
	if (filter)
		esc = curl_easy_escape(c->h, filter, 0);
	n = asprintf(&url, "%s/%s?startIndex=%ld&count=%ld%s%s", base, resource, start, count,
		     esc ? "&filter=" : "", esc ? esc : "");
	curl_free(esc);
	free(base);
	return n < 0 ? NULL : url;
}

/* A tenant that keeps sending (pages that never end, a totalResults in
 * the billions, pages of 64 MiB) would otherwise grow this process without
 * bound: every listing is held to max_resources resources and
 * max_listing_mib MiB of answers, and fails with a message naming the
 * bound, so the caller keeps the last good cache. */
static int over_bounds(const struct sb_scim_client *c, const char *resource, size_t got,
		       unsigned long long bytes, struct sb_err *err)
{
	const struct sb_config *cfg = c->cfg;

	if (cfg->max_resources && got > cfg->max_resources)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "the tenant sent more than %u %s (max_resources); refused, "
				  "the last good cache stays",
				  cfg->max_resources, resource);
	if (cfg->max_listing_mib && bytes > ((unsigned long long)cfg->max_listing_mib << 20))
		return sb_err_set(err, SB_E_PROTOCOL,
				  "the tenant's %s listing passed %u MiB (max_listing_mib); "
				  "refused, the last good cache stays",
				  resource, cfg->max_listing_mib);
	return 0;
}

/* The longest list page this process has seen the tenant return: a short
 * page at totalResults that is shorter still cannot be the tenant capping
 * count, so it ends a list without a read past it (sb_pager_init). Shared by
 * the daemon's clients, so a miss lookup after a sync costs one request. */
static _Atomic long largest_page;

static void note_largest(long n)
{
	long cur = largest_page;

	while (n > cur && !atomic_compare_exchange_weak(&largest_page, &cur, n))
		;
}

/* Prefixes err->msg with "GET url: ". */
static void prefix_url(struct sb_err *err, const char *url)
{
	char where[300];

	snprintf(where, sizeof(where), "GET %.200s: ", url);
	if (err && strlen(where) + strlen(err->msg) < sizeof(err->msg)) {
		memmove(err->msg + strlen(where), err->msg, strlen(err->msg) + 1);
		memcpy(err->msg, where, strlen(where));
	}
}

/* One listing: users or groups (the other NULL), and the groups' hook. */
struct listing {
	const char *resource, *filter;
	struct sb_scim_users *users;
	struct sb_scim_groups *groups;
	sb_scim_group_fn on_group; /* may be NULL */
	void *ctx;
};

/* The page's resources appended to l's users or groups; their ids in *ids. */
static int parse_page(struct sb_scim_client *c, const struct listing *l, const struct resp *r,
		      const char *url, struct sb_page_info *info, char ***ids, size_t *n_new,
		      struct sb_err *err)
{
	struct sb_scim_users *users = l->users;
	struct sb_scim_groups *groups = l->groups;
	struct sb_parse_opts o = c->popts; /* with this listing's hook: no state on c */
	size_t before = users ? users->n : groups->n;

	o.on_group = l->on_group;
	o.on_group_ctx = l->ctx;
	if ((users ? sb_parse_user_page(r->buf, r->n, &o, users, info, err)
		   : sb_parse_group_page(r->buf, r->n, &o, groups, info, err)) < 0) {
		prefix_url(err, url);
		return -1;
	}
	*n_new = (users ? users->n : groups->n) - before;
	free(*ids);
	*ids = calloc(*n_new + 1, sizeof(char *));
	if (!*ids)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	for (size_t i = 0; i < *n_new; i++)
		(*ids)[i] = users ? users->v[before + i].id : groups->v[before + i].id;
	return 0;
}

static void drop_from(struct sb_scim_users *users, struct sb_scim_groups *groups, size_t before)
{
	for (size_t i = before; users && i < users->n; i++)
		sb_scim_user_free(&users->v[i]);
	for (size_t i = before; groups && i < groups->n; i++)
		sb_scim_group_free(&groups->v[i]);
	*(users ? &users->n : &groups->n) = before;
}

/* Says what the tenant did when its totalResults was smaller than what it
 * listed: the list is whole, but a person should know why it cost more. */
static void warn_understated(struct sb_scim_client *c, const char *resource,
			     const struct sb_pager *p)
{
	c->stats.understated++;
	sb_log(LOG_WARNING,
	       "%s: the tenant stated totalResults %ld but listed %ld: pages past the "
	       "stated end brought the rest, read until one brought nothing new (a "
	       "server that caps count, here at %ld for page_size = %u, and states the "
	       "page's length as the total does this)",
	       resource, p->total, p->got, p->largest, c->cfg->page_size);
}

static int list_all(struct sb_scim_client *c, const struct listing *l, struct sb_err *err)
{
	const char *resource = l->resource, *filter = l->filter;
	struct sb_scim_users *users = l->users;
	struct sb_scim_groups *groups = l->groups;
	struct sb_pager p;
	struct resp r = {0};
	char **ids = NULL;
	bool echo = false;
	size_t first = SIZE_MAX; /* the count before the first page */
	unsigned long long bytes = 0;
	int rc = -1;

	sb_pager_init(&p, largest_page);
	do {
		struct sb_page_info info = {0};
		char *url = list_url(c, resource, p.start, c->cfg->page_size, filter);
		size_t before = users ? users->n : groups->n, n_new = 0;
		struct sb_err gerr = {0};
		int got = url ? sb_scim_get_page(c, url, &r, &gerr) : -1;

		if (first == SIZE_MAX)
			first = before;
		if (!url)
			sb_err_set(&gerr, SB_E_NOMEM, "out of memory");
		if (got < 0 && gerr.kind == SB_E_NOTFOUND && sb_pager_end_on_404(&p)) {
			sb_log(LOG_DEBUG, "GET %s: 404 past the end of the list", url);
			free(url);
			break;
		}
		if (got < 0 && gerr.kind == SB_E_NOTFOUND && p.total >= 0) {
			char was[sizeof(gerr.msg)];

			memcpy(was, gerr.msg, sizeof(was));
			sb_err_set(&gerr, SB_E_PROTOCOL,
				   "%.300s (at startIndex %ld, after %ld of the %ld resources "
				   "totalResults promised: the total is larger than the truth)",
				   was, p.start, p.got, p.total);
		}
		if (got < 0 && err)
			*err = gerr;
		if (got < 0 || over_bounds(c, resource, 0, bytes += r.n, err) < 0 ||
		    parse_page(c, l, &r, url, &info, &ids, &n_new, err) < 0 ||
		    sb_pager_step(&p, info.total_results, ids, n_new, c->cfg->page_size, url, &echo,
				  err) < 0) {
			free(url);
			goto out;
		}
		if (over_bounds(c, resource, (users ? users->n : groups->n) - first, bytes, err) <
		    0) {
			free(url);
			goto out;
		}
		if (echo) /* a page past the end brought only known resources */
			drop_from(users, groups, before);
		if (c->opts.progress)
			c->opts.progress(c->opts.progress_ctx, resource, p.got, sb_pager_total(&p));
		free(url);
	} while (sb_pager_more(&p));
	note_largest(p.largest);
	if (p.understated)
		warn_understated(c, resource, &p);
	rc = 0;
out:
	free(ids);
	free(r.buf);
	sb_pager_free(&p);
	return rc;
}

/* The listing appends to out page by page; on failure what it appended is
 * freed again, so the caller never sees a partial result. */
int sb_scim_list_users(struct sb_scim_client *c, const char *filter, struct sb_scim_users *out,
		       struct sb_err *err)
{
	size_t before = out->n;

	struct listing l = {.resource = "Users", .filter = filter, .users = out};

	if (list_all(c, &l, err) == 0)
		return 0;
	for (size_t i = before; i < out->n; i++)
		sb_scim_user_free(&out->v[i]);
	out->n = before;
	return -1;
}

/* The same for groups; l->groups is the caller's array. */
static int list_groups(struct sb_scim_client *c, const struct listing *l, struct sb_err *err)
{
	struct sb_scim_groups *out = l->groups;
	size_t before = out->n;

	if (list_all(c, l, err) == 0)
		return 0;
	for (size_t i = before; i < out->n; i++)
		sb_scim_group_free(&out->v[i]);
	out->n = before;
	return -1;
}

int sb_scim_list_groups(struct sb_scim_client *c, const char *filter, struct sb_scim_groups *out,
			struct sb_err *err)
{
	struct listing l = {.resource = "Groups", .filter = filter, .groups = out};

	return list_groups(c, &l, err);
}

int sb_scim_list_groups_each(struct sb_scim_client *c, sb_scim_group_fn on_group, void *ctx,
			     struct sb_scim_groups *out, struct sb_err *err)
{
	struct listing l = {.resource = "Groups", .groups = out, .on_group = on_group, .ctx = ctx};

	return list_groups(c, &l, err);
}

int sb_scim_probe(struct sb_scim_client *c, const char *resource, long count,
		  struct sb_scim_users *users_out, long *total, struct sb_err *err)
{
	struct resp r = {0};
	struct sb_page_info info = {0};
	struct sb_scim_groups groups = {0};
	char *url = list_url(c, resource, 1, count, NULL);
	int rc = -1;

	if (!url || sb_scim_get_page(c, url, &r, err) < 0)
		goto out;
	if (!strcmp(resource, "Users") && users_out)
		rc = sb_parse_user_page(r.buf, r.n, &c->popts, users_out, &info, err);
	else
		rc = sb_parse_group_page(r.buf, r.n, &c->popts, &groups, &info, err);
	if (rc == 0 && total)
		*total = info.total_results;
out:
	sb_scim_groups_free(&groups);
	free(r.buf);
	free(url);
	return rc;
}
