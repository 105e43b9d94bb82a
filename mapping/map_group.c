/* map_group.c — SCIM groups → POSIX groups: names from displayName, gids
 * (sticky, then hashed), user private groups, nested membership flattened
 * (cycle-safe), and each user's supplementary gid list. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "map_internal.h"
#include "names.h"

struct gstate {
	const struct sb_scim_groups *in;
	struct sb_idindex by_scim; /* SCIM group id → index in `in` (first in `order`) */
	uint32_t *out_index;	   /* index in `in` → dataset group index + 1 (0: not mapped) */
	uint32_t *stamp;	   /* DFS visit marks, one per SCIM group */
	uint32_t *order;	   /* indexes in `in` with an id, sorted by cmp_idx_by_id */
	size_t n_order;
};

static bool ignored(const struct mapper *m, const char *display)
{
	const struct sb_strlist *l = &m->cfg->ignore_groups;

	for (size_t i = 0; display && i < l->n; i++)
		if (sb_ascii_iequal(l->v[i], display))
			return true;
	return false;
}

static const char *group_refusal(struct mapper *m, const char *name)
{
	if (!sb_name_valid(name))
		return "displayName is not a portable POSIX group name";
	if (sb_name_reserved(name, &m->cfg->reserved_names))
		return "reserved system name";
	if (sb_strmap_get(&m->local.names, name, NULL))
		return "collides with a local account or group";
	if (sb_strmap_get(&m->names, name, NULL))
		return "same name as a tenant user or another group";
	return NULL;
}

static struct sb_group *new_group(struct mapper *m)
{
	struct sb_dataset *ds = m->out;

	if (mapper_grow((void **)&ds->groups, &m->cap_groups, ds->n_groups + 1,
			sizeof(*ds->groups)))
		return NULL;
	return &ds->groups[ds->n_groups++];
}

static int add_upgs(struct mapper *m)
{
	for (size_t i = 0; m->upg && i < m->out->n_users; i++) {
		struct sb_user *u = &m->out->users[i];
		struct sb_group *g = new_group(m);

		if (!g || !(g->members = sb_arena_calloc(&m->out->arena, 1, sizeof(uint32_t))))
			return -1;
		g->name = u->name; /* shared: both live in the dataset's arena */
		g->gid = u->uid;
		g->flags = SB_GROUP_UPG;
		g->members[0] = (uint32_t)i;
		g->n_members = 1;
	}
	return 0;
}

/* By SCIM id; displayName breaks a tie (a duplicated id) so the outcome does
 * not depend on the order the tenant listed them in. */
static int cmp_idx_by_id(const void *a, const void *b, void *ctx)
{
	const struct sb_scim_groups *in = ctx;
	const struct sb_scim_group *x = &in->v[*(const uint32_t *)a];
	const struct sb_scim_group *y = &in->v[*(const uint32_t *)b];
	int r = strcmp(x->id, y->id);

	if (r || x->display_name == y->display_name)
		return r;
	if (!x->display_name || !y->display_name)
		return x->display_name ? 1 : -1;
	return strcmp(x->display_name, y->display_name);
}

/* Why SCIM group k (of the sorted order) is not served, or NULL. */
static const char *group_skip_reason(struct mapper *m, const struct gstate *st, size_t k,
				     const char *name)
{
	const uint32_t *order = st->order;

	if (k > 0 && strcmp(st->in->v[order[k]].id, st->in->v[order[k - 1]].id) == 0)
		return "duplicate SCIM id";
	return group_refusal(m, name);
}

/* name is malloc'd and taken over; scim_id is the dataset's copy. */
static int emit_group(struct mapper *m, struct gstate *st, uint32_t in_idx, char *name,
		      const char *scim_id, uint32_t gid)
{
	struct sb_group *g = new_group(m);

	if (!g || !(g->name = mapper_keep(m, name)))
		return -1;
	g->gid = gid;
	g->scim_id = (char *)scim_id;
	if (sb_strmap_put(&m->names, g->name, 1) < 0)
		return -1;
	st->out_index[in_idx] = (uint32_t)m->out->n_groups;
	m->rep->groups_mapped++;
	return 0;
}

