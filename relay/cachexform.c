/* cachexform.c — the delta-friendly rewrite of a cache file (cachexform.h).
 * Every step is a bijection given the parts it does not touch (the by-name
 * records, which both directions read to map refs and users); the forward
 * direction refuses a file on which a step would not be, and a publisher
 * checks the round trip before it ships a rewritten delta. */
#include "cachexform.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cache_format.h"

struct view {
	uint8_t *buf;
	size_t len;
	struct sb_cache_header h;
	uint32_t *rec_user; /* by-name record ref -> user index + 1, 0 = none */
	uint32_t *user_rec; /* user index -> ref of its by-name record */
	size_t n_refs;
};

static void *sec(const struct view *v, int s)
{
	return v->buf + v->h.sec[s].off;
}

static int open_view(struct view *v, uint8_t *buf, size_t len, struct sb_err *err)
{
	memset(v, 0, sizeof(*v));
	v->buf = buf;
	v->len = len;
	if (len < sizeof(v->h))
		return sb_err_set(err, SB_E_FORMAT, "cache too short to rewrite");
	memcpy(&v->h, buf, sizeof(v->h));
	if (memcmp(v->h.magic, SB_CACHE_MAGIC, sizeof(v->h.magic)) != 0 ||
	    v->h.version != SB_CACHE_VERSION || v->h.header_size != sizeof(v->h) ||
	    v->h.file_size != len)
		return sb_err_set(err, SB_E_FORMAT, "not a version %u cache of %zu bytes",
				  SB_CACHE_VERSION, len);
	for (int s = 0; s < SB_SEC_COUNT; s++)
		if (v->h.sec[s].off % 8 || v->h.sec[s].off > len ||
		    v->h.sec[s].size > len - v->h.sec[s].off)
			return sb_err_set(err, SB_E_FORMAT, "cache section %d out of bounds", s);
	if (v->h.sec[SB_SEC_USERS].size != (uint64_t)v->h.n_users * sizeof(struct sb_cache_user) ||
	    v->h.sec[SB_SEC_GROUPS].size !=
		(uint64_t)v->h.n_groups * sizeof(struct sb_cache_group) ||
	    v->h.sec[SB_SEC_U32].size != (uint64_t)v->h.n_u32 * 4)
		return sb_err_set(err, SB_E_FORMAT, "cache counts do not match its sections");
	return 0;
}

/* Walks the by-name records: which user each ref is, and back. */
static int map_records(struct view *v, struct sb_err *err)
{
	const uint8_t *p = sec(v, SB_SEC_BYNAME);
	size_t size = v->h.sec[SB_SEC_BYNAME].size, at = 0;

	v->n_refs = size / 8 + 1;
	v->rec_user = calloc(v->n_refs, sizeof(*v->rec_user));
	v->user_rec = calloc((size_t)v->h.n_users + 1, sizeof(*v->user_rec));
	if (!v->rec_user || !v->user_rec)
		return sb_err_set(err, SB_E_NOMEM, "out of memory rewriting the cache");
	while (at < size) {
		struct sb_cache_urec r;
		size_t need;

		if (size - at < sizeof(r))
			return sb_err_set(err, SB_E_FORMAT, "cache record at %zu cut short", at);
		memcpy(&r, p + at, sizeof(r));
		need = (SB_UREC_GIDS_AT(&r) + (size_t)r.n_gids * 4 + 7) & ~(size_t)7;
		if (need > size - at || r.user >= v->h.n_users || v->user_rec[r.user])
			return sb_err_set(err, SB_E_FORMAT,
					  "cache record at %zu is not one of ours", at);
		v->rec_user[at / 8 + 1] = r.user + 1;
		v->user_rec[r.user] = (uint32_t)(at / 8 + 1);
		at += need;
	}
	return 0;
}

/* Differences from the previous entry (forward), or their running sum. */
static void diff_code(uint8_t *base, size_t n, size_t stride, size_t field, int fwd)
{
	uint32_t prev = 0, cur;

	for (size_t i = 0; i < n; i++) {
		uint8_t *at = base + i * stride + field;

		memcpy(&cur, at, 4);
		if (fwd) {
			uint32_t d = cur - prev;

			prev = cur;
			cur = d;
		} else {
			cur += prev;
			prev = cur;
		}
		memcpy(at, &cur, 4);
	}
}

