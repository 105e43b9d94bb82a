/* publish.c — see publish.h: what to publish (a new generation, the last
 * one re-signed, or nothing), one run at a time; publish_store.c does the
 * writes. The order of the writes is what makes a
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

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache_format.h"
#include "log.h"
#include "minisign.h"
#include "publish_store.h"
#include "relayfile.h"
#include "release.h"

static uint64_t read_generation(const struct pub *p)
{
	char path[PATH_MAX];
	uint8_t *buf;
	size_t len;
	uint64_t g = 0;

	sb_pub_path(path, "%s/generation", p->state);
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
	sb_pub_path(path, "%s/release", p->dir);
	if (sb_relay_read_file(path, SB_RELEASE_TEXT_MAX, &buf, &len, NULL) < 0)
		goto out;
	sb_pub_path(path, "%s/release.minisig", p->dir);
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
	if (sb_pub_write_files(p, err) < 0 || sb_pub_commit_state(p, err) < 0 ||
	    sb_pub_sign_and_serve(p, p->cache, p->cache_len, err) < 0)
		return -1;
	p->rep->action = SB_PUBLISH_NEW;
	sb_pub_prune(p);
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
	sb_pub_path(path, "%s/release-%" PRIu64, p->state, p->last);
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
	if (sb_pub_sign_and_serve(p, base, blen, err) < 0)
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

	sb_pub_path(path, "%s/lock", p->state);
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

	if (sb_pub_setup_dirs(p, err) < 0 || lock_state(p, &lock, err) < 0 ||
	    sb_ms_seckey_load(p->cfg->signing_key_file, &p->sk, err) < 0) {
		if (lock >= 0)
			close(lock);
		return -1;
	}
	sb_relay_directory_id(p->sk.keyid, p->directory);
	p->last = read_generation(p);
	have_served = read_served(p, &served) == 0;
	if (p->last && sb_pub_load_base(p, p->last, &base, &blen) == 0 &&
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
