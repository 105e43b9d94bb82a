/* publish_store.c — the publisher's writes (publish.c decides what to
 * publish): publish_dir's by-hash files (snapshot and deltas), the private
 * state beside it (base caches, the generation, the releases kept), the
 * signed release pair served with fresh mtimes, and pruning. Their order is
 * publish.c's file comment. */
#include "publish_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "delta.h"
#include "file_replace.h"
#include "log.h"
#include "relayfile.h"
#include "snapshot.h"

int sb_pub_path(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	return n > 0 && n < PATH_MAX ? 0 : -1;
}

static int mkdir_p(const char *path, mode_t mode, struct sb_err *err)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	return sb_err_sys(err, errno, "publish: cannot create %s", path);
}

static void fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int sb_pub_setup_dirs(struct pub *p, struct sb_err *err)
{
	char d[PATH_MAX];
	size_t n = strlen(p->cfg->publish_dir);

	while (n > 1 && p->cfg->publish_dir[n - 1] == '/')
		n--;
	if (n >= PATH_MAX - 100)
		return sb_err_set(err, SB_E_CONFIG, "publish_dir: path too long");
	memcpy(p->dir, p->cfg->publish_dir, n);
	p->dir[n] = '\0';
	/* Beside publish_dir, not inside it: whatever serves publish_dir never
	 * serves the state (base caches are the whole directory, unsigned). */
	sb_pub_path(p->state, "%s.state", p->dir);
	if (mkdir_p(p->dir, 0755, err) < 0 || mkdir_p(p->state, 0700, err) < 0)
		return -1;
	sb_pub_path(d, "%s/by-hash", p->dir);
	if (mkdir_p(d, 0755, err) < 0)
		return -1;
	sb_pub_path(d, "%s/by-hash/SHA256", p->dir);
	return mkdir_p(d, 0755, err);
}

static int write_byhash(struct pub *p, const uint8_t *data, size_t len, struct sb_release_file *f,
			struct sb_err *err)
{
	char hex[65], path[PATH_MAX];
	struct stat st;

	sb_relay_sha256(data, len, f->sha256, hex);
	f->size = len;
	sb_pub_path(path, "%s/by-hash/SHA256/%s", p->dir, hex);
	if (stat(path, &st) == 0 && (size_t)st.st_size == len)
		return 0; /* content-addressed: the same bytes */
	return sb_relay_write_file(path, 0644, data, len, err);
}

int sb_pub_load_base(const struct pub *p, uint64_t g, uint8_t **buf, size_t *len)
{
	char path[PATH_MAX];

	sb_pub_path(path, "%s/base-%" PRIu64, p->state, g);
	return sb_relay_read_file(path, SB_RELEASE_FILE_MAX, buf, len, NULL);
}

/* Deltas from the bases kept, oldest first; one the rewrite refuses, or
 * larger than the snapshot, is left out (subscribers take the snapshot). */
static int make_deltas(struct pub *p, struct sb_err *err)
{
	uint64_t g0 =
	    p->rel.generation > SB_PUBLISH_DELTAS ? p->rel.generation - SB_PUBLISH_DELTAS : 1;

	for (uint64_t g = g0; g < p->rel.generation; g++) {
		uint8_t *base, *d = NULL;
		size_t blen, dlen = 0;
		struct sb_err derr = {0};
		struct sb_release_delta *rd = &p->rel.deltas[p->rel.ndeltas];
		int rc;

		if (sb_pub_load_base(p, g, &base, &blen) < 0)
			continue;
		rc = sb_cache_delta_create(base, blen, p->cache, p->cache_len, SB_DELTA_LEVEL, &d,
					   &dlen, &derr);
		free(base);
		if (rc < 0 || dlen >= p->rel.snapshot.size) {
			sb_log(LOG_INFO, "publish: no delta from generation %" PRIu64 ": %s", g,
			       rc < 0 ? derr.msg : "not smaller than the snapshot");
			free(d);
			continue;
		}
		rd->from_generation = g;
		rc = write_byhash(p, d, dlen, &rd->file, err);
		free(d);
		if (rc < 0)
			return -1;
		p->rel.ndeltas++;
		p->rep->delta_bytes += dlen;
	}
	p->rep->ndeltas = p->rel.ndeltas;
	return 0;
}

int sb_pub_write_files(struct pub *p, struct sb_err *err)
{
	uint8_t *z = NULL;
	size_t zlen = 0;
	char path[PATH_MAX];
	int rc;

	if (sb_snapshot_compress(p->cache, p->cache_len, SB_SNAPSHOT_LEVEL, &z, &zlen, err) < 0)
		return -1;
	rc = write_byhash(p, z, zlen, &p->rel.snapshot, err);
	free(z);
	p->rep->snapshot_size = zlen;
	if (rc < 0 || make_deltas(p, err) < 0)
		return -1;
	sb_pub_path(path, "%s/by-hash/SHA256", p->dir);
	fsync_path(path);
	return 0;
}

int sb_pub_commit_state(struct pub *p, struct sb_err *err)
{
	char path[PATH_MAX], num[32];
	int n = snprintf(num, sizeof(num), "%" PRIu64 "\n", p->rel.generation);

	sb_pub_path(path, "%s/base-%" PRIu64, p->state, p->rel.generation);
	if (sb_relay_write_file(path, 0600, p->cache, p->cache_len, err) < 0)
		return -1;
	sb_pub_path(path, "%s/generation", p->state);
	return sb_relay_write_file(path, 0600, num, (size_t)n, err);
}