/* Names and gids for the SCIM groups, in SCIM-id order for determinism. */
static int name_groups(struct mapper *m, struct gstate *st)
{
	const struct sb_scim_groups *in = st->in;

	for (size_t k = 0; k < st->n_order; k++) {
		const struct sb_scim_group *sg = &in->v[st->order[k]];
		const char *why, *scim_id = NULL;
		uint32_t gid = 0;
		char *name;

		if (ignored(m, sg->display_name)) {
			m->rep->groups_ignored++;
			continue;
		}
		name = sb_group_name_from_display(sg->display_name);
		if (!name)
			return -1;
		why = group_skip_reason(m, st, k, name);
		if (!why && (!(scim_id = mapper_str(m, sg->id)) ||
			     mapper_sticky_or_hash(m, scim_id, SB_ID_GROUP, m->cfg->gid_min,
						   m->cfg->gid_max, &gid) < 0)) {
			free(name);
			return -1;
		}
		if (!why && !gid)
			why = "gid range is full";
		if (why) {
			mapper_skip(m, "group", sg->id, sg->display_name, why);
			m->rep->groups_skipped++;
			free(name);
			continue;
		}
		if (emit_group(m, st, st->order[k], name, scim_id, gid) < 0)
			return -1;
	}
	return 0;
}

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

			h[i] = v ? sb_hash_str(v) : 0;
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
static int fill_members(struct mapper *m, struct gstate *st)
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
static int fill_user_gids(struct mapper *m)
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
static int set_named_primary(struct mapper *m)
{
	const char *name = m->cfg->primary_group;
	uint32_t gid = 0;
	bool found = false;

	for (size_t g = 0; g < m->out->n_groups && !found; g++)
		if (strcmp(m->out->groups[g].name, name) == 0) {
			gid = m->out->groups[g].gid;
			found = true;
		}
	if (!found)
		found = sb_strmap_get(&m->local.groups, name, &gid);
	if (!found || gid == 0)
		return sb_err_set(m->err, SB_E_CONFIG,
				  "primary_group '%s' is neither a tenant group nor a local group "
				  "(and may not be gid 0)",
				  name);
	for (size_t u = 0; u < m->out->n_users; u++)
		m->out->users[u].gid = gid;
	return 0;
}

/* The SCIM groups in SCIM-id order, and id → index built in that order so a
 * duplicated id resolves to the same group wherever it is referenced. */
static int index_groups(struct mapper *m, struct gstate *st)
{
	const struct sb_scim_groups *in = st->in;

	st->order = malloc((in->n ? in->n : 1) * sizeof(*st->order));
	if (!st->order || sb_idindex_reserve(&st->by_scim, in->n) < 0)
		return -1;
	for (size_t i = 0; i < in->n; i++) {
		if (in->v[i].id && *in->v[i].id) {
			st->order[st->n_order++] = (uint32_t)i;
			continue;
		}
		mapper_skip(m, "group", NULL, in->v[i].display_name, "no SCIM id");
		m->rep->groups_skipped++;
	}
	qsort_r(st->order, st->n_order, sizeof(*st->order), cmp_idx_by_id, (void *)in);
	for (size_t k = 0; k < st->n_order; k++)
		if (sb_idindex_put(&st->by_scim, in->v[st->order[k]].id, st->order[k]) < 0)
			return -1;
	return 0;
}

int map_groups(struct mapper *m, const struct sb_scim_groups *groups)
{
	struct gstate st = {.in = groups};
	size_t n = groups->n ? groups->n : 1;
	int rc = -1;

	m->rep->groups_in = groups->n;
	st.out_index = calloc(n, sizeof(uint32_t));
	st.stamp = calloc(n, sizeof(uint32_t));
	if (!st.out_index || !st.stamp)
		goto out;
	if (index_groups(m, &st) < 0 ||
	    mapper_grow((void **)&m->out->groups, &m->cap_groups,
			(m->upg ? m->out->n_users : 0) + groups->n, sizeof(*m->out->groups)) < 0)
		goto out;
	if (add_upgs(m) < 0 || name_groups(m, &st) < 0 || fill_members(m, &st) < 0)
		goto out;
	if (!m->upg && set_named_primary(m) < 0)
		goto done;
	if (fill_user_gids(m) < 0)
		goto out;
	rc = 0;
	goto done;
out:
	sb_err_set(m->err, SB_E_NOMEM, "out of memory mapping groups");
done:
	sb_idindex_free(&st.by_scim);
	free(st.out_index);
	free(st.stamp);
	free(st.order);
	return rc;
}
