/* delta.c — patch-from deltas between cache files (delta.h). The parameters
 * follow zstd's own --patch-from: a window that covers the base and the
 * target, so every match into the base is reachable, and long-distance
 * matching, which finds the long runs a cache shares with its predecessor
 * however far they moved. */
#include "delta.h"

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
