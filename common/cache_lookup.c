/* cache_lookup.c — lookups in a mapped cache (layout in cache_format.h):
 * users by name and uid from the bucketed record lists, groups from the
 * group indexes or, for a user private group, from its user. Every offset
 * read from the file is checked against bounds fixed at open before use. */
#include <string.h>

#include "cache_internal.h"
#include "cache_reader.h"
#include "cache_hash.h"
#include "hot.h"

/* A bucket's records are prefetched together; a corrupt directory naming a
 * huge bucket is still walked, just not prefetched past this. */
#define PREFETCH_MAX 1024

static const char *str_at(const struct sb_cache *c, uint32_t off)
{
	return off < c->n_str ? c->str + off : "";
}

/* A u32 run [start, start+n) inside the pool. */
static int run_ok(const struct sb_cache *c, uint32_t start, uint32_t n)
{
	return (uint64_t)start + n <= c->n_u32;
}

SB_HOT static uint64_t rec_bytes(const struct sb_cache_urec *r)
{
	return ((uint64_t)SB_UREC_GIDS_AT(r) + (uint64_t)r->n_gids * 4 + 7) & ~(uint64_t)7;
}

/* The record at 8-byte unit `at` of list l, or NULL when it or its text
 * would reach past the section or a string is not terminated where its
 * length says: all checks on bytes the lookup reads anyway. */
SB_HOT static const struct sb_cache_urec *urec_at(const struct sb_cache_list *l, uint64_t at)
{
	const struct sb_cache_urec *r;
	const char *t;
	uint32_t n;

	if (at >= l->units || (l->units - at) * 8 < sizeof(*r))
		return NULL;
	r = (const void *)(l->recs + at * 8);
	if (rec_bytes(r) > (l->units - at) * 8)
		return NULL;
	t = (const char *)(r + 1);
	n = r->name_len;
	if (t[n] || t[n + 2])
		return NULL;
	n += 3 + r->gecos_len;
	if (t[n])
		return NULL;
	n += 1 + r->home_len;
	if (t[n] || t[n + 1 + r->shell_len])
		return NULL;
	return r;
}

/* A by-name record from its ref (users[].rec, group members). */
static const struct sb_cache_urec *urec_ref(const struct sb_cache *c, uint32_t ref)
{
	return ref ? urec_at(&c->list[0], (uint64_t)ref - 1) : NULL;
}

struct ukey {
	const char *name; /* by name when set, else by uid */
	uint64_t hash;
	uint32_t uid;
};

/* Compares in line rather than with strcmp: a call into libc is one more
 * code page to walk after the syscall that precedes every NSS call. */
SB_HOT static int urec_matches(const struct sb_cache_urec *r, const struct ukey *k)
{
	const char *t = (const char *)(r + 1);

	if (!k->name)
		return r->uid == k->uid;
	if (r->name_hash != (uint32_t)k->hash)
		return 0;
	for (uint32_t i = 0; i <= r->name_len; i++)
		if (t[i] != k->name[i])
			return 0;
	return 1;
}

/* Walks the key's bucket, which was prefetched whole: one wait for memory. */
SB_HOT static const struct sb_cache_urec *find_urec(const struct sb_cache *c, const struct ukey *k)
{
	const struct sb_cache_list *l = &c->list[k->name ? 0 : 1];
	uint32_t b = (uint32_t)(k->hash & l->mask);
	uint64_t at = l->dir[b], end = l->dir[b + 1];

	if (end > l->units || at > end)
		return NULL;
	for (uint64_t p = at * 8; p < end * 8 && p < at * 8 + PREFETCH_MAX; p += 64)
		__builtin_prefetch(l->recs + p);
	while (at < end) {
		const struct sb_cache_urec *r = urec_at(l, at);

		if (!r)
			return NULL;
		if (urec_matches(r, k))
			return r;
		at += rec_bytes(r) / 8;
	}
	return NULL;
}

SB_HOT static const struct sb_cache_urec *find_name(const struct sb_cache *c, const char *name)
{
	struct ukey k = {.name = name, .hash = sb_hash_str(name)};

	return find_urec(c, &k);
}

SB_HOT static const struct sb_cache_urec *find_uid(const struct sb_cache *c, uint32_t uid)
{
	struct ukey k = {.hash = sb_hash_u32(uid), .uid = uid};

	return find_urec(c, &k);
}

/* Groups a user may be given: named groups from gid_min, private groups
 * (gid = uid) from uid_min. */
static uint32_t any_gid_min(const struct sb_cache *c)
{
	return c->gid_min < c->uid_min ? c->gid_min : c->uid_min;
}

