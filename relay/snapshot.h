/* snapshot.h — a cache file as a relay snapshot: one zstd frame (content size
 * and XXH64 checksum in the frame, so `zstd -d` reads it too), named by the
 * SHA-256 of the compressed bytes as apt names by-hash files. Decompression
 * takes its bounds from the signed release: the compressed size and the
 * cache's exact size; anything else is refused before it is allocated. */
#ifndef SB_SNAPSHOT_H
#define SB_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* zstd level (with long-distance matching) for snapshots, measured by
 * bench/bench_relay.sh on a 100,000-user cache of 32.9 MB: 12 gives 7.0 MB in
 * 1.4 s; 19 gives 6.8 MB in 23 s, too slow for a publisher that releases
 * after every changed sync (docs/relay.md). */
#define SB_SNAPSHOT_LEVEL 12

#define SB_SHA256_LEN	 32
#define SB_SHA256_HEXLEN 64
/* "by-hash/SHA256/" + 64 hex digits + NUL */
#define SB_BYHASH_NAME_LEN (15 + SB_SHA256_HEXLEN + 1)

/* *out (malloc'd, the caller frees) gets one zstd frame of in[0..in_len). */
int sb_snapshot_compress(const void *in, size_t in_len, int level, uint8_t **out, size_t *out_len,
			 struct sb_err *err);

/* in[0..in_len) back to exactly want_size bytes in *out (malloc'd). Refused:
 * in_len > max_in, anything but one whole frame, a frame that declares a
 * size other than want_size, output larger or smaller than want_size, and a
 * corrupt frame or checksum. */
int sb_snapshot_decompress(const void *in, size_t in_len, size_t max_in, size_t want_size,
			   uint8_t **out, struct sb_err *err);

/* SHA-256 of buf, as 64 lowercase hex digits and a NUL. */
int sb_sha256_hex(const void *buf, size_t len, char hex[SB_SHA256_HEXLEN + 1]);
/* "by-hash/SHA256/<hex>" for a hex digest; -1 unless hex is 64 lowercase
 * hex digits (a name from a release must not climb out of by-hash/). */
int sb_byhash_name(const char *hex, char name[SB_BYHASH_NAME_LEN]);

#endif
