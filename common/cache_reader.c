/* cache_reader.c — a mapped cache file (layout in cache_format.h). Every
 * section and count is validated once at open; after that each lookup only
 * checks record indexes and string offsets against numbers already known to
 * lie inside the mapping, so a corrupt file cannot make us read past it. */
#include "cache_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_format.h"
#include "hashmap.h"

struct sb_cache {
	const uint8_t *base;
	size_t size;
	const struct sb_cache_header *h;
	const uint8_t *urecs;
	uint64_t n_urecs; /* bytes */
	const struct sb_cache_user *users;
	const struct sb_cache_group *groups;
	const struct sb_cache_idmap *idmap;
	const uint32_t *u32;
	const uint32_t *idx[4];
	uint32_t mask[4];
	const char *str;
	uint32_t n_str;
	/* Counts copied at open: the mapping is shared, so a file rewritten in
	 * place (cp over it) must not be able to widen a bound we checked. */
	uint32_t n_users, n_groups, n_idmap, n_u32;
	dev_t dev;
	ino_t ino;
};

static const char *str_at(const struct sb_cache *c, uint32_t off)
{
	return off < c->n_str ? c->str + off : "";
}

/* A u32 run [start, start+n) inside the pool. */
static int run_ok(const struct sb_cache *c, uint32_t start, uint32_t n)
{
	return (uint64_t)start + n <= c->n_u32;
}

static int section_ok(const struct sb_cache_header *h, int s, uint64_t elem, uint64_t count)
{
	const struct sb_cache_section *sec = &h->sec[s];

	if (sec->off % 8 || sec->off < h->header_size || sec->off > h->file_size ||
	    sec->size > h->file_size - sec->off)
		return 0;
	return count == UINT64_MAX || sec->size == elem * count;
}

static int pow2_index(const struct sb_cache_header *h, int s)
{
	uint64_t n = h->sec[s].size / 4;

	return h->sec[s].size % 4 == 0 && n >= 1 && (n & (n - 1)) == 0 && n <= UINT32_MAX;
}

static int validate(const struct sb_cache_header *h, size_t size, struct sb_err *err,
		    const char *path)
{
	if (size < sizeof(*h) || memcmp(h->magic, SB_CACHE_MAGIC, sizeof(h->magic)) != 0)
		return sb_err_set(err, SB_E_FORMAT, "%s: not a scimbridge cache", path);
	if (h->version != SB_CACHE_VERSION)
		return sb_err_set(err, SB_E_FORMAT, "%s: cache version %u, this build reads %u",
				  path, h->version, SB_CACHE_VERSION);
	if (h->header_size < sizeof(*h) || h->file_size != size)
		return sb_err_set(err, SB_E_FORMAT,
				  "%s: truncated or padded cache (%zu bytes, "
				  "header says %llu)",
				  path, size, (unsigned long long)h->file_size);
	if (!section_ok(h, SB_SEC_URECS, 1, UINT64_MAX) ||
	    !section_ok(h, SB_SEC_USERS, sizeof(struct sb_cache_user), h->n_users) ||
	    !section_ok(h, SB_SEC_GROUPS, sizeof(struct sb_cache_group), h->n_groups) ||
	    !section_ok(h, SB_SEC_IDMAP, sizeof(struct sb_cache_idmap), h->n_idmap) ||
	    !section_ok(h, SB_SEC_U32, 4, h->n_u32) ||
	    !section_ok(h, SB_SEC_STRINGS, 1, UINT64_MAX))
		return sb_err_set(err, SB_E_FORMAT, "%s: a section lies outside the file", path);
	for (int s = SB_SEC_IDX_UNAME; s <= SB_SEC_IDX_GID; s++)
		if (!section_ok(h, s, 4, UINT64_MAX) || !pow2_index(h, s))
			return sb_err_set(err, SB_E_FORMAT, "%s: bad index section", path);
	if (h->sec[SB_SEC_STRINGS].size == 0 || h->sec[SB_SEC_STRINGS].size > UINT32_MAX)
		return sb_err_set(err, SB_E_FORMAT, "%s: bad string section", path);
	return 0;
}

static void bind_sections(struct sb_cache *c)
{
	const struct sb_cache_header *h = c->h;

	c->urecs = c->base + h->sec[SB_SEC_URECS].off;
	c->n_urecs = h->sec[SB_SEC_URECS].size;
	c->users = (const void *)(c->base + h->sec[SB_SEC_USERS].off);
	c->groups = (const void *)(c->base + h->sec[SB_SEC_GROUPS].off);
	c->idmap = (const void *)(c->base + h->sec[SB_SEC_IDMAP].off);
	c->u32 = (const void *)(c->base + h->sec[SB_SEC_U32].off);
	for (int w = 0; w < 4; w++) {
		c->idx[w] = (const void *)(c->base + h->sec[SB_SEC_IDX_UNAME + w].off);
		c->mask[w] = (uint32_t)(h->sec[SB_SEC_IDX_UNAME + w].size / 4 - 1);
	}
	c->str = (const char *)(c->base + h->sec[SB_SEC_STRINGS].off);
	c->n_str = (uint32_t)h->sec[SB_SEC_STRINGS].size;
	c->n_users = h->n_users;
	c->n_groups = h->n_groups;
	c->n_idmap = h->n_idmap;
	c->n_u32 = h->n_u32;
}