/* nginx's ETag and Last-Modified are the file's mtime in whole seconds
 * (and its size): a new release of the same size written in the second of
 * the last one would answer a subscriber's conditional GET with 304, and
 * the subscriber would keep the old generation. So the served pair gets an
 * mtime at least one second past the last release's, set before the
 * rename. */
struct stamped {
	const void *data;
	size_t len;
	struct timespec mtime;
};

static int fill_stamped(int fd, const void *ctx)
{
	const struct stamped *s = ctx;
	struct timespec t[2] = {s->mtime, s->mtime};

	if (sb_write_all(fd, s->data, s->len) < 0)
		return -1;
	return futimens(fd, t);
}

static struct timespec next_mtime(const char *served)
{
	struct timespec now;
	struct stat st;

	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_nsec = 0;
	if (stat(served, &st) == 0 && st.st_mtim.tv_sec >= now.tv_sec)
		now.tv_sec = st.st_mtim.tv_sec + 1;
	return now;
}

static int serve_file(const char *path, const void *data, size_t len, struct timespec mtime,
		      struct sb_err *err)
{
	struct stamped s = {data, len, mtime};

	return sb_file_replace(path, 0644, fill_stamped, &s, "relay file", err);
}

int sb_pub_sign_and_serve(struct pub *p, const uint8_t *cache, size_t cache_len, struct sb_err *err)
{
	struct sb_relay_cache rc = {.generation = p->rel.generation, .size = cache_len};
	char comment[SB_MS_TRUSTED_COMMENT_MAX], hex[65], path[PATH_MAX];
	char *text = NULL, *sig = NULL;
	struct timespec mtime;
	size_t len;
	int ret = -1;

	strcpy(rc.directory, p->directory);
	sb_relay_sha256(cache, cache_len, rc.sha256, hex);
	sb_relay_comment_build(&rc, comment, sizeof(comment));
	if (sb_release_build(&p->rel, &text, &len, err) < 0 ||
	    sb_ms_sign(&p->sk, text, len, "scimbridge release", comment, &sig, err) < 0)
		goto out;
	/* Kept first, so that a run after a kill can re-sign this generation. */
	sb_pub_path(path, "%s/release-%" PRIu64, p->state, p->rel.generation);
	if (sb_relay_write_file(path, 0600, text, len, err) < 0)
		goto out;
	sb_pub_path(path, "%s/release", p->dir);
	mtime = next_mtime(path);
	sb_pub_path(path, "%s/release.minisig", p->dir);
	if (serve_file(path, sig, strlen(sig), mtime, err) < 0)
		goto out;
	sb_pub_path(path, "%s/release", p->dir);
	if (serve_file(path, text, len, mtime, err) < 0)
		goto out;
	fsync_path(p->dir);
	ret = 0;
out:
	free(text);
	free(sig);
	return ret;
}

static void name_files(const struct sb_release *r, char (*keep)[65], size_t *n)
{
	sodium_bin2hex(keep[(*n)++], 65, r->snapshot.sha256, 32);
	for (size_t i = 0; i < r->ndeltas; i++)
		sodium_bin2hex(keep[(*n)++], 65, r->deltas[i].file.sha256, 32);
}

static int kept(char (*keep)[65], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keep[i], name))
			return 1;
	return 0;
}

/* Removes the state older than what is kept, then every by-hash file that
 * none of the kept releases names. */
void sb_pub_prune(struct pub *p)
{
	char(*keep)[65] = calloc((SB_PUBLISH_KEEP + 1) * (SB_RELEASE_MAX_DELTAS + 1), 65);
	uint64_t gen = p->rel.generation;
	char path[PATH_MAX];
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	/* The last 64 below the window: what earlier runs may have left. */
	for (uint64_t g = gen > 64 + SB_PUBLISH_KEEP ? gen - 64 - SB_PUBLISH_KEEP : 1;
	     g + SB_PUBLISH_KEEP <= gen; g++) {
		sb_pub_path(path, "%s/release-%" PRIu64, p->state, g);
		unlink(path);
	}
	for (uint64_t g = gen > 64 + SB_PUBLISH_DELTAS ? gen - 64 - SB_PUBLISH_DELTAS : 1;
	     g + SB_PUBLISH_DELTAS <= gen; g++) {
		sb_pub_path(path, "%s/base-%" PRIu64, p->state, g);
		unlink(path);
	}
	if (!keep)
		return; /* pruned next time */
	for (uint64_t g = gen >= SB_PUBLISH_KEEP ? gen - SB_PUBLISH_KEEP + 1 : 1; g <= gen; g++) {
		struct sb_release r;
		uint8_t *buf;
		size_t len;

		sb_pub_path(path, "%s/release-%" PRIu64, p->state, g);
		if (sb_relay_read_file(path, SB_RELEASE_TEXT_MAX, &buf, &len, NULL) < 0)
			continue;
		if (sb_release_parse((char *)buf, len, &r, NULL) == 0)
			name_files(&r, keep, &n);
		free(buf);
	}
	name_files(&p->rel, keep, &n);
	sb_pub_path(path, "%s/by-hash/SHA256", p->dir);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || kept(keep, n, e->d_name))
			continue;
		sb_pub_path(path, "%s/by-hash/SHA256/%s", p->dir, e->d_name);
		if (unlink(path) == 0)
			p->rep->pruned++;
	}
	if (d)
		closedir(d);
	free(keep);
}
