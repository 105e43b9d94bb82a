/* subscribe.c — see subscribe.h. The order of the checks: the signature
 * over the release bytes (with one retry of the pair: a publisher replaces
 * release.minisig, then release, and a reader can catch the two between
 * renames; a pair that does not verify is never accepted), then the
 * document (release.h), then the verdict (directory, rollback, valid-until,
 * creation time), then every downloaded file's size and SHA-256 against the
 * release before it is decompressed, then the decoded cache's size and
 * SHA-256 against the signed trusted comment, then the install. */
#include "subscribe.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cache_writer.h"
#include "delta.h"
#include "log.h"
#include "minisign.h"
#include "nscd_notify.h"
#include "relayfile.h"
#include "relayhttp.h"
#include "release.h"
#include "snapshot.h"
#include "subscribe_internal.h"

static void url_of(const struct sub *s, const char *name, char *out)
{
	/* sb_sub_setup() bounded base_url to leave room for any of our names. */
	if (snprintf(out, PATH_MAX, "%s%s", s->base_url, name) >= PATH_MAX)
		out[0] = '\0';
}

/* Where a probe is: the step it is at, and what it has read. */
static void probe_step(struct sub *s, enum sb_relay_step step, size_t release_bytes,
		       size_t sig_bytes)
{
	if (!s->probe)
		return;
	s->probe->step = step;
	s->probe->release_bytes = release_bytes;
	s->probe->sig_bytes = sig_bytes;
}

/* The release and its signature, verified; one retry of the pair. */
int sb_sub_fetch_release(struct sub *s, struct sb_err *err)
{
	for (int attempt = 0;; attempt++) {
		struct sb_relay_get r = {.max = SB_RELEASE_TEXT_MAX},
				    g = {.max = SB_MS_SIG_FILE_MAX};
		char url[PATH_MAX], trusted[SB_MS_TRUSTED_COMMENT_MAX];
		int rc;

		/* Conditional only while the cache we installed is there: a
		 * removed cache must be fetched again, not answered 304. */
		if (attempt == 0 && !s->probe && s->st.generation &&
		    access(s->cfg->cache_path, F_OK) == 0) {
			r.etag = s->st.etag;
			r.last_modified = s->st.last_modified;
		}
		url_of(s, "release", url);
		s->rep->requests++;
		probe_step(s, SB_RSTEP_RELEASE, r.len, 0);
		if (sb_relay_http_get(s->cfg, url, &r, err) < 0)
			return -1;
		if (r.status == 304)
			return 1;
		s->rep->bytes += r.len;
		probe_step(s, SB_RSTEP_SIGNATURE, r.len, 0);
		snprintf(s->etag, sizeof(s->etag), "%s", r.etag_out);
		snprintf(s->last_modified, sizeof(s->last_modified), "%s", r.last_modified_out);
		url_of(s, "release.minisig", url);
		s->rep->requests++;
		rc = sb_relay_http_get(s->cfg, url, &g, err);
		if (rc == 0) {
			s->rep->bytes += g.len;
			rc = sb_ms_verify(&s->pk, r.body, r.len, (char *)g.body, g.len, trusted,
					  sizeof(trusted), err);
			if (rc < 0) {
				struct sb_err e = *err;

				sb_err_set(err, e.kind, "release.minisig: %.400s", e.msg);
			}
		}
		if (rc == 0) {
			probe_step(s, SB_RSTEP_DOCUMENT, r.len, g.len);
			rc = sb_release_parse((char *)r.body, r.len, &s->rel, err);
		}
		if (rc == 0)
			snprintf(s->trusted, sizeof(s->trusted), "%s", trusted);
		free(r.body);
		free(g.body);
		if (rc == 0)
			return 0;
		if (attempt > 0 || err->kind != SB_E_SECURITY)
			return -1;
		sb_log(LOG_INFO, "relay: %s; reading the release pair once more", err->msg);
		sleep(1);
	}
}

static int fetch_file(struct sub *s, const struct sb_release_file *f, const char *what,
		      uint8_t **out, size_t *len, struct sb_err *err)
{
	struct sb_relay_get g = {.max = (size_t)f->size};
	char hex[65], name[SB_BYHASH_NAME_LEN], url[PATH_MAX], label[96];

	sodium_bin2hex(hex, sizeof(hex), f->sha256, 32);
	if (sb_byhash_name(hex, name) < 0)
		return sb_err_set(err, SB_E_SECURITY, "relay: bad by-hash name");
	url_of(s, name, url);
	s->rep->requests++;
	if (sb_relay_http_get(s->cfg, url, &g, err) < 0)
		return -1;
	s->rep->bytes += g.len;
	snprintf(label, sizeof(label), "%s %s", what, name);
	if (sb_release_file_check(f, g.body, g.len, label, err) < 0) {
		free(g.body);
		return -1;
	}
	*out = g.body;
	*len = g.len;
	return 0;
}

