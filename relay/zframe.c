/* zframe.c — the checks every zstd frame from a relay passes before memory is
 * allocated for its output, and one-shot coding. One-shot decoding writes
 * straight into a buffer of the size the signed release gives, so zstd's
 * window needs no buffer of its own and no frame can make us allocate more
 * than the release said. */
#include "zframe.h"

#include <stdlib.h>

int sb_zframe_check(const void *in, size_t in_len, size_t max_in, size_t want_size,
		    const char *what, struct sb_err *err)
{
	ZSTD_frameHeader h;
	size_t r, whole;

	if (in_len > max_in)
		return sb_err_set(err, SB_E_PROTOCOL, "%s is %zu bytes, over the %zu allowed", what,
				  in_len, max_in);
	r = ZSTD_getFrameHeader(&h, in, in_len);
	if (ZSTD_isError(r))
		return sb_err_set(err, SB_E_PROTOCOL, "%s is not a zstd frame: %s", what,
				  ZSTD_getErrorName(r));
	if (r > 0)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "%s is truncated (%zu bytes, inside the header)", what, in_len);
	if (h.frameType != ZSTD_frame)
		return sb_err_set(err, SB_E_PROTOCOL, "%s is a skippable frame", what);
	if (h.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN)
		return sb_err_set(err, SB_E_PROTOCOL, "%s does not declare its size", what);
	if (h.frameContentSize != want_size)
		return sb_err_set(err, SB_E_PROTOCOL, "%s claims %llu bytes; the release says %zu",
				  what, (unsigned long long)h.frameContentSize, want_size);
	/* The checksum is what tells a delta applied to another base. */
	if (!h.checksumFlag)
		return sb_err_set(err, SB_E_PROTOCOL, "%s has no content checksum", what);
	whole = ZSTD_findFrameCompressedSize(in, in_len);
	if (ZSTD_isError(whole))
		return sb_err_set(err, SB_E_PROTOCOL, "%s is truncated or corrupt: %s", what,
				  ZSTD_getErrorName(whole));
	if (whole != in_len)
		return sb_err_set(err, SB_E_PROTOCOL, "%s has %zu bytes after its frame", what,
				  in_len - whole);
	return 0;
}

int sb_zframe_decode(ZSTD_DCtx *dctx, const void *in, size_t in_len, size_t want_size,
		     const char *what, uint8_t **out, struct sb_err *err)
{
	uint8_t *buf = malloc(want_size ? want_size : 1);
	size_t r;
	int rc = -1;

	*out = NULL;
	if (!buf)
		return sb_err_set(err, SB_E_NOMEM, "%s: out of memory for %zu bytes", what,
				  want_size);
	r = ZSTD_decompressDCtx(dctx, buf, want_size, in, in_len);
	if (ZSTD_getErrorCode(r) == ZSTD_error_checksum_wrong) {
		sb_err_set(err, SB_E_PROTOCOL,
			   "%s: content checksum mismatch (corrupt, or a delta applied to a "
			   "base it was not made from)",
			   what);
		goto out;
	}
	if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall) {
		sb_err_set(err, SB_E_PROTOCOL, "%s decodes to more than the %zu bytes allowed",
			   what, want_size);
		goto out;
	}
	if (ZSTD_isError(r)) {
		sb_err_set(err, SB_E_PROTOCOL, "%s is corrupt: %s", what, ZSTD_getErrorName(r));
		goto out;
	}
	if (r != want_size) {
		sb_err_set(err, SB_E_PROTOCOL, "%s decodes to %zu bytes; the release says %zu",
			   what, r, want_size);
		goto out;
	}
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	return rc;
}

/* Smallest window log whose window holds n bytes. */
static int window_log_for(size_t n)
{
	int log = ZSTD_WINDOWLOG_MIN;

	while (log < ZSTD_WINDOWLOG_MAX && ((size_t)1 << log) < n)
		log++;
	return log;
}

size_t sb_zframe_long(ZSTD_CCtx *cctx, size_t n)
{
	size_t r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_enableLongDistanceMatching, 1);

	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log_for(n));
	return r;
}

int sb_zframe_encode(ZSTD_CCtx *cctx, const void *in, size_t in_len, const char *what,
		     uint8_t **out, size_t *out_len, struct sb_err *err)
{
	size_t cap = ZSTD_compressBound(in_len), r;
	uint8_t *buf = malloc(cap);

	*out = NULL;
	*out_len = 0;
	if (!buf)
		return sb_err_set(err, SB_E_NOMEM, "%s: out of memory for %zu bytes", what, cap);
	r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
	if (!ZSTD_isError(r))
		r = ZSTD_compress2(cctx, buf, cap, in, in_len);
	if (ZSTD_isError(r)) {
		free(buf);
		return sb_err_set(err, SB_E_INTERNAL, "%s: zstd: %s", what, ZSTD_getErrorName(r));
	}
	*out = buf;
	*out_len = r;
	return 0;
}
