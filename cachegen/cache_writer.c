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

#include "cache_build.h"
#include "cache_format.h"
#include "file_replace.h"

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

static void lay_out(const struct sb_cache_build *b, uint64_t generation, struct layout *l)
{
	const struct sb_dataset *ds = b->ds;
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
	h->n_groups = b->n_groups;
	h->n_upg = b->n_upg;
	h->n_idmap = (uint32_t)ds->n_idmap;
	h->n_u32 = b->n_u32;
	for (int s = 0; s < SB_SEC_COUNT; s++) {
		h->sec[s].off = off;
		h->sec[s].size = b->len[s];
		l->src[s] = b->src[s];
		off = align8(off + b->len[s]);
	}
	h->file_size = off;
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
static int write_layout(int fd, const void *ctx)
{
	static const uint8_t zeros[8];
	const struct layout *l = ctx;
	uint64_t at = sizeof(l->h);

	if (sb_write_all(fd, &l->h, sizeof(l->h)) < 0)
		return -1;
	for (int s = 0; s < SB_SEC_COUNT; s++) {
		if (sb_write_all(fd, zeros, (size_t)(l->h.sec[s].off - at)) < 0 ||
		    sb_write_all(fd, l->src[s], (size_t)l->h.sec[s].size) < 0)
			return -1;
		at = l->h.sec[s].off + l->h.sec[s].size;
	}
	return sb_write_all(fd, zeros, (size_t)(l->h.file_size - at));
}

/* After the rename: the new file durable, the old one marked. */
static void after_rename(const char *path, int old_fd)
{
	const uint32_t one = 1;

	fsync_dir(path);
	if (old_fd >= 0 &&
	    pwrite(old_fd, &one, sizeof(one), offsetof(struct sb_cache_header, superseded)) < 0)
		(void)0; /* readers still notice by the once-a-second stat */
}

static int commit_file(const char *path, const struct layout *l, int old_fd, struct sb_err *err)
{
	if (sb_file_replace(path, 0644, write_layout, l, "cache", err) < 0)
		return -1;
	after_rename(path, old_fd);
	return 0;
}

int sb_cache_install(const char *path, const void *data, size_t len, struct sb_err *err)
{
	uint64_t generation;
	int old_fd = open_old(path, &generation), rc;

	rc = sb_file_replace_data(path, 0644, data, len, "cache", err);
	if (rc == 0)
		after_rename(path, old_fd);
	if (old_fd >= 0)
		close(old_fd);
	return rc;
}

int sb_cache_write(const char *path, const struct sb_dataset *ds, struct sb_err *err)
{
	struct sb_cache_build b;
	struct sb_err berr = {0};
	struct layout l;
	uint64_t generation;
	int old_fd = open_old(path, &generation), rc = -1;

	if (sb_cache_build(&b, ds, &berr) < 0) {
		sb_err_set(err, berr.kind, "%s: %s; the cache is unchanged", path, berr.msg);
		goto out;
	}
	lay_out(&b, generation + 1, &l);
	rc = commit_file(path, &l, old_fd, err);
out:
	if (old_fd >= 0)
		close(old_fd);
	sb_cache_build_free(&b);
	return rc;
}