/* A user is served only with ids the writer could have given (the floors,
 * cache_reader.h; a primary gid below them only if it is primary_group's
 * local gid, never 0); a supplementary list holding a lower gid is dropped
 * whole: only a damaged or forged file has one. */
SB_HOT static int ids_ok(const struct sb_cache *c, const struct sb_user_view *v)
{
	uint32_t floor = any_gid_min(c);

	if (v->uid < c->uid_min ||
	    (v->gid != v->uid && v->gid < c->gid_min && (!v->gid || v->gid != c->primary_gid)))
		return 0;
	for (uint32_t i = 0; i < v->n_gids; i++)
		if (v->gids[i] < floor)
			return 0;
	return 1;
}

/* The passwd part of a view, from the record alone (and the gids, which
 * only by-name records carry). */
SB_HOT static int passwd_view(const struct sb_cache *c, const struct sb_cache_urec *r,
			      struct sb_user_view *v)
{
	if (!r)
		return 0;
	memset(v, 0, sizeof(*v));
	v->text = (const char *)(r + 1);
	v->text_len = SB_UREC_TEXT_LEN(r);
	v->name = v->text;
	v->gecos = v->name + r->name_len + 3;
	v->home = v->gecos + r->gecos_len + 1;
	v->shell = v->home + r->home_len + 1;
	v->scim_id = "";
	v->uid = r->uid;
	v->gid = r->gid;
	v->n_gids = r->n_gids;
	v->gids = (const uint32_t *)(const void *)((const uint8_t *)r + SB_UREC_GIDS_AT(r));
	v->index = r->user;
	return ids_ok(c, v);
}

/* The rest: users[] and the gids of the by-name record. */
static int detail_view(const struct sb_cache *c, struct sb_user_view *v)
{
	const struct sb_cache_user *u;
	const struct sb_cache_urec *r;

	if (v->index >= c->n_users)
		return 0;
	u = &c->users[v->index];
	r = urec_ref(c, u->rec);
	if (!r || r->user != v->index)
		return 0;
	v->scim_id = str_at(c, u->scim_id);
	v->flags = u->flags & ~SB_CACHE_USER_UPG;
	v->n_gids = r->n_gids;
	v->gids = (const uint32_t *)(const void *)((const uint8_t *)r + SB_UREC_GIDS_AT(r));
	v->n_keys = run_ok(c, u->keys, u->n_keys) ? u->n_keys : 0;
	return 1;
}

int sb_cache_user_by_name(const struct sb_cache *c, const char *name, struct sb_user_view *out)
{
	return passwd_view(c, find_name(c, name), out) && detail_view(c, out);
}

int sb_cache_user_by_uid(const struct sb_cache *c, uint32_t uid, struct sb_user_view *out)
{
	return passwd_view(c, find_uid(c, uid), out) && detail_view(c, out);
}

SB_HOT int sb_cache_passwd_by_name(const struct sb_cache *c, const char *name,
				   struct sb_user_view *out)
{
	return passwd_view(c, find_name(c, name), out);
}

SB_HOT int sb_cache_passwd_by_uid(const struct sb_cache *c, uint32_t uid, struct sb_user_view *out)
{
	return passwd_view(c, find_uid(c, uid), out);
}

/* A user the floors refuse (or a damaged record) is a hole, as in
 * sb_cache_group_at: returning 0 there ended getpwent at that user. */
int sb_cache_user_at(const struct sb_cache *c, uint32_t i, struct sb_user_view *out)
{
	if (i >= c->n_users)
		return 0;
	if (!passwd_view(c, urec_ref(c, c->users[i].rec), out) || out->index != i ||
	    !detail_view(c, out)) {
		/* uid and gid 0, which no caller serves; empty fields laid out as
		 * passwd_view lays them out, so text[text_len - 1] is still ours */
		static const char hole[] = "\0*\0\0\0\0";

		memset(out, 0, sizeof(*out));
		out->text = out->name = hole;
		out->text_len = sizeof(hole) - 1;
		out->gecos = hole + 3;
		out->home = hole + 4;
		out->shell = hole + 5;
		out->scim_id = "";
		out->index = i;
	}
	return 1;
}

const char *sb_cache_user_key(const struct sb_cache *c, const struct sb_user_view *u, uint32_t i)
{
	if (i >= u->n_keys || u->index >= c->n_users)
		return NULL;
	return str_at(c, c->u32[c->users[u->index].keys + i]);
}

