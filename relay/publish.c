/* publish.c — see publish.h. The order of the writes is what makes a
 * subscriber never see a release naming a file that is not there, nor a
 * generation reused for other content:
 *  1. by-hash files (temp, fsync, rename; content-addressed, so a file
 *     already there is the same bytes), then the directory fsynced;
 *  2. the private state: the new base cache, then the generation number
 *     (a publisher killed after this skips a generation, never reuses one);
 *  3. release.minisig, then release (each temp, fsync, rename). A subscriber
 *     sees a new release only with its signature already in place (or a
 *     newer one); the pair can still be caught between the two renames
 *     (old release, new signature): it does not verify, the subscriber
 *     retries once and otherwise keeps its cache — it never accepts it;
 *  4. pruning: by-hash files no kept release names, old base caches. */
#include "publish.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cache_format.h"
#include "delta.h"
#include "file_replace.h"
#include "log.h"
#include "minisign.h"
#include "relayfile.h"
#include "release.h"
#include "snapshot.h"

struct pub {
	const struct sb_config *cfg;
	char dir[PATH_MAX], state[PATH_MAX];
	struct sb_ms_seckey sk;
	char directory[32];
	uint8_t *cache;
	size_t cache_len;
	uint64_t last; /* last generation committed to the state (0: none) */
	struct sb_release rel;
	struct sb_publish_report *rep;
};

static int pathf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int pathf(char *buf, const char *fmt, ...)
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

static int setup_dirs(struct pub *p, struct sb_err *err)
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
	pathf(p->state, "%s.state", p->dir);
	if (mkdir_p(p->dir, 0755, err) < 0 || mkdir_p(p->state, 0700, err) < 0)
		return -1;
	pathf(d, "%s/by-hash", p->dir);
	if (mkdir_p(d, 0755, err) < 0)
		return -1;
	pathf(d, "%s/by-hash/SHA256", p->dir);
	return mkdir_p(d, 0755, err);
}

static uint64_t read_generation(const struct pub *p)
{
	char path[PATH_MAX];
	uint8_t *buf;
	size_t len;
	uint64_t g = 0;

	pathf(path, "%s/generation", p->state);
	if (sb_relay_read_file(path, 64, &buf, &len, NULL) == 0) {
		if (sscanf((char *)buf, "%" SCNu64, &g) != 1)
			g = 0;
		free(buf);
	}
	return g;
}

/* The release now served, if it parses and its signature beside it is
 * ours and matches: a publisher killed between writing release.minisig and
 * release leaves a pair that does not, which the next run replaces. */
static int read_served(const struct pub *p, struct sb_release *r)
{
	struct sb_ms_pubkey pk;
	char path[PATH_MAX];
	uint8_t *buf = NULL, *sig = NULL;
	size_t len, slen;
	int rc = -1;

	sb_ms_seckey_pubkey(&p->sk, &pk);
	pathf(path, "%s/release", p->dir);
	if (sb_relay_read_file(path, SB_RELEASE_TEXT_MAX, &buf, &len, NULL) < 0)
		goto out;
	pathf(path, "%s/release.minisig", p->dir);
	if (sb_relay_read_file(path, SB_MS_SIG_FILE_MAX, &sig, &slen, NULL) < 0)
		goto out;
	if (sb_ms_verify(&pk, buf, len, (char *)sig, slen, NULL, 0, NULL) == 0)
		rc = sb_release_parse((char *)buf, len, r, NULL);
out:
	free(buf);
	free(sig);
	return rc;
}

/* Equal but for the fields every write changes (generation, times, the
 * superseded flag): then nothing a subscriber serves would change. */
static int same_content(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	struct sb_cache_header ha, hb;

	if (alen != blen || alen < sizeof(ha))
		return 0;
	memcpy(&ha, a, sizeof(ha));
	memcpy(&hb, b, sizeof(hb));
	ha.generation = hb.generation = 0;
	ha.sync_time = hb.sync_time = ha.write_time = hb.write_time = 0;
	ha.superseded = hb.superseded = 0;
	return !memcmp(&ha, &hb, sizeof(ha)) &&
	       !memcmp(a + sizeof(ha), b + sizeof(hb), alen - sizeof(ha));
}

static int write_byhash(struct pub *p, const uint8_t *data, size_t len, struct sb_release_file *f,
			struct sb_err *err)
{
	char hex[65], path[PATH_MAX];
	struct stat st;

