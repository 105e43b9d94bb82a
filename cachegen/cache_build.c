/* cache_build.c — dataset → the cache's sections in memory (layout and the
 * reasons for it in cache_format.h). Deterministic: the same dataset gives
 * the same bytes. */
#include "cache_build.h"
#include "cache_hash.h"

#include <stdlib.h>
#include <string.h>

/* Room for `need` elements of elem bytes in *buf (capacity *cap), doubling;
 * the new room is not zeroed. 0, or -1 when out of memory. */
static int reserve(void **buf, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = need * 2;
	void *np;

	if (need <= *cap)
		return 0;
	np = realloc(*buf, ncap * elem);
	if (!np)
		return -1;
	*buf = np;
	*cap = ncap;
	return 0;
}

static uint32_t intern(struct sb_cache_build *b, const char *s)
{
	uint32_t off;
	size_t len;

	if (!s || !*s)
		return 0;
	if (sb_strmap_get(&b->interned, s, &off))
		return off;
	len = strlen(s) + 1;
	if (b->n_str + len > UINT32_MAX ||
	    reserve((void **)&b->str, &b->cap_str, b->n_str + len, 1) < 0) {
		b->oom = 1;
		return 0;
	}
	off = (uint32_t)b->n_str;
	memcpy(b->str + b->n_str, s, len);
	b->n_str += len;
	if (sb_strmap_put(&b->interned, s, off) < 0)
		b->oom = 1;
	return off;
}

/* Reserves n slots in the u32 pool; returns the run's start. */
static uint32_t pool(struct sb_cache_build *b, size_t n)
{
	uint32_t start = b->n_u32;

	if ((size_t)b->n_u32 + n > UINT32_MAX ||
	    reserve((void **)&b->u32, &b->cap_u32, b->n_u32 + n, sizeof(*b->u32)) < 0) {
		b->oom = 1;
		return 0;
	}
	b->n_u32 += (uint32_t)n;
	return start;
}

/* A group map_group made for user m alone (name, gid and membership the
 * user's) is implied by the user's record instead of stored. */
static int is_implied_upg(const struct sb_cache_build *b, const struct sb_group *g)
{
	const struct sb_user *u;

	if (!(g->flags & SB_GROUP_UPG) || g->scim_id || g->n_members != 1 ||
	    g->members[0] >= b->ds->n_users || b->upg_of[g->members[0]])
		return 0;
	u = &b->ds->users[g->members[0]];
	return u->uid == g->gid && strcmp(u->name, g->name) == 0;
}

static int sort_groups(struct sb_cache_build *b)
{
	const struct sb_dataset *ds = b->ds;

	b->upg_of = calloc(ds->n_users + 1, 1);
	b->stored = calloc(ds->n_groups + 1, sizeof(*b->stored));
	if (!b->upg_of || !b->stored)
		return -1;
	for (size_t i = 0; i < ds->n_groups; i++) {
		if (is_implied_upg(b, &ds->groups[i])) {
			b->upg_of[ds->groups[i].members[0]] = 1;
			b->n_upg++;
		} else {
			b->stored[i] = ++b->n_groups;
		}
	}
	return 0;
}

static int field_len(const char *s, uint16_t *len)
{
	size_t n = s ? strlen(s) : 0;

	if (n > UINT16_MAX)
		return -1;
	*len = (uint16_t)n;
	return 0;
}

static char *put_text(char *p, const char *s, size_t n)
{
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p + n + 1;
}

static uint8_t *urec_space(struct sb_cache_build *b, int w, size_t need)
{
	uint8_t *at;

	if ((b->n_urecs[w] + need) / 8 >= UINT32_MAX ||
	    reserve((void **)&b->urecs[w], &b->cap_urecs[w], b->n_urecs[w] + need, 1) < 0)
		return NULL;
	at = b->urecs[w] + b->n_urecs[w];
	memset(at, 0, need);
	b->n_urecs[w] += need;
	return at;
}