static int group_view(const struct sb_cache *c, uint32_t i, struct sb_group_view *v)
{
	const struct sb_cache_group *r;

	if (i >= c->n_groups)
		return 0;
	r = &c->groups[i];
	memset(v, 0, sizeof(*v));
	v->name = str_at(c, r->name);
	v->scim_id = str_at(c, r->scim_id);
	v->gid = r->gid;
	v->flags = r->flags;
	v->n_members = run_ok(c, r->members, r->n_members) ? r->n_members : 0;
	v->index = i;
	return r->gid >= c->gid_min;
}

/* The private group of the user a record names, if the user has one. It
 * lists no member, as useradd writes one into /etc/group and as SSSD's auto
 * private groups answer: glibc's initgroups adds the primary gid itself, and
 * initgroups_dyn returns exactly the groups whose member list names the user
 * (the user's gids never hold the private group), so listing the owner here
 * made `getent group alice` and `getent initgroups alice` disagree. */
static int upg_view(const struct sb_cache *c, const struct sb_cache_urec *r,
		    struct sb_group_view *v)
{
	if (!r || r->user >= c->n_users || !(c->users[r->user].flags & SB_CACHE_USER_UPG) ||
	    r->uid < c->uid_min)
		return 0;
	memset(v, 0, sizeof(*v));
	v->name = (const char *)(r + 1);
	v->scim_id = "";
	v->gid = r->uid;
	v->flags = SB_GROUP_UPG;
	v->n_members = 0;
	v->index = c->n_groups + r->user;
	return 1;
}

/* Probes group index w from hash h; match decides on a candidate (slot_ is
 * the group index + 1). Bounded by the table size, so a full (corrupt)
 * table still ends. */
#define PROBE(c, w, h, match)                                                                      \
	do {                                                                                       \
		uint32_t j_ = (uint32_t)(h) & (c)->gmask;                                          \
		for (uint32_t n_ = 0; n_ <= (c)->gmask; n_++) {                                    \
			uint32_t slot_ = (c)->gidx[w][j_];                                         \
			if (!slot_)                                                                \
				break;                                                             \
			if (slot_ <= (c)->n_groups && (match))                                     \
				return slot_;                                                      \
			j_ = (j_ + 1) & (c)->gmask;                                                \
		}                                                                                  \
		return 0;                                                                          \
	} while (0)

static uint32_t find_group_name(const struct sb_cache *c, const char *name)
{
	uint64_t h = sb_hash_str(name);

	PROBE(c, 0, h,
	      c->groups[slot_ - 1].name_hash == (uint32_t)h &&
		  strcmp(str_at(c, c->groups[slot_ - 1].name), name) == 0);
}

static uint32_t find_gid(const struct sb_cache *c, uint32_t gid)
{
	PROBE(c, 1, sb_hash_u32(gid), c->groups[slot_ - 1].gid == gid);
}

int sb_cache_group_by_name(const struct sb_cache *c, const char *name, struct sb_group_view *out)
{
	uint32_t slot = find_group_name(c, name);

	return slot ? group_view(c, slot - 1, out) : upg_view(c, find_name(c, name), out);
}

int sb_cache_group_by_gid(const struct sb_cache *c, uint32_t gid, struct sb_group_view *out)
{
	uint32_t slot = find_gid(c, gid);

	return slot ? group_view(c, slot - 1, out) : upg_view(c, find_uid(c, gid), out);
}

int sb_cache_group_at(const struct sb_cache *c, uint32_t i, struct sb_group_view *out)
{
	uint32_t u = i - c->n_groups;

	if (i >= c->n_groups && u >= c->n_users)
		return 0;
	if (i < c->n_groups ? !group_view(c, i, out)
			    : !upg_view(c, urec_ref(c, c->users[u].rec), out) || out->index != i) {
		memset(out, 0, sizeof(*out)); /* a hole: gid 0, which no caller serves */
		out->name = out->scim_id = "";
		out->index = i;
	}
	return 1;
}

const char *sb_cache_group_member(const struct sb_cache *c, const struct sb_group_view *g,
				  uint32_t i)
{
	const struct sb_cache_urec *r;

	if (i >= g->n_members)
		return NULL;
	if (g->index < c->n_groups)
		r = urec_ref(c, c->u32[c->groups[g->index].members + i]);
	else
		r = NULL;
	return r ? (const char *)(r + 1) : "";
}

int sb_cache_idmap_at(const struct sb_cache *c, uint32_t i, const char **scim_id, uint32_t *id,
		      uint32_t *kind)
{
	if (i >= c->n_idmap)
		return 0;
	*scim_id = str_at(c, c->idmap[i].scim_id);
	*id = c->idmap[i].id;
	*kind = c->idmap[i].kind;
	return 1;
}
