/* relaybench — the relay's figures for two cache files A (a subscriber's
 * generation) and B (the next): snapshot size and times at several zstd
 * levels, the patch-from delta A -> B (size, make and apply times, checked
 * byte-identical and by SHA-256), and where A and B differ, section by
 * section (cache_format.h), to explain a delta's size. Prints; asserts only
 * that every round trip is exact.
 *
 * usage: relaybench [-x] [-o DIR] A B [LEVEL...]   (levels default to 3 9 19;
 * -o writes the last level's snapshot and delta as DIR/snapshot.zst and
 * DIR/delta.zst, for a check with the zstd command; -x also prints where
 * the rewritten files of cache deltas differ) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache_format.h"
#include "cachexform.h"
#include "delta.h"
#include "snapshot.h"

static const char *const sec_names[SB_SEC_COUNT] = {
    "by-name urecs", "by-uid urecs", "name dir",  "uid dir", "users[]", "groups[]",
    "idmap[]",	     "u32 pool",     "gname idx", "gid idx", "strings"};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *out_dir;
static int xform_table; /* -x: the section table of the rewritten files */

static void spill(const char *name, const uint8_t *buf, size_t len)
{
	char path[4096];
	FILE *f;

	if (!out_dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len)
		fprintf(stderr, "relaybench: cannot write %s\n", path);
	if (f)
		fclose(f);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* Per section: bytes of B's section that differ from A's at the same offset
 * in it (plus the bytes B has beyond A's length: a shift counts whole), and
 * the size of a level-3 delta of that section alone (which sees through
 * shifts): where a whole-file delta's bytes come from. */
static void diff_sections(const uint8_t *a, const uint8_t *b)
{
	const struct sb_cache_header *ha = (const void *)a, *hb = (const void *)b;

	printf("  %-14s %10s %10s %10s %10s  %s\n", "section", "A bytes", "B bytes", "differ",
	       "delta", "first diff at");
	for (int s = 0; s < SB_SEC_COUNT; s++) {
		const uint8_t *pa = a + ha->sec[s].off, *pb = b + hb->sec[s].off;
		size_t la = ha->sec[s].size, lb = hb->sec[s].size, m = la < lb ? la : lb;
		size_t differ = lb - m, first = (size_t)-1;

		for (size_t i = 0; i < m; i++)
			if (pa[i] != pb[i]) {
				differ++;
				if (first == (size_t)-1)
					first = i;
			}
		uint8_t *d = NULL;
		size_t dl = 0;
		struct sb_err err = {0};

		if (first == (size_t)-1 && la != lb)
			first = m;
		if (sb_delta_create(pa, la, pb, lb, 3, &d, &dl, &err) < 0)
			dl = 0;
		free(d);
		printf("  %-14s %10zu %10zu %10zu %10zu  ", sec_names[s], la, lb, differ, dl);
		if (first == (size_t)-1)
			printf("-\n");
		else
			printf("%zu (%.0f%% in)\n", first, lb ? 100.0 * first / lb : 0);
	}
}

static int bench_snapshot(const uint8_t *b, size_t lb, int level)
{
	uint8_t *z = NULL, *back = NULL;
	char hex[SB_SHA256_HEXLEN + 1];
	size_t zl;
	double t0 = now_ms(), t1, t2, t3;
	struct sb_err err = {0};
	int rc = -1;

	if (sb_snapshot_compress(b, lb, level, &z, &zl, &err) < 0)
		goto out;
	t1 = now_ms();
	if (sb_sha256_hex(z, zl, hex) < 0)
		goto out;
	t2 = now_ms();
	if (sb_snapshot_decompress(z, zl, zl, lb, &back, &err) < 0)
		goto out;
	t3 = now_ms();
	if (memcmp(back, b, lb) != 0) {
		sb_err_set(&err, SB_E_INTERNAL, "snapshot round trip differs");
		goto out;
	}
	printf("snapshot level %2d: %zu bytes (%.1f%% of %zu), compress %.0f ms, "
	       "sha256 %.1f ms, decompress %.1f ms\n",
	       level, zl, 100.0 * zl / lb, lb, t1 - t0, t2 - t1, t3 - t2);
	spill("snapshot.zst", z, zl);
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "relaybench: %s\n", err.msg);
	free(z);
	free(back);
	return rc;
}

typedef int (*mk_fn)(const void *, size_t, const void *, size_t, int, uint8_t **, size_t *,
		     struct sb_err *);
typedef int (*ap_fn)(const void *, size_t, const void *, size_t, size_t, size_t, uint8_t **,
		     struct sb_err *);

static int bench_delta(const uint8_t *a, size_t la, const uint8_t *b, size_t lb, int level,
		       int rewrite)
{
	mk_fn mk = rewrite ? sb_cache_delta_create : sb_delta_create;
	ap_fn ap = rewrite ? sb_cache_delta_apply : sb_delta_apply;
	uint8_t *d = NULL, *back = NULL;
	char hb[SB_SHA256_HEXLEN + 1], hr[SB_SHA256_HEXLEN + 1];
	size_t dl;
	double t0 = now_ms(), t1, t2;
	struct sb_err err = {0};
	int rc = -1;

	if (mk(a, la, b, lb, level, &d, &dl, &err) < 0)
		goto out;
	t1 = now_ms();
	if (ap(a, la, d, dl, dl, lb, &back, &err) < 0)
		goto out;
	t2 = now_ms();
	if (sb_sha256_hex(b, lb, hb) < 0 || sb_sha256_hex(back, lb, hr) < 0 ||
	    strcmp(hb, hr) != 0 || memcmp(back, b, lb) != 0) {
		sb_err_set(&err, SB_E_INTERNAL, "delta result differs from B");
		goto out;
	}
	printf("%s level %2d: %zu bytes (%.1f KiB; target 16 KiB), make %.0f ms, "
	       "apply %.1f ms, result byte-identical (sha256 %.12s...)\n",
	       rewrite ? "cache delta (rewritten)" : "plain delta            ", level, dl,
	       dl / 1024.0, t1 - t0, t2 - t1, hr);
	if (!rewrite)
		spill("delta.zst", d, dl);
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "relaybench: %s\n", err.msg);
	free(d);
	free(back);
	return rc;
}