/* Appends user i's record to list w (0 by name, with gids; 1 by uid). */
static int put_urec(struct sb_cache_build *b, int w, size_t i)
{
	const struct sb_user *u = &b->ds->users[i];
	struct sb_cache_urec r = {.uid = u->uid, .gid = u->gid, .user = (uint32_t)i};
	size_t need;
	uint8_t *at;
	char *p;

	if (field_len(u->name, &r.name_len) < 0 || field_len(u->gecos, &r.gecos_len) < 0 ||
	    field_len(u->home, &r.home_len) < 0 || field_len(u->shell, &r.shell_len) < 0) {
		b->too_long = u->name;
		return -1;
	}
	r.name_hash = (uint32_t)sb_hash_str(u->name);
	r.n_gids = w == 0 ? (uint32_t)u->n_gids : 0;
	need = (SB_UREC_GIDS_AT(&r) + (size_t)r.n_gids * 4 + 7) & ~(size_t)7;
	at = urec_space(b, w, need);
	if (!at)
		return -1;
	memcpy(at, &r, sizeof(r));
	p = (char *)(at + sizeof(r));
	p = put_text(p, u->name, r.name_len);
	p = put_text(p, "*", 1);
	p = put_text(p, u->gecos, r.gecos_len);
	p = put_text(p, u->home, r.home_len);
	put_text(p, u->shell, r.shell_len);
	if (r.n_gids)
		memcpy(at + SB_UREC_GIDS_AT(&r), u->gids, (size_t)r.n_gids * 4);
	if (w == 0)
		b->rec_of[i] = (uint32_t)((size_t)(at - b->urecs[0]) / 8 + 1);
	return 0;
}

static size_t bucket_of(const struct sb_cache_build *b, int w, size_t i)
{
	const struct sb_user *u = &b->ds->users[i];

	return (w == 0 ? sb_hash_str(u->name) : sb_hash_u32(u->uid)) & (b->n_buckets - 1);
}

/* List w: users grouped by bucket (a counting sort, stable by user index),
 * and its directory of bucket starts in 8-byte units. */
static int put_list(struct sb_cache_build *b, int w)
{
	size_t n = b->ds->n_users, nb = b->n_buckets;
	uint32_t *start = calloc(nb + 1, sizeof(*start)), *order = calloc(n + 1, sizeof(*order));
	int rc = -1;

	b->dir[w] = calloc(nb + 1, sizeof(*b->dir[w]));
	if (!start || !order || !b->dir[w])
		goto out;
	for (size_t i = 0; i < n; i++)
		start[bucket_of(b, w, i) + 1]++;
	for (size_t k = 0; k < nb; k++)
		start[k + 1] += start[k];
	for (size_t i = 0; i < n; i++)
		order[start[bucket_of(b, w, i)]++] = (uint32_t)i;
	for (size_t k = 0, at = 0; k < nb; k++) {
		b->dir[w][k] = (uint32_t)(b->n_urecs[w] / 8);
		for (; at < start[k]; at++)
			if (put_urec(b, w, order[at]) < 0)
				goto out;
	}
	b->dir[w][nb] = (uint32_t)(b->n_urecs[w] / 8);
	rc = 0;
out:
	free(start);
	free(order);
	return rc;
}

static void put_user(struct sb_cache_build *b, size_t i)
{
	const struct sb_user *u = &b->ds->users[i];
	struct sb_cache_user *r = &b->users[i];

	r->rec = b->rec_of[i];
	r->scim_id = intern(b, u->scim_id);
	r->flags = u->flags | (b->upg_of[i] ? SB_CACHE_USER_UPG : 0);
	r->n_keys = (uint32_t)u->n_ssh_keys;
	r->keys = pool(b, u->n_ssh_keys);
	for (size_t k = 0; !b->oom && k < u->n_ssh_keys; k++) {
		uint32_t s = intern(b, u->ssh_keys[k]);

		b->u32[r->keys + k] = s;
	}
}

static void put_group(struct sb_cache_build *b, const struct sb_group *g, struct sb_cache_group *r)
{
	r->name = intern(b, g->name);
	r->scim_id = intern(b, g->scim_id);
	r->gid = g->gid;
	r->flags = g->flags;
	r->name_hash = (uint32_t)sb_hash_str(g->name);
	r->n_members = (uint32_t)g->n_members;
	r->members = pool(b, g->n_members);
	for (size_t k = 0; !b->oom && k < g->n_members; k++)
		b->u32[r->members + k] =
		    g->members[k] < b->ds->n_users ? b->rec_of[g->members[k]] : 0;
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p *= 2;
	return p;
}

