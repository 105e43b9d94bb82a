/* delta.c — patch-from deltas between cache files (delta.h). The parameters
 * follow zstd's own --patch-from: a window that covers the base and the
 * target, so every match into the base is reachable, and long-distance
 * matching, which finds the long runs a cache shares with its predecessor
 * however far they moved. */
#include "delta.h"

#include <stdlib.h>
#include <string.h>

#include "cachexform.h"
#include "zframe.h"

static size_t set_params(ZSTD_CCtx *cctx, int level, size_t base_len, size_t target_len)
{
	size_t r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);

	if (!ZSTD_isError(r))
		r = sb_zframe_long(cctx, base_len > target_len ? base_len : target_len);
	return r;
}

int sb_delta_create(const void *base, size_t base_len, const void *target, size_t target_len,
		    int level, uint8_t **out, size_t *out_len, struct sb_err *err)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	size_t r;
	int rc = -1;

	*out = NULL;
	*out_len = 0;
	if (!cctx)
		return sb_err_set(err, SB_E_NOMEM, "delta: out of memory for zstd");
	r = set_params(cctx, level, base_len, target_len);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_refPrefix(cctx, base, base_len);
	if (ZSTD_isError(r)) {
		sb_err_set(err, SB_E_INTERNAL, "delta: zstd: %s", ZSTD_getErrorName(r));
		goto out;
	}
	rc = sb_zframe_encode(cctx, target, target_len, "delta", out, out_len, err);
out:
	ZSTD_freeCCtx(cctx);
	return rc;
}

int sb_delta_apply(const void *base, size_t base_len, const void *delta, size_t delta_len,
		   size_t max_in, size_t want_size, uint8_t **out, struct sb_err *err)
{
	ZSTD_DCtx *dctx;
	size_t r;
	int rc = -1;

	*out = NULL;
	if (sb_zframe_check(delta, delta_len, max_in, want_size, "delta", err) < 0)
		return -1;
	dctx = ZSTD_createDCtx();
	if (!dctx)
		return sb_err_set(err, SB_E_NOMEM, "delta: out of memory for zstd");
	r = ZSTD_DCtx_refPrefix(dctx, base, base_len);
	if (ZSTD_isError(r)) {
		sb_err_set(err, SB_E_INTERNAL, "delta: zstd: %s", ZSTD_getErrorName(r));
		goto out;
	}
	rc = sb_zframe_decode(dctx, delta, delta_len, want_size, "delta", out, err);
out:
	ZSTD_freeDCtx(dctx);
	return rc;
}

/* A rewritten copy of a cache file, or NULL (err set). */
static uint8_t *rewritten(const void *buf, size_t len, const char *what, struct sb_err *err)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct sb_err xerr = {0};

	if (!copy) {
		sb_err_set(err, SB_E_NOMEM, "delta: out of memory for %zu bytes", len);
		return NULL;
	}
	memcpy(copy, buf, len);
	if (sb_cache_xform(copy, len, &xerr) < 0) {
		sb_err_set(err, xerr.kind, "delta: the %s: %s", what, xerr.msg);
		free(copy);
		return NULL;
	}
	return copy;
}

int sb_cache_delta_create(const void *base, size_t base_len, const void *target, size_t target_len,
			  int level, uint8_t **out, size_t *out_len, struct sb_err *err)
{
	uint8_t *tb = rewritten(base, base_len, "base", err), *tt = NULL, *back = NULL;
	int rc = -1;

	*out = NULL;
	*out_len = 0;
	if (!tb || !(tt = rewritten(target, target_len, "target", err)))
		goto out;
	back = malloc(target_len ? target_len : 1);
	if (!back) {
		sb_err_set(err, SB_E_NOMEM, "delta: out of memory for %zu bytes", target_len);
		goto out;
	}
	/* What a subscriber will undo must give the target exactly. */
	memcpy(back, tt, target_len);
	if (sb_cache_unxform(back, target_len, err) < 0 || memcmp(back, target, target_len) != 0) {
		sb_err_set(err, SB_E_INTERNAL, "delta: the target's rewrite does not undo exactly");
		goto out;
	}
	rc = sb_delta_create(tb, base_len, tt, target_len, level, out, out_len, err);
out:
	free(tb);
	free(tt);
	free(back);
	return rc;
}

int sb_cache_delta_apply(const void *base, size_t base_len, const void *delta, size_t delta_len,
			 size_t max_in, size_t want_size, uint8_t **out, struct sb_err *err)
{
	uint8_t *tb = rewritten(base, base_len, "base", err), *res = NULL;
	struct sb_err xerr = {0};
	int rc = -1;

	*out = NULL;
	if (!tb || sb_delta_apply(tb, base_len, delta, delta_len, max_in, want_size, &res, err) < 0)
		goto out;
	if (sb_cache_unxform(res, want_size, &xerr) < 0) {
		sb_err_set(err, xerr.kind, "delta: the result: %s", xerr.msg);
		goto out;
	}
	*out = res;
	res = NULL;
	rc = 0;
out:
	free(tb);
	free(res);
	return rc;
}
