/* sync.c — one full sync (see sync.h): read every Users and Groups page,
 * map them with the sticky ids of the cache they replace, write the new
 * cache atomically and record the outcome in the status file. Shared by the
 * CLI's `sync` and the daemon, so both leave the cache in the same state. */
#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache_reader.h"
#include "cache_writer.h"
#include "dataset.h"
#include "idindex.h"
#include "members.h"
#include "log.h"
#include "nscd_notify.h"
#include "sync_skipped.h"

/* Moves every element of an array (v, n, cap of elem-sized entries) to the
 * end of another; the source is left empty. The caller's arrays may already
 * hold entries (the daemon appends). */
struct any_array {
	void **v;
	size_t *n, *cap;
};

static int move_all(struct any_array dst, struct any_array src, size_t elem, const char *what,
		    struct sb_err *err)
{
	if (*dst.n == 0 && *dst.v == NULL) {
		*dst.v = *src.v;
		*dst.n = *src.n;
		*dst.cap = *src.cap;
	} else {
		if (*dst.n + *src.n > *dst.cap) {
			size_t cap = *dst.n + *src.n;
			void *v = realloc(*dst.v, cap * elem);

			if (!v)
				return sb_err_set(err, SB_E_NOMEM, "sync: out of memory for %zu %s",
						  cap, what);
			*dst.v = v;
			*dst.cap = cap;
		}
		if (*src.n)
			memcpy((char *)*dst.v + *dst.n * elem, *src.v, *src.n * elem);
		*dst.n += *src.n;
		free(*src.v);
	}
	*src.v = NULL;
	*src.n = *src.cap = 0;
	return 0;
}

static int move_users(struct sb_scim_users *dst, struct sb_scim_users *src, struct sb_err *err)
{
	return move_all((struct any_array){(void **)&dst->v, &dst->n, &dst->cap},
			(struct any_array){(void **)&src->v, &src->n, &src->cap}, sizeof(*src->v),
			"users", err);
}

static int move_groups(struct sb_scim_groups *dst, struct sb_scim_groups *src, struct sb_err *err)
{
	return move_all((struct any_array){(void **)&dst->v, &dst->n, &dst->cap},
			(struct any_array){(void **)&src->v, &src->n, &src->cap}, sizeof(*src->v),
			"groups", err);
}

int sb_sync_fetch(struct sb_scim_client *c, struct sb_scim_users *users,
		  struct sb_scim_groups *groups, struct sb_err *err)
{
	/* Fetched into locals first so that a failure on Groups leaves the
	 * caller's arrays exactly as they were. */
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_idindex ids = {0};
	int rc = -1;

	if (sb_scim_list_users(c, NULL, &u, err) < 0)
		goto out;
	/* members resolved against the users' final positions in *users */
	if (sb_idindex_reserve(&ids, u.n) < 0) {
		sb_err_set(err, SB_E_NOMEM, "sync: out of memory indexing %zu users", u.n);
		goto out;
	}
	for (size_t i = 0; i < u.n; i++)
		if (sb_idindex_put(&ids, u.v[i].id, (uint32_t)(users->n + i)) < 0) {
			sb_err_set(err, SB_E_NOMEM, "sync: out of memory indexing users");
			goto out;
		}
	if (sb_scim_list_groups_each(c, sb_members_resolve_group, &ids, &g, err) < 0)
		goto out;
	if (move_users(users, &u, err) < 0)
		goto out;
	if (move_groups(groups, &g, err) < 0)
		goto out;
	rc = 0;
out:
	sb_idindex_free(&ids);
	sb_scim_users_free(&u);
	sb_scim_groups_free(&g);
	return rc;
}

static void free_prior(struct sb_idmap_entry *prior, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(prior[i].scim_id);
	free(prior);
}

/* Copies the sticky id assignments out of the current cache. A missing
 * cache is the first sync; a foreign or corrupt one cannot be trusted for
 * ids, so it is logged and the mapping starts afresh (the hash is stable,
 * so most ids come out the same anyway). */
static int load_prior(const char *path, struct sb_idmap_entry **out, size_t *n_out,
		      struct sb_err *err)
{
	struct sb_cache *cache = NULL;
	struct sb_cache_info info;
	struct sb_idmap_entry *prior = NULL;
	struct sb_err oerr = {0};
	size_t n = 0;
	int rc = -1;

	*out = NULL;
	*n_out = 0;
	if (sb_cache_open(path, &cache, &oerr) < 0) {
		if (oerr.kind != SB_E_NOTFOUND)
			sb_log(LOG_WARNING,
			       "sync: ignoring the existing cache %s for sticky ids: %s", path,
			       oerr.msg);
		return 0;
	}
	sb_cache_get_info(cache, &info);
	if (info.n_idmap) {
		prior = calloc(info.n_idmap, sizeof(*prior));
		if (!prior) {
			sb_err_set(err, SB_E_NOMEM, "sync: out of memory for %u id assignments",
				   info.n_idmap);
			goto out;
		}
	}
	for (uint32_t i = 0; i < info.n_idmap; i++) {
		const char *sid = NULL;
		uint32_t id = 0, kind = 0;

		if (!sb_cache_idmap_at(cache, i, &sid, &id, &kind) || !sid)
			continue;
		prior[n].scim_id = strdup(sid);
		if (!prior[n].scim_id) {
			sb_err_set(err, SB_E_NOMEM, "sync: out of memory copying id assignments");
			goto out;
		}
		prior[n].id = id;
		prior[n].kind = kind;
		n++;
	}
	*out = prior;
	*n_out = n;
	prior = NULL;
	rc = 0;
out:
	if (prior)
		free_prior(prior, n);
	sb_cache_close(cache);
	return rc;
}

