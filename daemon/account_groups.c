/* account_groups.c — is a user, live, in one of the caller's
 * allowed_groups? One filtered GET reads the groups the user is a direct
 * member of (`Groups?filter=members.value eq "ID"`, eq being in both
 * dialects' filter grammar). An allowed group counts when it is one of them
 * or contains one of them through nested groups; the nesting is taken from
 * the daemon's kept copy of the tenant (the last sync), so a user removed
 * from a group is refused at once, while a change to the nesting itself
 * counts from the next sync. The allowed groups are named by their POSIX
 * names; the cache gives their SCIM ids (a group created since the last
 * sync is not known yet and does not count).
 * Workspace ONE's API description names the filter operators (eq co sw gt
 * ge lt le) but not which attributes it filters on: if the tenant refuses
 * this filter (an HTTP 4xx), the membership comes from the cache instead
 * (cached_in_groups), so the live `active` check is not lost with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_reader.h"
#include "daemon.h"
#include "hashmap.h"
#include "log.h"

#define MAX_DEPTH   32	 /* nesting levels followed (cycles stop earlier) */
#define MAX_REACHED 4096 /* groups reached, to bound the work per login */

/* The groups reached so far, in the order reached (the search goes level
 * by level) and indexed (sb_strmap, whose hash a tenant cannot aim at): a
 * hostile tenant's nesting must cost a lookup per member, not a scan of
 * everything reached while data_lock is held. */
struct idset {
	const char **v;
	size_t n, cap;
	struct sb_strmap idx;
};

static bool has(const struct idset *s, const char *id)
{
	uint32_t i;

	return sb_strmap_get(&s->idx, id, &i);
}

static int add(struct idset *s, const char *id)
{
	if (has(s, id))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		const char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	if (sb_strmap_put(&s->idx, id, (uint32_t)s->n) < 0)
		return -1;
	s->v[s->n++] = id;
	return 0;
}

static bool member_of(const struct sb_scim_group *g, const struct idset *s)
{
	for (size_t k = 0; k < g->n_members; k++)
		if (g->members[k].value && has(s, g->members[k].value))
			return true;
	return false;
}

/* The SCIM id of each allowed group, from the cache (NULL: unknown). */
static char **allowed_ids(const struct daemon *d, const struct sb_strlist *groups)
{
	char **ids = calloc(groups->n + 1, sizeof(*ids));
	struct sb_cache *c;
	struct sb_group_view g;

	if (!ids || sb_cache_open(d->cfg.cache_path, &c, NULL) < 0)
		return ids;
	for (size_t i = 0; i < groups->n; i++)
		if (sb_cache_group_by_name(c, groups->v[i], &g) && *g.scim_id)
			ids[i] = strdup(g.scim_id);
	sb_cache_close(c);
	return ids;
}

/* Index of the allowed group reached, or -1. reached grows, through the
 * kept groups' nested members, level by level. data_lock held. */
static long search(const struct sb_scim_groups *kept, struct idset *reached, char **want,
		   size_t n_want)
{
	size_t done = 0;

	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		size_t level_end = reached->n;

		for (size_t i = done; i < level_end; i++)
			for (size_t k = 0; k < n_want; k++)
				if (want[k] && !strcmp(want[k], reached->v[i]))
					return (long)k;
		for (size_t i = 0; i < kept->n && reached->n < MAX_REACHED; i++) {
			const struct sb_scim_group *g = &kept->v[i];

			if (g->id && !has(reached, g->id) && member_of(g, reached) &&
			    add(reached, g->id) < 0)
				return -1;
		}
		if (reached->n == level_end)
			break;
		done = level_end;
	}
	return -1;
}

int live_in_groups(struct daemon *d, struct sb_scim_client *c, const char *user_id,
		   const struct sb_strlist *groups, char *which, size_t which_size,
		   struct sb_err *err)
{
	struct sb_scim_groups direct = {0};
	struct idset reached = {0};
	char *filter = sb_scim_filter_eq("members.value", user_id), **want = NULL;
	long hit = -1;
	int rc = -1;

	if (!filter) {
		sb_err_set(err, SB_E_NOMEM, "out of memory");
		goto out;
	}
	if (sb_scim_list_groups(c, filter, &direct, err) < 0)
		goto out;
	want = allowed_ids(d, groups);
	if (!want) {
		sb_err_set(err, SB_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < direct.n; i++)
		if (direct.v[i].id && add(&reached, direct.v[i].id) < 0) {
			sb_err_set(err, SB_E_NOMEM, "out of memory");
			goto out;
		}
	pthread_mutex_lock(&d->data_lock);
	hit = search(&d->groups, &reached, want, groups->n);
	pthread_mutex_unlock(&d->data_lock);
	if (hit >= 0)
		snprintf(which, which_size, "%s", groups->v[hit]);
	sb_log(LOG_DEBUG, "groups of %s: %zu direct, %zu with nesting, %s", user_id, direct.n,
	       reached.n, hit >= 0 ? which : "none allowed");
	rc = hit >= 0;
out:
	for (size_t i = 0; want && i < groups->n; i++)
		free(want[i]);
	free(want);
	free(reached.v);
	sb_strmap_free(&reached.idx);
	free(filter);
	sb_scim_groups_free(&direct);
	return rc;
}

int cached_in_groups(struct daemon *d, const char *name, const struct sb_strlist *groups,
		     char *which, size_t which_size)
{
	struct sb_cache *c;
	struct sb_user_view u;
	struct sb_group_view g;
	int hit = 0;

	if (sb_cache_open(d->cfg.cache_path, &c, NULL) < 0)
		return 0;
	if (!sb_cache_user_by_name(c, name, &u))
		goto out;
	for (size_t i = 0; i < groups->n && !hit; i++) {
		hit = sb_cache_group_by_gid(c, u.gid, &g) && !strcmp(g.name, groups->v[i]);
		for (uint32_t k = 0; k < u.n_gids && !hit; k++)
			hit = sb_cache_group_by_gid(c, u.gids[k], &g) &&
			      !strcmp(g.name, groups->v[i]);
		if (hit)
			snprintf(which, which_size, "%s", groups->v[i]);
	}
out:
	sb_cache_close(c);
	return hit;
}
