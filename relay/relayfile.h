/* relayfile.h — what the publisher and the subscriber share: reading a
 * whole file with a bound, writing an immutable by-hash file, and the
 * signed trusted comment that names the cache a release installs.
 *
 * The release names the compressed files; the trusted comment of
 * release.minisig (signed too, and printed by `minisign -V`) names the
 * cache they decode to:
 *   scimbridge directory=<id> generation=<n> cache=sha256:<hex>:<size>
 * so the subscriber checks the cache it is about to install, whichever
 * way (snapshot or delta chain) it got there. Internal to relay/. */
#ifndef SB_RELAYFILE_H
#define SB_RELAYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "minisign.h"
#include "release.h"

/* The cache a release installs: from the signed trusted comment. */
struct sb_relay_cache {
	char directory[SB_RELEASE_DIR_ID_MAX + 1];
	uint64_t generation;
	uint8_t sha256[32];
	uint64_t size;
};

/* "fleet-<key id>": the directory id a key publishes and a subscriber
 * follows. Tying it to the key means no new config key on either side; a
 * release of another directory signed by the same key is still refused. */
void sb_relay_directory_id(const uint8_t keyid[SB_MS_KEYID_BYTES], char out[32]);

void sb_relay_comment_build(const struct sb_relay_cache *c, char *out, size_t size);
int sb_relay_comment_parse(const char *text, struct sb_relay_cache *c, struct sb_err *err);

/* The whole file into *out (malloc'd, NUL-terminated); refused over max
 * bytes. SB_E_NOTFOUND when it does not exist. */
int sb_relay_read_file(const char *path, size_t max, uint8_t **out, size_t *len,
		       struct sb_err *err);
/* path's content, replaced through a temp file, fsync, rename (mode). */
int sb_relay_write_file(const char *path, int mode, const void *data, size_t len,
			struct sb_err *err);
/* SHA-256 of data in raw and hex form. */
void sb_relay_sha256(const void *data, size_t len, uint8_t raw[32], char hex[65]);
/* Decodes 64 lower-case hex digits. */
int sb_relay_unhex(const char *hex, uint8_t raw[32]);

#endif
