/* cachexform.c — the delta-friendly rewrite of a cache file (cachexform.h).
 *
 * A user is named by its uid, which no change to other users moves, instead
 * of by a byte offset (which shifts when an earlier record changes length)
 * or an index into users[] (which shifts when an earlier user is added or
 * removed):
 * - group member refs and users[].rec become uid + 1 (0 stays 0);
 * - each urec's `user` (by name and by uid) becomes its difference from the
 *   index users[] gives that record (so 0);
 * - the group indexes' slots name their group by gid + 1, not by its index;
 * - the directories and the columns that grow along their array (string
 *   offsets, pool runs, users[].rec's uids, users' ssh-key offsets in the
 *   pool) become differences from the previous entry.
 * Both directions read only what the rewrite leaves alone (records' uids and
 * lengths) or what they have already restored, so each step is a bijection;
 * the forward direction refuses a file on which one would not be (two
 * records with one uid, a ref to no record), and the publisher checks the
 * round trip before it ships a delta made this way. */
#include "cachexform.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cache_format.h"

struct uid_ref {
	uint32_t uid, ref;
};

struct view {
	uint8_t *buf;
	size_t len;
	struct sb_cache_header h;
	size_t n_refs;		/* by-name section / 8 + 1 */
	uint32_t *ref_uid;	/* by-name ref -> uid + 1, 0 = not a record */
	struct uid_ref *by_uid; /* by-name records sorted by uid */
	size_t n_recs;
	uint32_t *expect; /* by-name ref -> users[] index + 1 pointing at it */
	int fwd;	  /* the direction, for walk's callbacks */
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
	    v->h.sec[SB_SEC_U32].size != (uint64_t)v->h.n_u32 * 4 ||
	    v->h.sec[SB_SEC_IDMAP].size < (uint64_t)v->h.n_idmap * sizeof(struct sb_cache_idmap))
		return sb_err_set(err, SB_E_FORMAT, "cache counts do not match its sections");
	return 0;
}

/* Calls fn for each record of urec section s (by name or by uid), with its
 * ref; -1 when a record does not fit. */
static int walk(struct view *v, int s, void (*fn)(struct view *, struct sb_cache_urec *, uint32_t),
		struct sb_err *err)
{
	uint8_t *p = sec(v, s);
	size_t size = v->h.sec[s].size, at = 0;

	while (at < size) {
		struct sb_cache_urec r;
		size_t need;

		if (size - at < sizeof(r))
			return sb_err_set(err, SB_E_FORMAT, "cache record at %zu cut short", at);
		memcpy(&r, p + at, sizeof(r));
		need = (SB_UREC_GIDS_AT(&r) + (size_t)r.n_gids * 4 + 7) & ~(size_t)7;
		if (need > size - at)
			return sb_err_set(err, SB_E_FORMAT, "cache record at %zu cut short", at);
		fn(v, &r, (uint32_t)(at / 8 + 1));
		memcpy(p + at, &r, sizeof(r));
		at += need;
	}
	return 0;
}

static void note_record(struct view *v, struct sb_cache_urec *r, uint32_t ref)
{
	v->ref_uid[ref] = r->uid + 1;
	v->by_uid[v->n_recs].uid = r->uid;
	v->by_uid[v->n_recs++].ref = ref;
}