int sb_cache_open(const char *path, struct sb_cache **out, struct sb_err *err)
{
	struct sb_cache *c = NULL;
	struct stat st;
	void *map = MAP_FAILED;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return errno == ENOENT ? sb_err_set(err, SB_E_NOTFOUND, "%s: no cache yet", path)
				       : sb_err_sys(err, errno, "%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sb_err_set(err, SB_E_FORMAT, "%s: not a regular file", path);
		goto fail;
	}
	if ((size_t)st.st_size < sizeof(struct sb_cache_header)) {
		sb_err_set(err, SB_E_FORMAT, "%s: truncated cache (%lld bytes)", path,
			   (long long)st.st_size);
		goto fail;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		sb_err_sys(err, errno, "%s: mmap", path);
		goto fail;
	}
	if (validate(map, (size_t)st.st_size, err, path) < 0)
		goto fail;
	c = calloc(1, sizeof(*c));
	if (!c) {
		sb_err_set(err, SB_E_NOMEM, "out of memory");
		goto fail;
	}
	c->base = map;
	c->size = (size_t)st.st_size;
	c->h = map;
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	bind_sections(c);
	if (c->str[c->n_str - 1] != '\0') {
		sb_err_set(err, SB_E_FORMAT, "%s: string section not terminated", path);
		goto fail;
	}
	close(fd);
	*out = c;
	return 0;
fail:
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	free(c);
	close(fd);
	return -1;
}

void sb_cache_close(struct sb_cache *c)
{
	if (!c)
		return;
	munmap((void *)c->base, c->size);
	free(c);
}

bool sb_cache_superseded(const struct sb_cache *c)
{
	return __atomic_load_n(&c->h->superseded, __ATOMIC_RELAXED) != 0;
}

int sb_cache_is_current(const struct sb_cache *c, const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino;
}

void sb_cache_get_info(const struct sb_cache *c, struct sb_cache_info *info)
{
	info->version = c->h->version;
	info->generation = c->h->generation;
	info->sync_time = c->h->sync_time;
	info->write_time = c->h->write_time;
	info->n_users = c->h->n_users;
	info->n_groups = c->h->n_groups;
	info->n_idmap = c->h->n_idmap;
	info->file_size = c->h->file_size;
}

/* The urec a record ref names, or NULL when the ref, the record or its text
 * would reach past the section or a string is not terminated where its
 * length says: all checks on bytes the lookup reads anyway. */
static const struct sb_cache_urec *urec_at(const struct sb_cache *c, uint32_t ref)
{
	uint64_t off = ((uint64_t)ref - 1) * 8;
	const struct sb_cache_urec *r;
	const char *t;
	uint32_t at;

	if (ref == 0 || off + sizeof(*r) > c->n_urecs)
		return NULL;
	r = (const void *)(c->urecs + off);
	if (off + sizeof(*r) + SB_UREC_TEXT_LEN(r) > c->n_urecs)
		return NULL;
	t = (const char *)(r + 1);
	at = r->name_len;
	if (t[at] || t[at + 2])
		return NULL;
	at += 3 + r->gecos_len;
	if (t[at])
		return NULL;
	at += 1 + r->home_len;
	if (t[at] || t[at + 1 + r->shell_len])
		return NULL;
	return r;
}

/* The passwd part of a view, from the record alone. */
static int passwd_view(const struct sb_cache *c, uint32_t ref, struct sb_user_view *v)
{
	const struct sb_cache_urec *r = urec_at(c, ref);

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
	v->index = r->user;
	return 1;
}

/* The rest, from the user's entry in users[]. */
static int detail_view(const struct sb_cache *c, struct sb_user_view *v)
{
	const struct sb_cache_user *r;

	if (v->index >= c->n_users)
		return 0;
	r = &c->users[v->index];
	v->scim_id = str_at(c, r->scim_id);
	v->flags = r->flags;
	v->n_gids = run_ok(c, r->gids, r->n_gids) ? r->n_gids : 0;
	v->gids = c->u32 + (v->n_gids ? r->gids : 0);
	v->n_keys = run_ok(c, r->keys, r->n_keys) ? r->n_keys : 0;
	return 1;
}

static int user_view(const struct sb_cache *c, uint32_t ref, struct sb_user_view *v)
{
	return passwd_view(c, ref, v) && detail_view(c, v);
}

