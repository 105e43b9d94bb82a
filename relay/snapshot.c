/* snapshot.c — cache file <-> relay snapshot (one zstd frame), and the
 * content address of a by-hash file (SHA-256 of the bytes as served, so a
 * subscriber checks a download against the signed release before it
 * decompresses anything). */
#include "snapshot.h"

#include <sodium.h>
#include <string.h>

#include "zframe.h"

int sb_snapshot_compress(const void *in, size_t in_len, int level, uint8_t **out, size_t *out_len,
			 struct sb_err *err)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	size_t r;
	int rc = -1;

	*out = NULL;
	*out_len = 0;
	if (!cctx)
		return sb_err_set(err, SB_E_NOMEM, "snapshot: out of memory for zstd");
	r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
	if (!ZSTD_isError(r))
		r = sb_zframe_long(cctx, in_len);
	if (ZSTD_isError(r)) {
		sb_err_set(err, SB_E_INTERNAL, "snapshot: zstd level %d: %s", level,
			   ZSTD_getErrorName(r));
		goto out;
	}
	rc = sb_zframe_encode(cctx, in, in_len, "snapshot", out, out_len, err);
out:
	ZSTD_freeCCtx(cctx);
	return rc;
}

int sb_snapshot_decompress(const void *in, size_t in_len, size_t max_in, size_t want_size,
			   uint8_t **out, struct sb_err *err)
{
	ZSTD_DCtx *dctx;
	int rc;

	*out = NULL;
	if (sb_zframe_check(in, in_len, max_in, want_size, "snapshot", err) < 0)
		return -1;
	dctx = ZSTD_createDCtx();
	if (!dctx)
		return sb_err_set(err, SB_E_NOMEM, "snapshot: out of memory for zstd");
	rc = sb_zframe_decode(dctx, in, in_len, want_size, "snapshot", out, err);
	ZSTD_freeDCtx(dctx);
	return rc;
}

int sb_sha256_hex(const void *buf, size_t len, char hex[SB_SHA256_HEXLEN + 1])
{
	unsigned char md[crypto_hash_sha256_BYTES];

	/* sodium_init only picks faster implementations; SHA-256 works without */
	if (sodium_init() < 0 || crypto_hash_sha256(md, buf, len) != 0)
		return -1;
	sodium_bin2hex(hex, SB_SHA256_HEXLEN + 1, md, sizeof(md));
	return 0;
}

int sb_byhash_name(const char *hex, char name[SB_BYHASH_NAME_LEN])
{
	size_t n = strlen(hex);

	if (n != SB_SHA256_HEXLEN || strspn(hex, "0123456789abcdef") != n)
		return -1;
	memcpy(name, "by-hash/SHA256/", 15);
	memcpy(name + 15, hex, n + 1);
	return 0;
}