/* Group member refs <-> user index + 1, over every group's run. */
static int map_members(struct view *v, int fwd, struct sb_err *err)
{
	const struct sb_cache_group *g = sec(v, SB_SEC_GROUPS);
	uint32_t *pool = sec(v, SB_SEC_U32);

	for (uint32_t i = 0; i < v->h.n_groups; i++) {
		struct sb_cache_group gr;

		memcpy(&gr, &g[i], sizeof(gr));
		if (gr.members > v->h.n_u32 || gr.n_members > v->h.n_u32 - gr.members)
			return sb_err_set(err, SB_E_FORMAT, "group %u's members out of bounds", i);
		for (uint32_t k = gr.members; k < gr.members + gr.n_members; k++) {
			uint32_t x = pool[k];

			if (x == 0)
				continue;
			if (fwd ? x >= v->n_refs || !v->rec_user[x] : x > v->h.n_users)
				return sb_err_set(err, SB_E_FORMAT,
						  "group %u: member %u is no user", i, x);
			pool[k] = fwd ? v->rec_user[x] : v->user_rec[x - 1];
		}
	}
	return 0;
}

/* users[].rec <-> rec - the ref of the user's own record (0 in a cache). */
static void map_users(struct view *v, int fwd)
{
	struct sb_cache_user *u = sec(v, SB_SEC_USERS);

	for (uint32_t i = 0; i < v->h.n_users; i++) {
		uint32_t rec;

		memcpy(&rec, &u[i].rec, 4);
		rec = fwd ? rec - v->user_rec[i] : rec + v->user_rec[i];
		memcpy(&u[i].rec, &rec, 4);
	}
}

static void diff_columns(struct view *v, int fwd)
{
	uint8_t *u = sec(v, SB_SEC_USERS), *g = sec(v, SB_SEC_GROUPS);
	size_t nu = v->h.n_users, ng = v->h.n_groups, su = sizeof(struct sb_cache_user),
	       sg = sizeof(struct sb_cache_group);

	diff_code(sec(v, SB_SEC_DIR_NAME), v->h.sec[SB_SEC_DIR_NAME].size / 4, 4, 0, fwd);
	diff_code(sec(v, SB_SEC_DIR_UID), v->h.sec[SB_SEC_DIR_UID].size / 4, 4, 0, fwd);
	diff_code(u, nu, su, offsetof(struct sb_cache_user, scim_id), fwd);
	diff_code(u, nu, su, offsetof(struct sb_cache_user, keys), fwd);
	diff_code(g, ng, sg, offsetof(struct sb_cache_group, name), fwd);
	diff_code(g, ng, sg, offsetof(struct sb_cache_group, scim_id), fwd);
	diff_code(g, ng, sg, offsetof(struct sb_cache_group, members), fwd);
	diff_code(sec(v, SB_SEC_IDMAP), v->h.n_idmap, sizeof(struct sb_cache_idmap),
		  offsetof(struct sb_cache_idmap, scim_id), fwd);
}

static int run(uint8_t *buf, size_t len, int fwd, struct sb_err *err)
{
	struct view v;
	int rc = -1;

	if (open_view(&v, buf, len, err) < 0)
		return -1;
	if (v.h.sec[SB_SEC_IDMAP].size < (uint64_t)v.h.n_idmap * sizeof(struct sb_cache_idmap)) {
		sb_err_set(err, SB_E_FORMAT, "cache idmap section too short");
		goto out;
	}
	if (map_records(&v, err) < 0)
		goto out;
	if (fwd) { /* members are mapped where the groups' runs are plain */
		if (map_members(&v, 1, err) < 0)
			goto out;
		map_users(&v, 1);
		diff_columns(&v, 1);
	} else {
		diff_columns(&v, 0);
		map_users(&v, 0);
		if (map_members(&v, 0, err) < 0)
			goto out;
	}
	rc = 0;
out:
	free(v.rec_user);
	free(v.user_rec);
	return rc;
}

int sb_cache_xform(uint8_t *buf, size_t len, struct sb_err *err)
{
	return run(buf, len, 1, err);
}

int sb_cache_unxform(uint8_t *buf, size_t len, struct sb_err *err)
{
	return run(buf, len, 0, err);
}
