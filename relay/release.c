/* release.c — builds and parses the `release` document (format in
 * release.h and docs/relay.md). The parser reads a copy of the text line by
 * line against the fixed field order; the semantic checks (orderings,
 * bounds) are one function shared with the builder, so nothing is built
 * that would not parse. */
#include "release.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define MAGIC "scimbridge-release"

static const char *const header_keys[] = {"directory", "generation", "created", "valid-until",
					  "snapshot"};
#define NHEADER (sizeof(header_keys) / sizeof(header_keys[0]))

static bool dir_id_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= SB_RELEASE_DIR_ID_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* The semantic rules, for the builder and the parser alike. */
static int validate(const struct sb_release *r, struct sb_err *err)
{
	if (r->version != SB_RELEASE_VERSION)
		return sb_err_set(err, SB_E_FORMAT, "release: format version %u not supported",
				  r->version);
	if (!dir_id_ok(r->directory))
		return sb_err_set(err, SB_E_FORMAT,
				  "release: directory id must be 1-%d of [A-Za-z0-9._-]",
				  SB_RELEASE_DIR_ID_MAX);
	if (r->generation < 1 || r->generation > INT64_MAX)
		return sb_err_set(err, SB_E_FORMAT, "release: generation must be ≥ 1");
	if (r->created < 1 || r->valid_until <= r->created)
		return sb_err_set(err, SB_E_FORMAT,
				  "release: created must be ≥ 1 and valid-until after it");
	if (r->snapshot.size < 1 || r->snapshot.size > SB_RELEASE_FILE_MAX)
		return sb_err_set(err, SB_E_FORMAT,
				  "release: snapshot size %" PRIu64 " outside 1..%llu",
				  r->snapshot.size, SB_RELEASE_FILE_MAX);
	if (r->ndeltas > SB_RELEASE_MAX_DELTAS)
		return sb_err_set(err, SB_E_FORMAT, "release: more than %d deltas",
				  SB_RELEASE_MAX_DELTAS);
	for (size_t i = 0; i < r->ndeltas; i++) {
		const struct sb_release_delta *d = &r->deltas[i];

		if (d->from_generation >= r->generation ||
		    (i > 0 && d->from_generation <= r->deltas[i - 1].from_generation))
			return sb_err_set(err, SB_E_FORMAT,
					  "release: delta from %" PRIu64
					  ": deltas must come from generations below %" PRIu64
					  ", in ascending order, once each",
					  d->from_generation, r->generation);
		if (d->file.size < 1 || d->file.size > SB_RELEASE_FILE_MAX)
			return sb_err_set(err, SB_E_FORMAT,
					  "release: delta from %" PRIu64 ": size %" PRIu64
					  " outside 1..%llu",
					  d->from_generation, d->file.size, SB_RELEASE_FILE_MAX);
	}
	return 0;
}

static void hex(const uint8_t sha[32], char out[65])
{
	sodium_bin2hex(out, 65, sha, 32);
}

int sb_release_build(const struct sb_release *r, char **out, size_t *len, struct sb_err *err)
{
	char *buf = NULL, h[65];
	size_t size = 0;
	FILE *f;

	*out = NULL;
	if (validate(r, err) < 0)
		return -1;
	f = open_memstream(&buf, &size);
	if (!f)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	hex(r->snapshot.sha256, h);
	fprintf(f,
		MAGIC " %u\ndirectory %s\ngeneration %" PRIu64 "\ncreated %" PRId64
		      "\nvalid-until %" PRId64 "\nsnapshot sha256:%s %" PRIu64 "\n",
		r->version, r->directory, r->generation, r->created, r->valid_until, h,
		r->snapshot.size);
	for (size_t i = 0; i < r->ndeltas; i++) {
		hex(r->deltas[i].file.sha256, h);
		fprintf(f, "delta %" PRIu64 " sha256:%s %" PRIu64 "\n",
			r->deltas[i].from_generation, h, r->deltas[i].file.size);
	}
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	}
	*out = buf;
	*len = size;
	return 0;
}

/* A decimal number as the builder writes it: digits only, no leading
 * zero, at most max. */
