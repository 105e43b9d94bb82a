/* cache_reader.c — maps a cache file (layout in cache_format.h) and checks
 * every section and count once at open; the lookups (cache_lookup.c) then
 * only check record offsets and string offsets against numbers known to lie
 * inside the mapping, so a corrupt file cannot make a reader read past it. */
#include "cache_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_format.h"
#include "cache_internal.h"
#include "hot.h"
#include "log.h"

/* Who may have written the cache we trust. Root, always. The process's own
 * real uid only when the process is not setuid or setgid (AT_SECURE): the
 * test harness and the demo run as a plain user under nss_wrapper, with a
 * cache that user wrote, and can then fool only themselves. A setuid
 * program (su, sudo, newgrp) runs with the invoking user's real uid, so
 * without the AT_SECURE test that user's own forged cache would give them
 * gid 6 (disk) in a root process; and such a program always reads the
 * default config (secure_getenv), i.e. the root-owned state directory. */
static bool trusted_owner(uid_t owner)
{
	return owner == 0 || (owner == getuid() && !getauxval(AT_SECURE));
}

static const char *untrusted(const struct stat *st)
{
	if (!trusted_owner(st->st_uid))
		return "owned by another user than root";
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "writable by group or others";
	return NULL;
}

static atomic_flag refusal_logged = ATOMIC_FLAG_INIT;

/* The file and its directory (fstat of the fds the file was opened
 * through, open_in_dir) must be written only by a trusted owner: with a
 * writable state directory anyone could rename a forged cache into place. */
static int check_trust(const char *path, const struct stat *st, const struct stat *dst,
		       struct sb_err *caller_err)
{
	const char *why, *what = "cache";
	/* The message is logged even for a caller that passed no sb_err (the
	 * modules, the daemon): logging err->msg through a NULL err crashed
	 * every PAM application and the daemon at the first refusal. */
	struct sb_err own = {0}, *err = caller_err ? caller_err : &own;

	why = untrusted(st);
	if (!why) {
		what = "its directory";
		why = untrusted(dst);
	}
	if (!why)
		return 0;
	sb_err_set(err, SB_E_SECURITY, "%s: refused: %s is %s", path, what, why);
	if (!atomic_flag_test_and_set(&refusal_logged))
		sb_log(LOG_ERR, "%s", err->msg);
	return -1;
}

static int section_ok(const struct sb_cache_header *h, int s, uint64_t elem, uint64_t count)
{
	const struct sb_cache_section *sec = &h->sec[s];

	if (sec->off % 8 || sec->off < h->header_size || sec->off > h->file_size ||
	    sec->size > h->file_size - sec->off)
		return 0;
	return count == UINT64_MAX || sec->size == elem * count;
}

/* A table of 2^k u32 slots, plus `extra` trailing ones. */
static int pow2_table(const struct sb_cache_header *h, int s, uint64_t extra)
{
	uint64_t n;

	if (h->sec[s].size % 4 || h->sec[s].size / 4 <= extra)
		return 0;
	n = h->sec[s].size / 4 - extra;
	return (n & (n - 1)) == 0 && n <= UINT32_MAX;
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
	if (!section_ok(h, SB_SEC_BYNAME, 8, h->sec[SB_SEC_BYNAME].size / 8) ||
	    !section_ok(h, SB_SEC_BYUID, 8, h->sec[SB_SEC_BYUID].size / 8) ||
	    !section_ok(h, SB_SEC_USERS, sizeof(struct sb_cache_user), h->n_users) ||
	    !section_ok(h, SB_SEC_GROUPS, sizeof(struct sb_cache_group), h->n_groups) ||
	    !section_ok(h, SB_SEC_IDMAP, sizeof(struct sb_cache_idmap), h->n_idmap) ||
	    !section_ok(h, SB_SEC_U32, 4, h->n_u32) ||
	    !section_ok(h, SB_SEC_STRINGS, 1, UINT64_MAX))
		return sb_err_set(err, SB_E_FORMAT, "%s: a section lies outside the file", path);
	for (int s = SB_SEC_DIR_NAME; s <= SB_SEC_DIR_UID; s++)
		if (!section_ok(h, s, 4, UINT64_MAX) || !pow2_table(h, s, 1))
			return sb_err_set(err, SB_E_FORMAT, "%s: bad directory section", path);
	for (int s = SB_SEC_IDX_GNAME; s <= SB_SEC_IDX_GID; s++)
		if (!section_ok(h, s, 4, UINT64_MAX) || !pow2_table(h, s, 0))
			return sb_err_set(err, SB_E_FORMAT, "%s: bad index section", path);
	if (h->sec[SB_SEC_IDX_GID].size != h->sec[SB_SEC_IDX_GNAME].size)
		return sb_err_set(err, SB_E_FORMAT, "%s: group indexes differ in size", path);
	if (h->sec[SB_SEC_STRINGS].size == 0 || h->sec[SB_SEC_STRINGS].size > UINT32_MAX)
		return sb_err_set(err, SB_E_FORMAT, "%s: bad string section", path);
	return 0;
}