/* The decoded cache against the signed trusted comment. */
static int check_cache(const struct sub *s, const uint8_t *c, size_t len, struct sb_err *err)
{
	uint8_t h[32];
	char hex[65];

	if (len != s->want.size)
		return sb_err_set(err, SB_E_SECURITY,
				  "relay: the cache decoded to %zu bytes, "
				  "the signature says %" PRIu64,
				  len, s->want.size);
	sb_relay_sha256(c, len, h, hex);
	if (sodium_memcmp(h, s->want.sha256, 32))
		return sb_err_set(err, SB_E_SECURITY,
				  "relay: the decoded cache's sha256 %s is not the signed one",
				  hex);
	return 0;
}

/* The installed cache, if it is exactly the generation the state names. */
static int installed_base(const struct sub *s, uint8_t **buf, size_t *len)
{
	uint8_t h[32];
	char hex[65];

	if (!s->st.generation ||
	    sb_relay_read_file(s->cfg->cache_path, SB_RELEASE_FILE_MAX, buf, len, NULL) < 0)
		return -1;
	sb_relay_sha256(*buf, *len, h, hex);
	if (strcmp(hex, s->st.cache_hex)) {
		free(*buf);
		return -1;
	}
	return 0;
}

static int try_delta(struct sub *s, uint8_t **out, struct sb_err *err)
{
	const struct sb_release_delta *d = NULL;
	uint8_t *base = NULL, *z = NULL;
	size_t blen = 0, zlen = 0;
	int rc = -1;

	for (size_t i = 0; i < s->rel.ndeltas; i++)
		if (s->rel.deltas[i].from_generation == s->st.generation)
			d = &s->rel.deltas[i];
	if (!d)
		return sb_err_set(err, SB_E_NOTFOUND, "no delta from generation %" PRIu64,
				  s->st.generation);
	if (installed_base(s, &base, &blen) < 0)
		return sb_err_set(err, SB_E_NOTFOUND,
				  "the installed cache is not generation %" PRIu64,
				  s->st.generation);
	if (fetch_file(s, &d->file, "delta", &z, &zlen, err) == 0 &&
	    sb_cache_delta_apply(base, blen, z, zlen, (size_t)d->file.size, (size_t)s->want.size,
				 out, err) == 0)
		rc = check_cache(s, *out, (size_t)s->want.size, err);
	if (rc < 0 && *out) {
		free(*out);
		*out = NULL;
	}
	free(base);
	free(z);
	return rc;
}

int sb_sub_from_snapshot(struct sub *s, uint8_t **out, struct sb_err *err)
{
	uint8_t *z = NULL;
	size_t zlen = 0;
	int rc = -1;

	if (fetch_file(s, &s->rel.snapshot, "snapshot", &z, &zlen, err) == 0 &&
	    sb_snapshot_decompress(z, zlen, (size_t)s->rel.snapshot.size, (size_t)s->want.size, out,
				   err) == 0)
		rc = check_cache(s, *out, (size_t)s->want.size, err);
	if (rc < 0 && *out) {
		free(*out);
		*out = NULL;
	}
	free(z);
	return rc;
}

static int install(struct sub *s, struct sb_err *err)
{
	uint8_t *cache = NULL;
	struct sb_err derr = {0};
	uint8_t h[32];
	int rc;

	if (s->st.generation && try_delta(s, &cache, &derr) == 0) {
		s->rep->action = SB_SUB_DELTA;
	} else {
		if (s->st.generation)
			snprintf(s->rep->note, sizeof(s->rep->note), "%.200s", derr.msg);
		if (derr.kind != SB_E_NOTFOUND && derr.kind != SB_E_NONE)
			sb_log(LOG_WARNING, "relay: delta refused (%s); taking the snapshot",
			       derr.msg);
		if (sb_sub_from_snapshot(s, &cache, err) < 0)
			return -1;
		s->rep->action = SB_SUB_SNAPSHOT;
	}
	rc = sb_cache_install(s->cfg->cache_path, cache, (size_t)s->want.size, err);
	if (rc == 0) {
		sb_relay_sha256(cache, (size_t)s->want.size, h, s->st.cache_hex);
		if (sb_nscd_invalidate(NULL) > 0)
			sb_log(LOG_DEBUG, "nscd's passwd and group caches invalidated");
	}
	free(cache);
	return rc;
}