int main(int argc, char **argv)
{
	static const int def_levels[] = {3, 9, 19};
	size_t la = 0, lb = 0;
	uint8_t *a, *b;
	int rc = 1, opt;

	while ((opt = getopt(argc, argv, "o:x")) != -1) {
		if (opt == 'o')
			out_dir = optarg;
		else if (opt == 'x')
			xform_table = 1;
		else
			return 2;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 3) {
		fprintf(stderr, "usage: relaybench [-x] [-o DIR] A B [LEVEL...]\n");
		return 2;
	}
	a = slurp(argv[1], &la);
	b = slurp(argv[2], &lb);
	if (!a || !b || la < sizeof(struct sb_cache_header) ||
	    lb < sizeof(struct sb_cache_header)) {
		fprintf(stderr, "relaybench: cannot read %s or %s as caches\n", argv[1], argv[2]);
		goto out;
	}
	printf("A %zu bytes, B %zu bytes; where B differs from A:\n", la, lb);
	diff_sections(a, b);
	if (xform_table) {
		uint8_t *xa = malloc(la), *xb = malloc(lb);
		struct sb_err err = {0};

		memcpy(xa, a, la);
		memcpy(xb, b, lb);
		if (sb_cache_xform(xa, la, &err) == 0 && sb_cache_xform(xb, lb, &err) == 0) {
			printf("the same, rewritten for deltas (cachexform.h):\n");
			spill("A.x", xa, la);
			spill("B.x", xb, lb);
			diff_sections(xa, xb);
		} else {
			printf("rewrite refused: %s\n", err.msg);
		}
		free(xa);
		free(xb);
	}
	for (int i = 0; i < (argc > 3 ? argc - 3 : 3); i++) {
		int level = argc > 3 ? atoi(argv[3 + i]) : def_levels[i];

		if (bench_snapshot(b, lb, level) < 0 || bench_delta(a, la, b, lb, level, 0) < 0 ||
		    bench_delta(a, la, b, lb, level, 1) < 0)
			goto out;
	}
	rc = 0;
out:
	free(a);
	free(b);
	return rc;
}