	sb_relay_sha256(data, len, f->sha256, hex);
	f->size = len;
	pathf(path, "%s/by-hash/SHA256/%s", p->dir, hex);
	if (stat(path, &st) == 0 && (size_t)st.st_size == len)
		return 0; /* content-addressed: the same bytes */
	return sb_relay_write_file(path, 0644, data, len, err);
}

static int load_base(const struct pub *p, uint64_t g, uint8_t **buf, size_t *len)
{
	char path[PATH_MAX];

	pathf(path, "%s/base-%" PRIu64, p->state, g);
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

		if (load_base(p, g, &base, &blen) < 0)
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

static int write_files(struct pub *p, struct sb_err *err)
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
	pathf(path, "%s/by-hash/SHA256", p->dir);
	fsync_path(path);
	return 0;
}

static int commit_state(struct pub *p, struct sb_err *err)
{
	char path[PATH_MAX], num[32];
	int n = snprintf(num, sizeof(num), "%" PRIu64 "\n", p->rel.generation);

	pathf(path, "%s/base-%" PRIu64, p->state, p->rel.generation);
	if (sb_relay_write_file(path, 0600, p->cache, p->cache_len, err) < 0)
		return -1;
	pathf(path, "%s/generation", p->state);
	return sb_relay_write_file(path, 0600, num, (size_t)n, err);
}

/* release.minisig first, then release: see the file comment. */
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

static int sign_and_serve(struct pub *p, const uint8_t *cache, size_t cache_len, struct sb_err *err)
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
	pathf(path, "%s/release-%" PRIu64, p->state, p->rel.generation);
	if (sb_relay_write_file(path, 0600, text, len, err) < 0)
		goto out;
	pathf(path, "%s/release", p->dir);
	mtime = next_mtime(path);
	pathf(path, "%s/release.minisig", p->dir);
	if (serve_file(path, sig, strlen(sig), mtime, err) < 0)
		goto out;
	pathf(path, "%s/release", p->dir);
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
static void prune(struct pub *p)
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
		pathf(path, "%s/release-%" PRIu64, p->state, g);
		unlink(path);
	}
	for (uint64_t g = gen > 64 + SB_PUBLISH_DELTAS ? gen - 64 - SB_PUBLISH_DELTAS : 1;
	     g + SB_PUBLISH_DELTAS <= gen; g++) {
		pathf(path, "%s/base-%" PRIu64, p->state, g);
		unlink(path);
	}
	if (!keep)
		return; /* pruned next time */
	for (uint64_t g = gen >= SB_PUBLISH_KEEP ? gen - SB_PUBLISH_KEEP + 1 : 1; g <= gen; g++) {
		struct sb_release r;
		uint8_t *buf;
		size_t len;

		pathf(path, "%s/release-%" PRIu64, p->state, g);
		if (sb_relay_read_file(path, SB_RELEASE_TEXT_MAX, &buf, &len, NULL) < 0)
			continue;
		if (sb_release_parse((char *)buf, len, &r, NULL) == 0)
			name_files(&r, keep, &n);
		free(buf);
	}
	name_files(&p->rel, keep, &n);
	pathf(path, "%s/by-hash/SHA256", p->dir);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || kept(keep, n, e->d_name))
			continue;
		pathf(path, "%s/by-hash/SHA256/%s", p->dir, e->d_name);
		if (unlink(path) == 0)
			p->rep->pruned++;
	}
	if (d)
		closedir(d);
	free(keep);
}

static void set_times(struct pub *p)
{
	p->rel.created = (int64_t)time(NULL);
	p->rel.valid_until = p->rel.created + (int64_t)p->cfg->release_ttl;
}

static int publish_new(struct pub *p, const struct sb_release *served, struct sb_err *err)
{
	memset(&p->rel, 0, sizeof(p->rel));
	p->rel.version = SB_RELEASE_VERSION;
	strcpy(p->rel.directory, p->directory);
	p->rel.generation =
	    (served && served->generation > p->last ? served->generation : p->last) + 1;
	set_times(p);
	if (write_files(p, err) < 0 || commit_state(p, err) < 0 ||
	    sign_and_serve(p, p->cache, p->cache_len, err) < 0)
		return -1;
	p->rep->action = SB_PUBLISH_NEW;
	prune(p);
	return 0;
}