static int parse_num(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 20 || strspn(s, "0123456789") != n || (s[0] == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* "sha256:<64 lower-case hex>". */
static int parse_hash(const char *s, uint8_t out[32])
{
	size_t got = 0;
	const char *end = NULL;

	if (strncmp(s, "sha256:", 7) != 0 || strlen(s + 7) != 64 ||
	    strspn(s + 7, "0123456789abcdef") != 64)
		return -1;
	if (sodium_hex2bin(out, 32, s + 7, 64, NULL, &got, &end) != 0 || got != 32)
		return -1;
	return 0;
}

/* Splits line at single spaces into exactly want fields. */
static int split(char *line, char **f, int want)
{
	char *p = line;
	int n = 0;

	for (;;) {
		if (n == want)
			return -1;
		f[n++] = p;
		p = strchr(p, ' ');
		if (!p)
			break;
		*p++ = '\0';
	}
	for (int i = 0; i < n; i++)
		if (!*f[i])
			return -1;
	return n == want ? 0 : -1;
}

static int parse_file(char *hash, char *size, struct sb_release_file *out)
{
	return parse_hash(hash, out->sha256) < 0 || parse_num(size, UINT64_MAX, &out->size) < 0 ? -1
												: 0;
}

/* One header line (index i of header_keys) into r. */
static int parse_header(char *line, size_t i, struct sb_release *r)
{
	char *f[3];
	uint64_t v;
	int nf = i == NHEADER - 1 ? 3 : 2;

	if (split(line, f, nf) < 0 || strcmp(f[0], header_keys[i]) != 0)
		return -1;
	switch (i) {
	case 0:
		if (strlen(f[1]) > SB_RELEASE_DIR_ID_MAX)
			return -1;
		strcpy(r->directory, f[1]);
		return dir_id_ok(r->directory) ? 0 : -1;
	case 1:
		return parse_num(f[1], INT64_MAX, &r->generation);
	case 2:
	case 3:
		if (parse_num(f[1], INT64_MAX, &v) < 0)
			return -1;
		*(i == 2 ? &r->created : &r->valid_until) = (int64_t)v;
		return 0;
	default:
		return parse_file(f[1], f[2], &r->snapshot);
	}
}

static int parse_delta(char *line, struct sb_release *r)
{
	char *f[4];
	struct sb_release_delta *d;

	if (r->ndeltas >= SB_RELEASE_MAX_DELTAS)
		return -1;
	d = &r->deltas[r->ndeltas];
	if (split(line, f, 4) < 0 || strcmp(f[0], "delta") != 0 ||
	    parse_num(f[1], INT64_MAX, &d->from_generation) < 0 || parse_file(f[2], f[3], &d->file))
		return -1;
	r->ndeltas++;
	return 0;
}

static int parse_magic(char *line, struct sb_release *r, struct sb_err *err)
{
	char *f[2];
	uint64_t v;

	if (split(line, f, 2) < 0 || strcmp(f[0], MAGIC) != 0)
		return sb_err_set(err, SB_E_FORMAT,
				  "release: line 1 is not '" MAGIC " <version>': not a release");
	if (parse_num(f[1], UINT32_MAX, &v) < 0)
		return sb_err_set(err, SB_E_FORMAT, "release: line 1: bad format version");
	if (v != SB_RELEASE_VERSION)
		return sb_err_set(err, SB_E_FORMAT,
				  "release: format version %" PRIu64
				  " not supported (this build reads %d)",
				  v, SB_RELEASE_VERSION);
	r->version = (unsigned)v;
	return 0;
}

static int parse_lines(char *copy, size_t len, struct sb_release *r, struct sb_err *err)
{
	char *line = copy, *nl;
	unsigned lineno = 0;

	while (line < copy + len) {
		nl = strchr(line, '\n');
		*nl = '\0';
		lineno++;
		if (lineno == 1) {
			if (parse_magic(line, r, err) < 0)
				return -1;
		} else if (lineno - 2 < NHEADER) {
			if (parse_header(line, lineno - 2, r) < 0)
				return sb_err_set(err, SB_E_FORMAT,
						  "release: line %u: expected '%s …' as the "
						  "builder writes it",
						  lineno, header_keys[lineno - 2]);
		} else if (parse_delta(line, r) < 0) {
			return sb_err_set(err, SB_E_FORMAT,
					  "release: line %u: expected 'delta <generation> "
					  "sha256:<hex> <size>' (at most %d)",
					  lineno, SB_RELEASE_MAX_DELTAS);
		}
		line = nl + 1;
	}
	if (lineno < 1 + NHEADER)
		return sb_err_set(err, SB_E_FORMAT, "release: %u lines, the header needs %zu",
				  lineno, 1 + NHEADER);
	return 0;
}

int sb_release_parse(const char *text, size_t len, struct sb_release *r, struct sb_err *err)
{
	char *copy;
	int rc;

	memset(r, 0, sizeof(*r));
	if (len > SB_RELEASE_TEXT_MAX)
		return sb_err_set(err, SB_E_FORMAT, "release: %zu bytes, more than %d", len,
				  SB_RELEASE_TEXT_MAX);
	if (len == 0 || text[len - 1] != '\n')
		return sb_err_set(err, SB_E_FORMAT, "release: empty or not ending in a newline");
	if (memchr(text, '\0', len) || memchr(text, '\r', len))
		return sb_err_set(err, SB_E_FORMAT, "release: a NUL or CR byte");
	copy = malloc(len + 1);
	if (!copy)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	rc = parse_lines(copy, len, r, err);
	free(copy);
	if (rc == 0)
		rc = validate(r, err);
	if (rc < 0)
		memset(r, 0, sizeof(*r));
	return rc;
}

enum sb_release_verdict sb_release_judge(const struct sb_release *r, const char *directory,
					 uint64_t have, int64_t now, int64_t skew,
					 struct sb_err *err)
{
	if (strcmp(r->directory, directory) != 0) {
		sb_err_set(err, SB_E_SECURITY,
			   "release: of directory '%s', this host follows '%.64s'", r->directory,
			   directory);
		return SB_RELEASE_OTHER_DIR;
	}
	if (r->generation < have) {
		sb_err_set(err, SB_E_SECURITY,
			   "release: generation %" PRIu64 " is older than the installed %" PRIu64
			   " (rollback refused)",
			   r->generation, have);
		return SB_RELEASE_ROLLBACK;
	}
	if (now >= r->valid_until) {
		sb_err_set(err, SB_E_NETWORK,
			   "release: generation %" PRIu64 " expired %" PRId64
			   " s ago (valid-until %" PRId64 "): the relay is frozen or stale",
			   r->generation, now - r->valid_until, r->valid_until);
		return SB_RELEASE_EXPIRED;
	}
	if (r->created > now + skew) {
		sb_err_set(err, SB_E_SECURITY,
			   "release: created %" PRId64 " s in the future (clock skew above %" PRId64
			   " s)",
			   r->created - now, skew);
		return SB_RELEASE_FROM_FUTURE;
	}
	return r->generation == have ? SB_RELEASE_SAME : SB_RELEASE_NEWER;
}

const char *sb_release_sha256_hex(const void *data, size_t len, char *buf)
{
	uint8_t h[32];

	/* SHA-256 and hex need no sodium_init(): nothing random, no dispatch. */
	crypto_hash_sha256(h, data, len);
	hex(h, buf);
	return buf;
}

int sb_release_file_check(const struct sb_release_file *f, const void *data, size_t len,
			  const char *what, struct sb_err *err)
{
	uint8_t h[32];
	char want[65], got[65];

	if (len != f->size)
		return sb_err_set(err, SB_E_SECURITY,
				  "%s: %zu bytes, the signed release says %" PRIu64, what, len,
				  f->size);
	crypto_hash_sha256(h, data, len);
	if (sodium_memcmp(h, f->sha256, 32) == 0)
		return 0;
	hex(h, got);
	hex(f->sha256, want);
	return sb_err_set(err, SB_E_SECURITY, "%s: sha256 %s, the signed release says %s", what,
			  got, want);
}