/* which: 0 group name, 1 gid, over the stored groups. */
static int build_group_index(struct sb_cache_build *b, int which)
{
	uint32_t *t = calloc(b->gidx_cap, sizeof(*t));

	b->gidx[which] = t;
	if (!t)
		return -1;
	for (size_t i = 0; i < b->n_groups; i++) {
		const struct sb_cache_group *g = &b->groups[i];
		uint64_t h = which == 0 ? g->name_hash : sb_hash_u32(g->gid);
		size_t j;

		/* name_hash is the low 32 bits of the name's hash: enough for a slot */
		j = h & (b->gidx_cap - 1);
		while (t[j])
			j = (j + 1) & (b->gidx_cap - 1);
		t[j] = (uint32_t)(i + 1);
	}
	return 0;
}

static int put_everything(struct sb_cache_build *b)
{
	const struct sb_dataset *ds = b->ds;

	if (sort_groups(b) < 0)
		return -1;
	b->n_buckets = pow2_at_least(ds->n_users / 4 + 1);
	b->rec_of = calloc(ds->n_users + 1, sizeof(*b->rec_of));
	b->users = calloc(ds->n_users + 1, sizeof(*b->users));
	b->groups = calloc(b->n_groups + 1, sizeof(*b->groups));
	b->idmap = calloc(ds->n_idmap + 1, sizeof(*b->idmap));
	b->str = calloc(1, 1); /* offset 0 is the empty string: absent fields */
	if (!b->rec_of || !b->users || !b->groups || !b->idmap || !b->str)
		return -1;
	b->n_str = b->cap_str = 1;
	if (put_list(b, 0) < 0 || put_list(b, 1) < 0)
		return -1;
	for (size_t i = 0; i < ds->n_users && !b->oom; i++)
		put_user(b, i);
	for (size_t i = 0; i < ds->n_groups && !b->oom; i++)
		if (b->stored[i])
			put_group(b, &ds->groups[i], &b->groups[b->stored[i] - 1]);
	for (size_t i = 0; i < ds->n_idmap && !b->oom; i++) {
		b->idmap[i].scim_id = intern(b, ds->idmap[i].scim_id);
		b->idmap[i].id = ds->idmap[i].id;
		b->idmap[i].kind = ds->idmap[i].kind;
	}
	b->gidx_cap = pow2_at_least(b->n_groups * 2 + 1);
	if (b->oom || build_group_index(b, 0) < 0 || build_group_index(b, 1) < 0)
		return -1;
	return 0;
}

int sb_cache_build(struct sb_cache_build *b, const struct sb_dataset *ds, struct sb_err *err)
{
	memset(b, 0, sizeof(*b));
	b->ds = ds;
	if (put_everything(b) < 0) {
		if (b->too_long)
			return sb_err_set(err, SB_E_INTERNAL,
					  "user %s has a passwd field over 65535 bytes",
					  b->too_long);
		return sb_err_set(err, SB_E_NOMEM, "out of memory building the cache");
	}
	const void *src[SB_SEC_COUNT] = {b->urecs[0], b->urecs[1], b->dir[0], b->dir[1],
					 b->users,    b->groups,   b->idmap,  b->u32,
					 b->gidx[0],  b->gidx[1],  b->str};
	uint64_t len[SB_SEC_COUNT] = {
	    b->n_urecs[0],
	    b->n_urecs[1],
	    (b->n_buckets + 1) * sizeof(uint32_t),
	    (b->n_buckets + 1) * sizeof(uint32_t),
	    ds->n_users * sizeof(struct sb_cache_user),
	    b->n_groups * sizeof(struct sb_cache_group),
	    ds->n_idmap * sizeof(struct sb_cache_idmap),
	    (uint64_t)b->n_u32 * sizeof(uint32_t),
	    b->gidx_cap * sizeof(uint32_t),
	    b->gidx_cap * sizeof(uint32_t),
	    b->n_str,
	};
	memcpy(b->src, src, sizeof(src));
	memcpy(b->len, len, sizeof(len));
	return 0;
}

void sb_cache_build_free(struct sb_cache_build *b)
{
	for (int w = 0; w < 2; w++) {
		free(b->urecs[w]);
		free(b->dir[w]);
		free(b->gidx[w]);
	}
	free(b->rec_of);
	free(b->upg_of);
	free(b->stored);
	free(b->users);
	free(b->groups);
	free(b->idmap);
	free(b->u32);
	free(b->str);
	sb_strmap_free(&b->interned);
}