static int cmp_uid(const void *a, const void *b)
{
	const struct uid_ref *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* The by-name records' uids, both ways; each uid names one record. */
static int map_records(struct view *v, struct sb_err *err)
{
	v->n_refs = v->h.sec[SB_SEC_BYNAME].size / 8 + 1;
	v->ref_uid = calloc(v->n_refs, sizeof(*v->ref_uid));
	v->by_uid = calloc(v->n_refs, sizeof(*v->by_uid));
	v->expect = calloc(v->n_refs, sizeof(*v->expect));
	if (!v->ref_uid || !v->by_uid || !v->expect)
		return sb_err_set(err, SB_E_NOMEM, "out of memory rewriting the cache");
	if (walk(v, SB_SEC_BYNAME, note_record, err) < 0)
		return -1;
	qsort(v->by_uid, v->n_recs, sizeof(*v->by_uid), cmp_uid);
	for (size_t i = 0; i < v->n_recs; i++)
		if (v->by_uid[i].uid == UINT32_MAX ||
		    (i && v->by_uid[i].uid == v->by_uid[i - 1].uid))
			return sb_err_set(err, SB_E_FORMAT, "cache has two records for uid %u",
					  v->by_uid[i].uid);
	return 0;
}

static uint32_t ref_of_uid(const struct view *v, uint32_t uid)
{
	struct uid_ref key = {.uid = uid}, *hit;

	hit = bsearch(&key, v->by_uid, v->n_recs, sizeof(key), cmp_uid);
	return hit ? hit->ref : 0;
}

/* A by-name ref <-> uid + 1 (0 <-> 0). */
static int ref_to_uid(const struct view *v, uint32_t *x, int fwd)
{
	if (*x == 0)
		return 0;
	if (fwd) {
		if (*x >= v->n_refs || !v->ref_uid[*x])
			return -1;
		*x = v->ref_uid[*x];
	} else {
		uint32_t ref = ref_of_uid(v, *x - 1);

		if (!ref)
			return -1;
		*x = ref;
	}
	return 0;
}

/* Group member refs and users[].rec. */
static int map_refs(struct view *v, int fwd, struct sb_err *err)
{
	const struct sb_cache_group *g = sec(v, SB_SEC_GROUPS);
	struct sb_cache_user *u = sec(v, SB_SEC_USERS);
	uint32_t *pool = sec(v, SB_SEC_U32);

	for (uint32_t i = 0; i < v->h.n_groups; i++) {
		struct sb_cache_group gr;

		memcpy(&gr, &g[i], sizeof(gr));
		if (gr.members > v->h.n_u32 || gr.n_members > v->h.n_u32 - gr.members)
			return sb_err_set(err, SB_E_FORMAT, "group %u's members out of bounds", i);
		for (uint32_t k = gr.members; k < gr.members + gr.n_members; k++)
			if (ref_to_uid(v, &pool[k], fwd) < 0)
				return sb_err_set(err, SB_E_FORMAT,
						  "group %u: member %u is no user", i, pool[k]);
	}
	for (uint32_t i = 0; i < v->h.n_users; i++)
		if (ref_to_uid(v, &u[i].rec, fwd) < 0)
			return sb_err_set(err, SB_E_FORMAT, "user %u: record %u is no record", i,
					  u[i].rec);
	return 0;
}

/* Which users[] entry points at each by-name record (from plain rec refs). */
static int note_expect(struct view *v, struct sb_err *err)
{
	const struct sb_cache_user *u = sec(v, SB_SEC_USERS);

	for (uint32_t i = 0; i < v->h.n_users; i++) {
		uint32_t ref = u[i].rec;

		if (ref == 0)
			continue;
		if (ref >= v->n_refs || v->expect[ref])
			return sb_err_set(err, SB_E_FORMAT, "user %u: record %u shared or absent",
					  i, ref);
		v->expect[ref] = i + 1;
	}
	return 0;
}

static void shift_user(const struct view *v, struct sb_cache_urec *r, uint32_t e)
{
	uint32_t base = e ? e - 1 : 0;

	r->user = v->fwd ? r->user - base : r->user + base;
}

static void user_byname(struct view *v, struct sb_cache_urec *r, uint32_t ref)
{
	shift_user(v, r, v->expect[ref]);
}

static void user_byuid(struct view *v, struct sb_cache_urec *r, uint32_t ref)
{
	uint32_t named = ref_of_uid(v, r->uid);

	(void)ref;
	shift_user(v, r, named ? v->expect[named] : 0);
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

static void diff_columns(struct view *v, int fwd)
{
	uint8_t *u = sec(v, SB_SEC_USERS), *g = sec(v, SB_SEC_GROUPS);
	size_t nu = v->h.n_users, ng = v->h.n_groups, su = sizeof(struct sb_cache_user),
	       sg = sizeof(struct sb_cache_group);

	diff_code(sec(v, SB_SEC_DIR_NAME), v->h.sec[SB_SEC_DIR_NAME].size / 4, 4, 0, fwd);
	diff_code(sec(v, SB_SEC_DIR_UID), v->h.sec[SB_SEC_DIR_UID].size / 4, 4, 0, fwd);
	diff_code(u, nu, su, offsetof(struct sb_cache_user, rec), fwd);
	diff_code(u, nu, su, offsetof(struct sb_cache_user, scim_id), fwd);
	diff_code(u, nu, su, offsetof(struct sb_cache_user, keys), fwd);
	diff_code(g, ng, sg, offsetof(struct sb_cache_group, name), fwd);
	diff_code(g, ng, sg, offsetof(struct sb_cache_group, scim_id), fwd);
	diff_code(g, ng, sg, offsetof(struct sb_cache_group, members), fwd);
	diff_code(sec(v, SB_SEC_IDMAP), v->h.n_idmap, sizeof(struct sb_cache_idmap),
		  offsetof(struct sb_cache_idmap, scim_id), fwd);
}

/* Users' ssh-key string offsets in the pool, in user order, as differences
 * (strings are interned in user order: an earlier user's strings removed
 * shift every later offset). After diff_columns' inverse: reads plain runs. */
static int diff_keys(struct view *v, int fwd, struct sb_err *err)
{
	const struct sb_cache_user *u = sec(v, SB_SEC_USERS);
	uint32_t *pool = sec(v, SB_SEC_U32), prev = 0;

	for (uint32_t i = 0; i < v->h.n_users; i++) {
		struct sb_cache_user e;

		memcpy(&e, &u[i], sizeof(e));
		if (e.keys > v->h.n_u32 || e.n_keys > v->h.n_u32 - e.keys)
			return sb_err_set(err, SB_E_FORMAT, "user %u's keys out of bounds", i);
		for (uint32_t k = e.keys; k < e.keys + e.n_keys; k++) {
			uint32_t cur = pool[k];

			pool[k] = fwd ? cur - prev : cur + prev;
			prev = fwd ? cur : pool[k];
		}
	}
	return 0;
}

/* The group indexes' slots (group index + 1) <-> the group's gid + 1: a
 * group added or removed mid-array moves the index of every later group. */
static int map_group_slots(struct view *v, int fwd, struct sb_err *err)
{
	const struct sb_cache_group *g = sec(v, SB_SEC_GROUPS);
	struct uid_ref *t = calloc((size_t)v->h.n_groups + 1, sizeof(*t));
	int rc = -1;

	if (!t)
		return sb_err_set(err, SB_E_NOMEM, "out of memory rewriting the cache");
	for (uint32_t i = 0; i < v->h.n_groups; i++) {
		memcpy(&t[i].uid, &g[i].gid, 4);
		t[i].ref = i + 1;
	}
	qsort(t, v->h.n_groups, sizeof(*t), cmp_uid);
	for (uint32_t i = 0; i < v->h.n_groups; i++)
		if (t[i].uid == UINT32_MAX || (i && t[i].uid == t[i - 1].uid)) {
			sb_err_set(err, SB_E_FORMAT, "cache has two groups with gid %u", t[i].uid);
			goto out;
		}
	for (int s = SB_SEC_IDX_GNAME; s <= SB_SEC_IDX_GID; s++) {
		uint32_t *slot = sec(v, s);

		for (size_t k = 0; k < v->h.sec[s].size / 4; k++) {
			struct uid_ref key = {.uid = slot[k] - 1}, *hit;
			uint32_t gid;

			if (slot[k] == 0)
				continue;
			if (fwd && slot[k] > v->h.n_groups) {
				sb_err_set(err, SB_E_FORMAT, "group index slot %zu out of range",
					   k);
				goto out;
			}
			if (fwd) {
				memcpy(&gid, &g[slot[k] - 1].gid, 4);
				slot[k] = gid + 1;
				continue;
			}
			hit = bsearch(&key, t, v->h.n_groups, sizeof(key), cmp_uid);
			if (!hit) {
				sb_err_set(err, SB_E_FORMAT, "group index slot %zu: no gid %u", k,
					   key.uid);
				goto out;
			}
			slot[k] = hit->ref;
		}
	}
	rc = 0;
out:
	free(t);
	return rc;
}

static int shift_users(struct view *v, int fwd, struct sb_err *err)
{
	v->fwd = fwd;
	if (note_expect(v, err) < 0 || walk(v, SB_SEC_BYNAME, user_byname, err) < 0 ||
	    walk(v, SB_SEC_BYUID, user_byuid, err) < 0)
		return -1;
	return 0;
}

static int run(uint8_t *buf, size_t len, int fwd, struct sb_err *err)
{
	struct view v;
	int rc = -1;

	if (open_view(&v, buf, len, err) < 0)
		return -1;
	if (!fwd)
		diff_columns(&v, 0);
	if (map_records(&v, err) < 0)
		goto out;
	if (fwd) {
		if (shift_users(&v, 1, err) < 0 || map_refs(&v, 1, err) < 0 ||
		    diff_keys(&v, 1, err) < 0 || map_group_slots(&v, 1, err) < 0)
			goto out;
		diff_columns(&v, 1);
	} else if (map_group_slots(&v, 0, err) < 0 || diff_keys(&v, 0, err) < 0 ||
		   map_refs(&v, 0, err) < 0 || shift_users(&v, 0, err) < 0) {
		goto out;
	}
	rc = 0;
out:
	free(v.ref_uid);
	free(v.by_uid);
	free(v.expect);
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