/* The mapping with the sticky ids of the cache about to be replaced. */
static int map_step(const struct sb_config *cfg, const struct sb_scim_users *users,
		    const struct sb_scim_groups *groups, const struct sb_map_opts *opts,
		    struct sb_dataset *ds, struct sb_sync_report *rep, struct sb_err *err)
{
	struct sb_map_opts mo = {0};
	struct sb_map_report mrep = {0};
	struct sb_idmap_entry *prior = NULL;
	size_t n_prior = 0;
	int rc = -1;

	if (opts)
		mo = *opts;
	if (load_prior(cfg->cache_path, &prior, &n_prior, err) < 0)
		goto out;
	mo.prior = prior;
	mo.n_prior = n_prior;
	if (sb_map_build(cfg, users, groups, &mo, ds, &mrep, err) < 0)
		goto out;
	if (ds->sync_time == 0)
		ds->sync_time = (int64_t)time(NULL);
	if (rep)
		rep->map = mrep;
	rc = 0;
out:
	free_prior(prior, n_prior);
	return rc;
}

/* The new cache, then nscd told: otherwise it keeps answering from its copy
 * of the old one until its time-to-live runs out. */
static int write_cache(const struct sb_config *cfg, const struct sb_dataset *ds, struct sb_err *err)
{
	if (sb_cache_write(cfg->cache_path, ds, err) < 0)
		return -1;
	if (sb_nscd_invalidate(NULL) > 0)
		sb_log(LOG_DEBUG, "nscd's passwd and group caches invalidated");
	return 0;
}

int sb_sync_commit(const struct sb_config *cfg, const struct sb_scim_users *users,
		   const struct sb_scim_groups *groups, const struct sb_map_opts *opts,
		   struct sb_sync_report *rep, struct sb_err *err)
{
	struct sb_dataset ds = {0};
	int rc = -1;

	if (map_step(cfg, users, groups, opts, &ds, rep, err) == 0 &&
	    write_cache(cfg, &ds, err) == 0)
		rc = 0;
	sb_dataset_free(&ds);
	return rc;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Records the outcome beside the cache. A status file that cannot be
 * written does not undo a sync that succeeded: it is logged only. */
static void record_status(const struct sb_config *cfg, int ok, const struct sb_sync_report *rep,
			  const struct sb_err *serr)
{
	struct sb_err err = {0};
	char msg[512];

	if (ok)
		snprintf(msg, sizeof(msg),
			 "%zu users (%zu inactive), %zu groups, %zu skipped, %.2f s, %ld requests",
			 rep->map.users_mapped, rep->map.users_inactive, rep->map.groups_mapped,
			 rep->map.users_skipped + rep->map.groups_skipped, rep->seconds,
			 rep->http.requests);
	else
		snprintf(msg, sizeof(msg), "%s: %.480s", sb_errkind_name(serr->kind), serr->msg);
	/* a failure keeps the counts of the cache that is still being served */
	if (sb_status_update(cfg, true, ok, ok ? &rep->map : NULL, msg, &err) < 0)
		sb_log(LOG_WARNING, "sync: %s", err.msg);
}

int sb_sync_full_opts(const struct sb_config *cfg, struct sb_scim_client *c,
		      sb_sync_skipped_fn skipped, void *skipped_ctx, struct sb_sync_report *rep,
		      struct sb_err *err)
{
	struct sb_scim_users users = {0};
	struct sb_scim_groups groups = {0};
	struct sb_sync_report local = {0};
	struct skip_relay relay = {
	    .fn = skipped, .ctx = skipped_ctx, .users = &users, .groups = &groups};
	struct drop_users_ctx drop = {.users = &users, .relay = &relay};
	struct sb_map_opts mo = {.users_mapped = sb_sync_drop_users, .users_mapped_ctx = &drop};
	struct sb_dataset ds = {0};
	struct sb_err lerr = {0};
	double t0 = now_mono();
	int rc = -1;

	if (!rep)
		rep = &local;
	if (!err)
		err = &lerr;
	memset(rep, 0, sizeof(*rep));
	if (skipped) {
		mo.skipped = sb_sync_skip_relay;
		mo.skipped_ctx = &relay;
	}
	if (sb_sync_fetch(c, &users, &groups, err) < 0)
		goto out;
	if (map_step(cfg, &users, &groups, &mo, &ds, rep, err) < 0)
		goto out;
	/* The tenant's data is not needed once mapped: free it before the
	 * cache is built, so the two are never in memory together. */
	sb_scim_users_free(&users);
	sb_scim_groups_free(&groups);
	if (write_cache(cfg, &ds, err) < 0)
		goto out;
	rc = 0;
out:
	sb_dataset_free(&ds);
	rep->seconds = now_mono() - t0;
	sb_scim_client_stats(c, &rep->http);
	record_status(cfg, rc == 0, rep, err);
	if (rc == 0)
		sb_log(LOG_INFO,
		       "sync: %zu users mapped (%zu inactive, %zu skipped, %zu other domain), "
		       "%zu groups, %.2f s, %ld requests",
		       rep->map.users_mapped, rep->map.users_inactive, rep->map.users_skipped,
		       rep->map.users_other_domain, rep->map.groups_mapped, rep->seconds,
		       rep->http.requests);
	free(relay.uidx);
	free(relay.gidx);
	sb_scim_users_free(&users);
	sb_scim_groups_free(&groups);
	return rc;
}

int sb_sync_full(const struct sb_config *cfg, struct sb_scim_client *c, struct sb_sync_report *rep,
		 struct sb_err *err)
{
	return sb_sync_full_opts(cfg, c, NULL, NULL, rep, err);
}
