/* cache_writer.c — dataset → cache file (layout in cache_format.h), replaced
 * atomically: temp file in the same directory, fsync, rename, fsync of the
 * directory, then the superseded flag in the file that was replaced. Any
 * failure before the rename leaves the old cache exactly as it was. */
#include "cache_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache_format.h"
#include "hashmap.h"

struct builder {
	const struct sb_dataset *ds;
	uint8_t *urecs; /* the urec section */
	size_t n_urecs, cap_urecs;
	uint32_t *rec_of; /* user index -> record ref */
	struct sb_cache_user *users;
	struct sb_cache_group *groups;
	struct sb_cache_idmap *idmap;
	uint32_t *u32;
	size_t n_u32, cap_u32;
	uint32_t *idx[4];
	size_t idx_cap[4];
	char *str;
	size_t n_str, cap_str;
	struct sb_strmap interned;
	int oom;
	const char *too_long; /* a user whose passwd field exceeds 65535 bytes */
};

static uint32_t intern(struct builder *b, const char *s)
{
	uint32_t off;
	size_t len;

	if (!s || !*s)
		return 0;
	if (sb_strmap_get(&b->interned, s, &off))
		return off;
	len = strlen(s) + 1;
	if (b->n_str + len > b->cap_str) {
		size_t ncap = (b->n_str + len) * 2;
		char *np = realloc(b->str, ncap);

		if (!np) {
			b->oom = 1;
			return 0;
		}
		b->str = np;
		b->cap_str = ncap;
	}
	if (b->n_str + len > UINT32_MAX) {
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
static uint32_t pool(struct builder *b, size_t n)
{
	uint32_t start = (uint32_t)b->n_u32;

	if (b->n_u32 + n > b->cap_u32) {
		size_t ncap = (b->n_u32 + n) * 2;
		uint32_t *np = realloc(b->u32, ncap * sizeof(*np));

		if (!np) {
			b->oom = 1;
			return 0;
		}
		b->u32 = np;
		b->cap_u32 = ncap;
	}
	b->n_u32 += n;
	return start;
}

static void put_user(struct builder *b, size_t i)
{
	const struct sb_user *u = &b->ds->users[i];
	struct sb_cache_user *r = &b->users[i];

	r->rec = b->rec_of[i];
	r->scim_id = intern(b, u->scim_id);
	r->flags = u->flags;
	r->n_gids = (uint32_t)u->n_gids;
	r->gids = pool(b, u->n_gids);
	for (size_t k = 0; !b->oom && k < u->n_gids; k++)
		b->u32[r->gids + k] = u->gids[k];
	r->n_keys = (uint32_t)u->n_ssh_keys;
	r->keys = pool(b, u->n_ssh_keys);
	for (size_t k = 0; !b->oom && k < u->n_ssh_keys; k++) {
		uint32_t s = intern(b, u->ssh_keys[k]);

		b->u32[r->keys + k] = s;
	}
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

/* Appends user i's urec (layout in cache_format.h) and records its ref. */
static int put_urec(struct builder *b, size_t i)
{
	const struct sb_user *u = &b->ds->users[i];
	struct sb_cache_urec r = {.uid = u->uid, .gid = u->gid, .user = (uint32_t)i};
	size_t need;
	char *p;

	if (field_len(u->name, &r.name_len) < 0 || field_len(u->gecos, &r.gecos_len) < 0 ||
	    field_len(u->home, &r.home_len) < 0 || field_len(u->shell, &r.shell_len) < 0) {
		b->too_long = u->name;
		return -1;
	}
	r.name_hash = (uint32_t)sb_hash_str(u->name);
	need = (sizeof(r) + SB_UREC_TEXT_LEN(&r) + 7) & ~(size_t)7;
	if (b->n_urecs + need > b->cap_urecs) {
		size_t ncap = (b->n_urecs + need) * 2;
		uint8_t *np = realloc(b->urecs, ncap);

		if (!np)
			return -1;
		b->urecs = np;
		b->cap_urecs = ncap;
	}
	if (b->n_urecs / 8 + 1 > UINT32_MAX)
		return -1;
	memset(b->urecs + b->n_urecs, 0, need);
	memcpy(b->urecs + b->n_urecs, &r, sizeof(r));
	p = (char *)(b->urecs + b->n_urecs + sizeof(r));
	p = put_text(p, u->name, r.name_len);
	p = put_text(p, "x", 1);
	p = put_text(p, u->gecos, r.gecos_len);
	p = put_text(p, u->home, r.home_len);
	put_text(p, u->shell, r.shell_len);
	b->rec_of[i] = (uint32_t)(b->n_urecs / 8 + 1);
	b->n_urecs += need;
	return 0;
}

static void put_group(struct builder *b, size_t i)
{
	const struct sb_group *g = &b->ds->groups[i];
	struct sb_cache_group *r = &b->groups[i];

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

static size_t index_cap(size_t n)
{
	size_t cap = 4;

	while (cap < n * 2)
		cap *= 2;
	return cap;
}

/* which: 0 user name, 1 uid, 2 group name, 3 gid. Slots hold the record's
 * index + 1; the user indexes are turned into record refs once the records
 * are laid out (lay_out_urecs). */
static void build_index(struct builder *b, int which)
{
	size_t n = which < 2 ? b->ds->n_users : b->ds->n_groups;
	size_t cap = index_cap(n);
	uint32_t *t = calloc(cap, sizeof(*t));

	b->idx[which] = t;
	b->idx_cap[which] = cap;
	if (!t) {
		b->oom = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t h = which == 0	  ? sb_hash_str(b->ds->users[i].name)
			     : which == 1 ? sb_hash_u32(b->ds->users[i].uid)
			     : which == 2 ? sb_hash_str(b->ds->groups[i].name)
					  : sb_hash_u32(b->ds->groups[i].gid);
		size_t j = h & (cap - 1);

		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = (uint32_t)(i + 1);
	}
}

/* Records in name-index slot order (see cache_format.h), then both user
 * indexes rewritten from user index + 1 to record ref. */
static int lay_out_urecs(struct builder *b)
{
	size_t n = b->ds->n_users;

	b->rec_of = calloc(n + 1, sizeof(*b->rec_of));
	if (!b->rec_of)
		return -1;
	for (size_t j = 0; j < b->idx_cap[0]; j++)
		if (b->idx[0][j] && put_urec(b, b->idx[0][j] - 1) < 0)
			return -1;
	for (int w = 0; w < 2; w++)
		for (size_t j = 0; j < b->idx_cap[w]; j++)
			if (b->idx[w][j])
				b->idx[w][j] = b->rec_of[b->idx[w][j] - 1];
	return 0;
}

static int build(struct builder *b)
{
	const struct sb_dataset *ds = b->ds;

	b->users = calloc(ds->n_users + 1, sizeof(*b->users));
	b->groups = calloc(ds->n_groups + 1, sizeof(*b->groups));
	b->idmap = calloc(ds->n_idmap + 1, sizeof(*b->idmap));
	if (!b->users || !b->groups || !b->idmap)
		return -1;
	/* offset 0 is the empty string: absent fields point there */
	b->str = malloc(1);
	if (!b->str)
		return -1;
	b->str[0] = '\0';
	b->n_str = b->cap_str = 1;
	for (int w = 0; w < 4 && !b->oom; w++)
		build_index(b, w);
	if (b->oom || lay_out_urecs(b) < 0)
		return -1;
	for (size_t i = 0; i < ds->n_users && !b->oom; i++)
		put_user(b, i);
	for (size_t i = 0; i < ds->n_groups && !b->oom; i++)
		put_group(b, i);
	for (size_t i = 0; i < ds->n_idmap && !b->oom; i++) {
		b->idmap[i].scim_id = intern(b, ds->idmap[i].scim_id);
		b->idmap[i].id = ds->idmap[i].id;
		b->idmap[i].kind = ds->idmap[i].kind;
	}
	return b->oom ? -1 : 0;
}

static uint64_t align8(uint64_t v)
{
	return (v + 7) & ~(uint64_t)7;
}

/* Where each section goes: laid out after the header, 8-byte aligned. The
 * sections are then written straight from the builder's arrays, so the file
 * never exists twice in memory. */
struct layout {
	struct sb_cache_header h;
	const void *src[SB_SEC_COUNT];
};

static void lay_out(struct builder *b, uint64_t generation, struct layout *l)
{
	const struct sb_dataset *ds = b->ds;
	const void *src[SB_SEC_COUNT] = {b->urecs,  b->users,  b->groups, b->idmap, b->u32,
					 b->idx[0], b->idx[1], b->idx[2], b->idx[3], b->str};
	uint64_t len[SB_SEC_COUNT] = {
	    b->n_urecs,
	    ds->n_users * sizeof(*b->users),
	    ds->n_groups * sizeof(*b->groups),
	    ds->n_idmap * sizeof(*b->idmap),
	    b->n_u32 * sizeof(uint32_t),
	    b->idx_cap[0] * sizeof(uint32_t),
	    b->idx_cap[1] * sizeof(uint32_t),
	    b->idx_cap[2] * sizeof(uint32_t),
	    b->idx_cap[3] * sizeof(uint32_t),
	    b->n_str,
	};
	struct sb_cache_header *h = &l->h;
	uint64_t off = align8(sizeof(*h));

	memset(l, 0, sizeof(*l));
	memcpy(h->magic, SB_CACHE_MAGIC, sizeof(h->magic));
	h->version = SB_CACHE_VERSION;
	h->header_size = sizeof(*h);
	h->generation = generation;
	h->sync_time = ds->sync_time;
	h->write_time = (int64_t)time(NULL);
	h->n_users = (uint32_t)ds->n_users;
	h->n_groups = (uint32_t)ds->n_groups;
	h->n_idmap = (uint32_t)ds->n_idmap;
	h->n_u32 = (uint32_t)b->n_u32;
	for (int s = 0; s < SB_SEC_COUNT; s++) {
		h->sec[s].off = off;
		h->sec[s].size = len[s];
		l->src[s] = src[s];
		off = align8(off + len[s]);
	}
	h->file_size = off;
}

static void builder_free(struct builder *b)
{
	free(b->urecs);
	free(b->rec_of);
	free(b->users);
	free(b->groups);
	free(b->idmap);
	free(b->u32);
	for (int w = 0; w < 4; w++)
		free(b->idx[w]);
	free(b->str);
	sb_strmap_free(&b->interned);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -1 : (errno = EIO, -1);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The file being replaced, if it is one of ours: its generation, and an fd to
 * mark it superseded after the rename. */
static int open_old(const char *path, uint64_t *generation)
{
	struct sb_cache_header h;
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

	*generation = 0;
	if (fd < 0)
		return -1;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, SB_CACHE_MAGIC, sizeof(h.magic)) != 0) {
		close(fd);
		return -1;
	}
	*generation = h.generation;
	return fd;
}

static int fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

/* Header, then each section at its offset (zero padding between). */
static int write_layout(int fd, const struct layout *l)
{
	static const uint8_t zeros[8];
	uint64_t at = sizeof(l->h);

	if (write_all(fd, (const uint8_t *)&l->h, sizeof(l->h)) < 0)
		return -1;
	for (int s = 0; s < SB_SEC_COUNT; s++) {
		if (write_all(fd, zeros, (size_t)(l->h.sec[s].off - at)) < 0 ||
		    write_all(fd, l->src[s], (size_t)l->h.sec[s].size) < 0)
			return -1;
		at = l->h.sec[s].off + l->h.sec[s].size;
	}
	return write_all(fd, zeros, (size_t)(l->h.file_size - at));
}

static int commit_file(const char *path, const struct layout *l, int old_fd, struct sb_err *err)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	int fd = -1, rc = -1;
	const uint32_t one = 1;

	if (!tmp)
		return sb_err_set(err, SB_E_NOMEM, "%s: out of memory", path);
	snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		sb_err_sys(err, errno, "cannot create a temporary file beside %s", path);
		goto out;
	}
	if (fchmod(fd, 0644) < 0 || write_layout(fd, l) < 0 || fsync(fd) < 0) {
		sb_err_sys(err, errno, "cannot write %s (the cache %s is unchanged)", tmp, path);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		sb_err_sys(err, errno, "cannot write %s (the cache %s is unchanged)", tmp, path);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		sb_err_sys(err, errno, "cannot rename %s to %s", tmp, path);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	fsync_dir(path);
	if (old_fd >= 0 &&
	    pwrite(old_fd, &one, sizeof(one), offsetof(struct sb_cache_header, superseded)) < 0)
		(void)0; /* readers still notice by the once-a-second stat */
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	return rc;
}

int sb_cache_write(const char *path, const struct sb_dataset *ds, struct sb_err *err)
{
	struct builder b = {.ds = ds};
	struct layout l;
	uint64_t generation;
	int old_fd = open_old(path, &generation), rc = -1;

	if (build(&b) < 0) {
		if (b.too_long)
			sb_err_set(err, SB_E_INTERNAL,
				   "%s: user %s has a passwd field over 65535 bytes; the cache "
				   "is unchanged",
				   path, b.too_long);
		else
			sb_err_set(err, SB_E_NOMEM, "%s: out of memory building the cache", path);
		goto out;
	}
	lay_out(&b, generation + 1, &l);
	rc = commit_file(path, &l, old_fd, err);
out:
	if (old_fd >= 0)
		close(old_fd);
	builder_free(&b);
	return rc;
}
