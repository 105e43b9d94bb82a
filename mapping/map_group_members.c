/* map_group_members.c — each mapped group's members, nested membership
 * flattened (cycle-safe), and each user's supplementary gid list. */
#include <stdlib.h>
#include <string.h>

#include "cache_hash.h"
#include "map_internal.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static size_t sort_unique(uint32_t *v, size_t n)
{
	size_t k = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

struct u32vec {
	uint32_t *v;
	size_t n, cap;
};

static int vec_push(struct u32vec *a, uint32_t x)
{
	if (mapper_grow((void **)&a->v, &a->cap, a->n + 1, sizeof(*a->v)))
		return -1;
	a->v[a->n++] = x;
	return 0;
}

#define BATCH 16

/* One group's direct members: users into `users`, not yet visited groups
 * onto `stack`. Hashes are taken a batch ahead and the table slots
 * prefetched, so the cache misses of a million lookups overlap. */
static int visit_members(struct mapper *m, struct gstate *st, const struct sb_scim_group *g,
			 uint32_t root, struct u32vec *users, struct u32vec *stack)
{
	uint64_t h[BATCH];

	for (size_t k = 0; k < g->n_member_users; k++) {
		uint32_t u = g->member_users[k];

		if (u < m->n_scim_users && m->ds_of_scim[u] != UINT32_MAX &&
		    vec_push(users, m->ds_of_scim[u]) < 0)
			return -1;
	}
	for (size_t base = 0; base < g->n_members; base += BATCH) {
		size_t n = g->n_members - base < BATCH ? g->n_members - base : BATCH;

		for (size_t i = 0; i < n; i++) {
			const char *v = g->members[base + i].value;

			h[i] = v ? sb_table_hash(v) : 0;
			sb_idindex_prefetch(&st->by_scim, h[i]);
			sb_idindex_prefetch(&m->user_by_scim, h[i]);
		}
		for (size_t i = 0; i < n; i++)
			sb_idindex_prefetch_key(&m->user_by_scim, h[i]);
		for (size_t i = 0; i < n; i++) {
			const struct sb_scim_member *mb = &g->members[base + i];
			uint32_t idx;

			if (!mb->value)
				continue;
			/* A member without a type (ws1 may omit it) is a group if its
			 * id is a known group id, else a user. */
			if (sb_idindex_get_hashed(&st->by_scim, mb->value, h[i], &idx)) {
				if (st->stamp[idx] != root + 1) {
					st->stamp[idx] = root + 1;
					if (vec_push(stack, idx) < 0)
						return -1;
				}
			} else if (!mb->is_group &&
				   sb_idindex_get_hashed(&m->user_by_scim, mb->value, h[i], &idx) &&
				   vec_push(users, idx) < 0) {
				return -1;
			}
		}
	}
	return 0;
}

/* Users reachable from SCIM group `root` through nested groups. Iterative
 * DFS; the stamp marks visited groups so a cycle ends the walk. */
static int flatten(struct mapper *m, struct gstate *st, uint32_t root, struct u32vec *users)
{
	struct u32vec stack = {0};
	int rc = -1;

	/* most groups are flat: their direct members are the answer's size */
	if (mapper_grow((void **)&users->v, &users->cap,
			st->in->v[root].n_members + st->in->v[root].n_member_users + 1,
			sizeof(*users->v)))
		return -1;
	st->stamp[root] = root + 1;
	if (vec_push(&stack, root) < 0)
		goto out;
	while (stack.n) {
		const struct sb_scim_group *g = &st->in->v[stack.v[--stack.n]];

		if (visit_members(m, st, g, root, users, &stack) < 0)
			goto out;
	}
	rc = 0;
out:
	free(stack.v);
	return rc;
}

/* Each group's members, flattened in one scratch vector and kept in the
 * dataset's arena at their exact size. */
int map_group_fill_members(struct mapper *m, struct gstate *st)
{
	struct u32vec users = {0};
	int rc = -1;

	for (size_t i = 0; i < st->in->n; i++) {
		struct sb_group *g;

		if (!st->out_index[i])
			continue;
		g = &m->out->groups[st->out_index[i] - 1];
		users.n = 0;
		if (flatten(m, st, (uint32_t)i, &users) < 0)
			goto out;
		g->n_members = sort_unique(users.v, users.n);
		g->members = sb_arena_alloc(&m->out->arena, g->n_members * sizeof(uint32_t),
					    sizeof(uint32_t));
		if (!g->members)
			goto out;
		if (g->n_members)
			memcpy(g->members, users.v, g->n_members * sizeof(uint32_t));
	}
	rc = 0;
out:
	free(users.v);
	return rc;
}

/* Each user's supplementary gids: every mapped group whose member list names
 * them, the rule nss_files' initgroups follows (the module skips only the gid
 * glibc passes it); a private group is listed with no member (cache_lookup.c)
 * and never counts. Two passes (count, fill) keep it linear in memberships. */
int map_group_fill_user_gids(struct mapper *m)
{
	struct sb_dataset *ds = m->out;
	size_t *count = calloc(ds->n_users ? ds->n_users : 1, sizeof(*count));

	if (!count)
		return -1;
	for (size_t g = 0; g < ds->n_groups; g++)
		for (size_t k = 0;
		     !(ds->groups[g].flags & SB_GROUP_UPG) && k < ds->groups[g].n_members; k++)
			count[ds->groups[g].members[k]]++;
	for (size_t u = 0; u < ds->n_users; u++) {
		if (!count[u])
			continue;
		/* filled below: not zeroed */
		ds->users[u].gids =
		    sb_arena_alloc(&ds->arena, count[u] * sizeof(uint32_t), sizeof(uint32_t));
		if (!ds->users[u].gids) {
			free(count);
			return -1;
		}
	}
	for (size_t g = 0; g < ds->n_groups; g++) {
		const struct sb_group *grp = &ds->groups[g];

		for (size_t k = 0; !(grp->flags & SB_GROUP_UPG) && k < grp->n_members; k++) {
			struct sb_user *u = &ds->users[grp->members[k]];

			u->gids[u->n_gids++] = grp->gid;
		}
	}
	for (size_t u = 0; u < ds->n_users; u++)
		ds->users[u].n_gids = sort_unique(ds->users[u].gids, ds->users[u].n_gids);
	free(count);
	return 0;
}

/* primary_group = NAME: every user's gid is that group's, tenant or local. */
