/* zframe.h — what snapshot.c and delta.c share: the checks a zstd frame from
 * the relay must pass before anything is allocated for it, and the one-shot
 * decompression into a buffer of the exact size the release gives. Internal
 * to relay/. */
#ifndef SB_RELAY_ZFRAME_H
#define SB_RELAY_ZFRAME_H

#include <stddef.h>
#include <stdint.h>

/* ZSTD_getFrameHeader: in the shared libzstd of Debian 12, marked experimental */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include "err.h"

/* what: "snapshot" or "delta", for the messages. */
int sb_zframe_check(const void *in, size_t in_len, size_t max_in, size_t want_size,
		    const char *what, struct sb_err *err);
/* Decompresses with dctx (already given any prefix) into a new buffer of
 * want_size bytes; refuses output of any other size. */
int sb_zframe_decode(ZSTD_DCtx *dctx, const void *in, size_t in_len, size_t want_size,
		     const char *what, uint8_t **out, struct sb_err *err);
/* Long-distance matching, and a window that spans n bytes: a cache holds
 * each user's passwd text twice (by name, by uid) megabytes apart, and a
 * delta's base must be reachable whole. */
size_t sb_zframe_long(ZSTD_CCtx *cctx, size_t n);
/* Compresses with cctx (parameters already set) into a new buffer. */
int sb_zframe_encode(ZSTD_CCtx *cctx, const void *in, size_t in_len, const char *what,
		     uint8_t **out, size_t *out_len, struct sb_err *err);

#endif