int sb_sub_judge(struct sub *s, struct sb_err *err)
{
	enum sb_release_verdict v = sb_release_judge(&s->rel, s->directory, s->st.generation,
						     (int64_t)time(NULL), SB_SUBSCRIBE_SKEW, err);

	s->verdict = v;
	if (v != SB_RELEASE_NEWER && v != SB_RELEASE_SAME)
		return -1;
	if (sb_relay_comment_parse(s->trusted, &s->want, err) < 0)
		return -1;
	if (strcmp(s->want.directory, s->rel.directory) || s->want.generation != s->rel.generation)
		return sb_err_set(err, SB_E_SECURITY,
				  "relay: the signature's comment names %s generation %" PRIu64
				  ", the release %s generation %" PRIu64,
				  s->want.directory, s->want.generation, s->rel.directory,
				  s->rel.generation);
	return v == SB_RELEASE_SAME ? 1 : 0;
}

static int run(struct sub *s, struct sb_err *err)
{
	int rc = sb_sub_fetch_release(s, err);

	if (rc < 0)
		return -1;
	if (rc == 1) { /* 304: the release verified last time, unless it has expired */
		if ((int64_t)time(NULL) >= s->st.valid_until)
			return sb_err_set(err, SB_E_NETWORK,
					  "relay: release generation %" PRIu64
					  " expired at %" PRId64
					  " and the relay serves no newer one",
					  s->st.generation, s->st.valid_until);
		s->rep->action = SB_SUB_UNCHANGED;
		return 0;
	}
	rc = sb_sub_judge(s, err);
	if (rc < 0)
		return -1;
	if (rc == 1) { /* the same generation: is our cache still there as installed? */
		uint8_t *cur;
		size_t len;

		if (installed_base(s, &cur, &len) == 0)
			free(cur);
		else
			rc = 0;
	}
	if (rc == 0 && install(s, err) < 0)
		return -1;
	if (rc == 1)
		s->rep->action = SB_SUB_UNCHANGED;
	s->st.generation = s->rel.generation;
	s->st.created = s->rel.created;
	s->st.valid_until = s->rel.valid_until;
	snprintf(s->st.etag, sizeof(s->st.etag), "%s", s->etag);
	snprintf(s->st.last_modified, sizeof(s->st.last_modified), "%s", s->last_modified);
	return 0;
}

int sb_sub_setup(struct sub *s, struct sb_err *err)
{
	const char *u = s->cfg->relay_url;
	size_t n;

	if (!u || !s->cfg->relay_public_key)
		return sb_err_set(err, SB_E_CONFIG, "relay_url and relay_public_key are needed");
	if (sb_ms_pubkey_parse(s->cfg->relay_public_key, &s->pk, err) < 0)
		return -1;
	sb_relay_directory_id(s->pk.keyid, s->directory);
	n = strlen(u);
	if (n > PATH_MAX - 200)
		return sb_err_set(err, SB_E_CONFIG, "relay_url too long");
	snprintf(s->base_url, sizeof(s->base_url), "%s%s", u, n && u[n - 1] == '/' ? "" : "/");
	if (sb_relay_state_read(s->cfg, &s->st, NULL) < 0)
		memset(&s->st, 0, sizeof(s->st));
	return 0;
}

int sb_subscribe(const struct sb_config *cfg, struct sb_subscribe_report *rep, struct sb_err *err)
{
	struct sub *s = calloc(1, sizeof(*s));
	struct sb_err e = {0}, werr = {0};
	int rc;

	memset(rep, 0, sizeof(*rep));
	if (!s)
		return sb_err_set(err, SB_E_NOMEM, "relay: out of memory");
	s->cfg = cfg;
	s->rep = rep;
	rc = sb_sub_setup(s, &e);
	if (rc == 0)
		rc = run(s, &e);
	rep->from_generation = rep->generation = s->st.generation;
	s->st.checked = (int64_t)time(NULL);
	if (rc == 0)
		snprintf(s->st.result, sizeof(s->st.result), "ok: generation %" PRIu64 " %s",
			 s->st.generation,
			 rep->action == SB_SUB_DELTA	  ? "installed from a delta"
			 : rep->action == SB_SUB_SNAPSHOT ? "installed from the snapshot"
							  : "up to date");
	else
		snprintf(s->st.result, sizeof(s->st.result), "FAILED: %.380s", e.msg);
	if (sb_relay_state_write(cfg, &s->st, &werr) < 0 && rc == 0) {
		e = werr;
		rc = -1;
	}
	if (rc < 0)
		sb_err_set(err, e.kind, "%s; the cache is unchanged", e.msg);
	free(s);
	return rc;
}
