/* release.h — the `release` document a publisher signs and subscribers poll
 * (DESIGN.md "Fleet"; format in docs/relay.md). Text, one `key value` field
 * a line in a fixed order, so that building a parsed release gives back the
 * same bytes:
 *
 *   scimbridge-release 1
 *   directory <id>                       1-64 of [A-Za-z0-9._-]
 *   generation <n>                       ≥ 1, only grows
 *   created <unix seconds>
 *   valid-until <unix seconds>           > created
 *   snapshot sha256:<64 hex> <size>
 *   delta <from generation> sha256:<64 hex> <size>     0..64 lines,
 *                                        from < generation, ascending
 *
 * Parsing is strict: another version, a missing, repeated, unknown or
 * out-of-order field, a number with a sign or a leading zero, upper-case hex,
 * a CR, a size over SB_RELEASE_FILE_MAX or a document over
 * SB_RELEASE_TEXT_MAX is refused with the line that was wrong. */
#ifndef SB_RELEASE_H
#define SB_RELEASE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SB_RELEASE_VERSION    1
#define SB_RELEASE_TEXT_MAX   16384
#define SB_RELEASE_MAX_DELTAS 64
#define SB_RELEASE_DIR_ID_MAX 64
/* No snapshot or delta may claim more: a subscriber never downloads more
 * than a release names, and a release never names more than this. */
#define SB_RELEASE_FILE_MAX (1ull << 32)

struct sb_release_file {
	uint8_t sha256[32];
	uint64_t size;
};

struct sb_release_delta {
	uint64_t from_generation;
	struct sb_release_file file;
};

struct sb_release {
	unsigned version;
	char directory[SB_RELEASE_DIR_ID_MAX + 1];
	uint64_t generation;
	int64_t created, valid_until;
	struct sb_release_file snapshot;
	size_t ndeltas;
	struct sb_release_delta deltas[SB_RELEASE_MAX_DELTAS];
};

/* The document's text (malloc'd, NUL-terminated, *len without the NUL);
 * refuses a release that would not parse back. */
int sb_release_build(const struct sb_release *r, char **out, size_t *len, struct sb_err *err);
/* Parses text of len bytes into r. SB_E_FORMAT naming the line on any
 * refusal. */
int sb_release_parse(const char *text, size_t len, struct sb_release *r, struct sb_err *err);

/* What a subscriber makes of a verified release. */
enum sb_release_verdict {
	SB_RELEASE_NEWER,	/* install it */
	SB_RELEASE_SAME,	/* the generation installed: nothing to do */
	SB_RELEASE_OTHER_DIR,	/* refused: another fleet's directory */
	SB_RELEASE_ROLLBACK,	/* refused: older than what is installed */
	SB_RELEASE_EXPIRED,	/* past valid_until: the directory counts as unreachable */
	SB_RELEASE_FROM_FUTURE, /* created more than a skew ahead of now: refused */
};
/* Checks, in this order: directory; generation below have (0: none
 * installed), so a replayed old release reads as the rollback it is;
 * valid_until against now; creation time against now + skew; then the same
 * generation or a newer one. A refusal is also described in err. */
enum sb_release_verdict sb_release_judge(const struct sb_release *r, const char *directory,
					 uint64_t have, int64_t now, int64_t skew,
					 struct sb_err *err);

/* SHA-256 of data as 64 lower-case hex digits (buf: 65 bytes). */
const char *sb_release_sha256_hex(const void *data, size_t len, char *buf);
/* SHA-256 of data compared with a release file entry (size, then hash). */
int sb_release_file_check(const struct sb_release_file *f, const void *data, size_t len,
			  const char *what, struct sb_err *err);

#endif
