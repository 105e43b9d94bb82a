/* delta.h — a delta from one cache file (the base, generation A) to another
 * (the target, generation B): one zstd frame made in patch-from mode, the
 * base as a referenced prefix with long-distance matching, as
 * `zstd --patch-from=A B` makes it (and `zstd -d --patch-from=A` reads it).
 * Applying it to A gives B byte for byte; the frame's content size and
 * checksum make applying it to any other base an error, and the caller
 * still checks the result's SHA-256 against the signed release. */
#ifndef SB_DELTA_H
#define SB_DELTA_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Measured as for SB_SNAPSHOT_LEVEL (docs/relay.md): 12 makes a delta in
 * ~1 s where 19 takes ~20 s for half the size. */
#define SB_DELTA_LEVEL 12

/* *out (malloc'd) gets the delta from base to target. */
int sb_delta_create(const void *base, size_t base_len, const void *target, size_t target_len,
		    int level, uint8_t **out, size_t *out_len, struct sb_err *err);

/* base + delta -> exactly want_size bytes in *out (malloc'd). The same
 * refusals as sb_snapshot_decompress (bounds from the release), and a
 * checksum mismatch when the base is not the one the delta was made from. */
int sb_delta_apply(const void *base, size_t base_len, const void *delta, size_t delta_len,
		   size_t max_in, size_t want_size, uint8_t **out, struct sb_err *err);

/* The same between two cache files, each rewritten first (cachexform.h) so
 * that a record that changes length costs its own bytes, not every
 * reference after it; what the relay publishes. Create refuses files the
 * rewrite cannot undo exactly (checked on the target), and the publisher then
 * publishes no delta; apply refuses a base that is not a cache. */
int sb_cache_delta_create(const void *base, size_t base_len, const void *target, size_t target_len,
			  int level, uint8_t **out, size_t *out_len, struct sb_err *err);
int sb_cache_delta_apply(const void *base, size_t base_len, const void *delta, size_t delta_len,
			 size_t max_in, size_t want_size, uint8_t **out, struct sb_err *err);

#endif