static int group_view(const struct sb_cache *c, uint32_t i, struct sb_group_view *v)
{
	const struct sb_cache_group *r;

	if (i >= c->n_groups)
		return 0;
	r = &c->groups[i];
	v->name = str_at(c, r->name);
	v->scim_id = str_at(c, r->scim_id);
	v->gid = r->gid;
	v->flags = r->flags;
	v->n_members = run_ok(c, r->members, r->n_members) ? r->n_members : 0;
	v->index = i;
	return 1;
}

/* Probes index w from hash h; match() decides on a candidate record. The probe
 * is bounded by the table size, so a full (corrupt) table still ends. */
#define PROBE(c, w, h, match)                                                               \
	do {                                                                                       \
		uint32_t j_ = (uint32_t)(h) & (c)->mask[w];                                        \
		for (uint32_t n_ = 0; n_ <= (c)->mask[w]; n_++) {                                  \
			uint32_t slot_ = (c)->idx[w][j_];                                          \
			if (!slot_)                                                                \
				break;                                                             \
			if (match)                                                                 \
				return slot_;                                                      \
			j_ = (j_ + 1) & (c)->mask[w];                                              \
		}                                                                                  \
		return 0;                                                                          \
	} while (0)

static int urec_is(const struct sb_cache *c, uint32_t ref, const char *name, uint32_t h)
{
	const struct sb_cache_urec *r = urec_at(c, ref);

	return r && r->name_hash == h && strcmp((const char *)(r + 1), name) == 0;
}

static int urec_has_uid(const struct sb_cache *c, uint32_t ref, uint32_t uid)
{
	const struct sb_cache_urec *r = urec_at(c, ref);

	return r && r->uid == uid;
}

/* User indexes hold record refs, checked by urec_at; group indexes hold a
 * group's index + 1. */
static uint32_t find_user_name(const struct sb_cache *c, const char *name)
{
	uint64_t h = sb_hash_str(name);

	PROBE(c, 0, h, urec_is(c, slot_, name, (uint32_t)h));
}

static uint32_t find_uid(const struct sb_cache *c, uint32_t uid)
{
	PROBE(c, 1, sb_hash_u32(uid), urec_has_uid(c, slot_, uid));
}

static uint32_t find_group_name(const struct sb_cache *c, const char *name)
{
	uint64_t h = sb_hash_str(name);

	PROBE(c, 2, h,
	      slot_ <= c->n_groups && c->groups[slot_ - 1].name_hash == (uint32_t)h &&
		  strcmp(str_at(c, c->groups[slot_ - 1].name), name) == 0);
}

static uint32_t find_gid(const struct sb_cache *c, uint32_t gid)
{
	PROBE(c, 3, sb_hash_u32(gid), slot_ <= c->n_groups && c->groups[slot_ - 1].gid == gid);
}

int sb_cache_user_by_name(const struct sb_cache *c, const char *name, struct sb_user_view *out)
{
	uint32_t ref = find_user_name(c, name);

	return ref ? user_view(c, ref, out) : 0;
}

int sb_cache_user_by_uid(const struct sb_cache *c, uint32_t uid, struct sb_user_view *out)
{
	uint32_t ref = find_uid(c, uid);

	return ref ? user_view(c, ref, out) : 0;
}

int sb_cache_passwd_by_name(const struct sb_cache *c, const char *name, struct sb_user_view *out)
{
	uint32_t ref = find_user_name(c, name);

	return ref ? passwd_view(c, ref, out) : 0;
}

int sb_cache_passwd_by_uid(const struct sb_cache *c, uint32_t uid, struct sb_user_view *out)
{
	uint32_t ref = find_uid(c, uid);

	return ref ? passwd_view(c, ref, out) : 0;
}

int sb_cache_group_by_name(const struct sb_cache *c, const char *name, struct sb_group_view *out)
{
	uint32_t slot = find_group_name(c, name);

	return slot ? group_view(c, slot - 1, out) : 0;
}

int sb_cache_group_by_gid(const struct sb_cache *c, uint32_t gid, struct sb_group_view *out)
{
	uint32_t slot = find_gid(c, gid);

	return slot ? group_view(c, slot - 1, out) : 0;
}

int sb_cache_user_at(const struct sb_cache *c, uint32_t i, struct sb_user_view *out)
{
	return i < c->n_users && user_view(c, c->users[i].rec, out) && out->index == i;
}

int sb_cache_group_at(const struct sb_cache *c, uint32_t i, struct sb_group_view *out)
{
	return group_view(c, i, out);
}

const char *sb_cache_group_member(const struct sb_cache *c, const struct sb_group_view *g,
				  uint32_t i)
{
	const struct sb_cache_urec *r;

	if (i >= g->n_members)
		return NULL;
	r = urec_at(c, c->u32[c->groups[g->index].members + i]);
	return r ? (const char *)(r + 1) : "";
}

const char *sb_cache_user_key(const struct sb_cache *c, const struct sb_user_view *u, uint32_t i)
{
	if (i >= u->n_keys)
		return NULL;
	return str_at(c, c->u32[c->users[u->index].keys + i]);
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