/* Same content as the last generation: re-sign it before subscribers would
 * count it expired (past half its lifetime), else leave everything. */
static int refresh(struct pub *p, const uint8_t *base, size_t blen, int have_served,
		   struct sb_err *err)
{
	char path[PATH_MAX];
	uint8_t *buf;
	size_t len;
	int rc;

	if (have_served && p->rel.generation == p->last &&
	    (int64_t)time(NULL) < p->rel.created + (int64_t)p->cfg->release_ttl / 2) {
		p->rep->action = SB_PUBLISH_UNCHANGED;
		return 0;
	}
	pathf(path, "%s/release-%" PRIu64, p->state, p->last);
	if (sb_relay_read_file(path, SB_RELEASE_TEXT_MAX, &buf, &len, err) < 0) {
		/* Killed before this generation's release was kept: it was never
		 * served, so a new generation replaces it. */
		if (err && err->kind == SB_E_NOTFOUND)
			return publish_new(p, NULL, err);
		return -1;
	}
	rc = sb_release_parse((char *)buf, len, &p->rel, err);
	free(buf);
	if (rc < 0)
		return -1;
	set_times(p);
	if (sign_and_serve(p, base, blen, err) < 0)
		return -1;
	p->rep->action = SB_PUBLISH_REFRESHED;
	return 0;
}

/* One publisher at a time on a publish_dir: the daemon publishes after its
 * syncs and `scimbridge sync` after asking it for one; two interleaved runs
 * could commit the same generation twice. Held until the process closes fd. */
static int lock_state(const struct pub *p, int *fd, struct sb_err *err)
{
	char path[PATH_MAX];

	pathf(path, "%s/lock", p->state);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0)
		return sb_err_sys(err, errno, "publish: cannot open %s", path);
	while (flock(*fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return sb_err_sys(err, errno, "publish: cannot lock %s", path);
	return 0;
}

static int run(struct pub *p, struct sb_err *err)
{
	struct sb_release served;
	int have_served, lock = -1;
	uint8_t *base = NULL;
	size_t blen = 0;
	int rc;

	if (setup_dirs(p, err) < 0 || lock_state(p, &lock, err) < 0 ||
	    sb_ms_seckey_load(p->cfg->signing_key_file, &p->sk, err) < 0) {
		if (lock >= 0)
			close(lock);
		return -1;
	}
	sb_relay_directory_id(p->sk.keyid, p->directory);
	p->last = read_generation(p);
	have_served = read_served(p, &served) == 0;
	if (p->last && load_base(p, p->last, &base, &blen) == 0 &&
	    same_content(base, blen, p->cache, p->cache_len)) {
		if (have_served)
			p->rel = served;
		rc = refresh(p, base, blen, have_served, err);
	} else {
		rc = publish_new(p, have_served ? &served : NULL, err);
	}
	p->rep->generation = p->rel.generation;
	free(base);
	close(lock);
	return rc;
}

int sb_publish(const struct sb_config *cfg, const char *cache_path, struct sb_publish_report *rep,
	       struct sb_err *err)
{
	struct pub p = {.cfg = cfg, .rep = rep};
	struct sb_cache_header h;
	struct sb_err e = {0};
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	if (!cfg->publish_dir || !cfg->signing_key_file)
		return sb_err_set(err, SB_E_CONFIG,
				  "publish: publish_dir and signing_key_file are needed");
	if (sb_relay_read_file(cache_path, SB_RELEASE_FILE_MAX, &p.cache, &p.cache_len, err) < 0)
		goto out;
	memcpy(&h, p.cache, p.cache_len >= sizeof(h) ? sizeof(h) : 0);
	if (p.cache_len < sizeof(h) || memcmp(h.magic, SB_CACHE_MAGIC, sizeof(h.magic)) ||
	    h.file_size != p.cache_len) {
		sb_err_set(err, SB_E_FORMAT, "publish: %s is not a whole cache file", cache_path);
		goto out;
	}
	rep->cache_size = p.cache_len;
	rc = run(&p, &e);
	if (rc < 0)
		sb_err_set(err, e.kind, "publish to %s failed: %s", p.dir, e.msg);
out:
	sb_ms_seckey_wipe(&p.sk);
	free(p.cache);
	return rc;
}