static void bind_list(struct sb_cache *c, int w, int recs, int dir)
{
	const struct sb_cache_header *h = c->h;

	c->list[w].recs = c->base + h->sec[recs].off;
	c->list[w].units = h->sec[recs].size / 8;
	c->list[w].dir = (const void *)(c->base + h->sec[dir].off);
	c->list[w].mask = (uint32_t)(h->sec[dir].size / 4 - 2);
}

static void bind_sections(struct sb_cache *c)
{
	const struct sb_cache_header *h = c->h;

	bind_list(c, 0, SB_SEC_BYNAME, SB_SEC_DIR_NAME);
	bind_list(c, 1, SB_SEC_BYUID, SB_SEC_DIR_UID);
	c->users = (const void *)(c->base + h->sec[SB_SEC_USERS].off);
	c->groups = (const void *)(c->base + h->sec[SB_SEC_GROUPS].off);
	c->idmap = (const void *)(c->base + h->sec[SB_SEC_IDMAP].off);
	c->u32 = (const void *)(c->base + h->sec[SB_SEC_U32].off);
	for (int w = 0; w < 2; w++)
		c->gidx[w] = (const void *)(c->base + h->sec[SB_SEC_IDX_GNAME + w].off);
	c->gmask = (uint32_t)(h->sec[SB_SEC_IDX_GNAME].size / 4 - 1);
	c->str = (const char *)(c->base + h->sec[SB_SEC_STRINGS].off);
	c->n_str = (uint32_t)h->sec[SB_SEC_STRINGS].size;
	c->n_users = h->n_users;
	c->n_groups = h->n_groups;
	c->n_upg = h->n_upg;
	c->n_idmap = h->n_idmap;
	c->n_u32 = h->n_u32;
}

_Static_assert(sizeof(struct sb_cache) <= SB_CACHE_STATE_SIZE, "SB_CACHE_STATE_SIZE too small");

/* Opens path's directory, fstats it into *dst, and opens the file through
 * that very directory: the directory checked is the one the file came
 * from, whatever renames or symlink swaps happen meanwhile (a stat of the
 * directory's path after the open could see another one). */
static int open_in_dir(const char *path, struct stat *dst)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	int dfd, fd = -1, saved;

	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	if (fstat(dfd, dst) == 0)
		fd = openat(dfd, base, O_RDONLY | O_CLOEXEC);
	saved = errno;
	close(dfd);
	errno = saved;
	return fd;
}

/* state: the caller's storage, or NULL to allocate it. */
static int open_cache(const char *path, void *state, struct sb_cache **out, struct sb_err *err)
{
	struct sb_cache *c = NULL;
	struct stat st, dst;
	void *map = MAP_FAILED;
	int fd = open_in_dir(path, &dst);

	*out = NULL;
	if (fd < 0)
		return errno == ENOENT ? sb_err_set(err, SB_E_NOTFOUND, "%s: no cache yet", path)
				       : sb_err_sys(err, errno, "%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sb_err_set(err, SB_E_FORMAT, "%s: not a regular file", path);
		goto fail;
	}
	if (check_trust(path, &st, &dst, err) < 0)
		goto fail;
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
	c = state ? memset(state, 0, sizeof(*c)) : calloc(1, sizeof(*c));
	if (!c) {
		sb_err_set(err, SB_E_NOMEM, "out of memory");
		goto fail;
	}
	c->owned = !state;
	c->base = map;
	c->size = (size_t)st.st_size;
	c->h = map;
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	c->uid_min = c->gid_min = SB_CACHE_ID_FLOOR;
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
	if (!state)
		free(c);
	close(fd);
	return -1;
}

int sb_cache_open(const char *path, struct sb_cache **out, struct sb_err *err)
{
	return open_cache(path, NULL, out, err);
}

int sb_cache_open_in(const char *path, void *state, struct sb_cache **out, struct sb_err *err)
{
	return open_cache(path, state, out, err);
}

void sb_cache_close(struct sb_cache *c)
{
	if (!c)
		return;
	munmap((void *)c->base, c->size);
	if (c->owned)
		free(c);
}

void sb_cache_set_id_min(struct sb_cache *c, uint32_t uid_min, uint32_t gid_min)
{
	c->uid_min = uid_min > SB_CACHE_ID_FLOOR ? uid_min : SB_CACHE_ID_FLOOR;
	c->gid_min = gid_min > SB_CACHE_ID_FLOOR ? gid_min : SB_CACHE_ID_FLOOR;
}

void sb_cache_allow_primary_gid(struct sb_cache *c, uint32_t gid)
{
	c->primary_gid = gid;
}

SB_HOT bool sb_cache_superseded(const struct sb_cache *c)
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
	info->n_groups = c->n_groups + c->n_upg;
	info->n_idmap = c->h->n_idmap;
	info->file_size = c->h->file_size;
}
