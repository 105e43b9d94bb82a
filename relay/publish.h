/* publish.h — the publisher's half of the relay (DESIGN.md "Fleet"): after a
 * sync has written the cache, publish it as a signed release into
 * publish_dir if its content changed (docs/relay.md, "Publishing").
 *
 *   publish_dir/release                 the signed document (release.h)
 *   publish_dir/release.minisig         its detached signature
 *   publish_dir/by-hash/SHA256/<hex>    immutable snapshot and deltas
 *   <publish_dir>.state/                private, never served: the last
 *                                       generation, the base caches the
 *                                       next deltas start from, the recent
 *                                       releases (for pruning)
 */
#ifndef SB_PUBLISH_H
#define SB_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

/* Deltas are made from this many previous generations, and the files of
 * this many releases (the current one included) stay in by-hash/: a
 * subscriber that read an older release a moment ago still finds its files. */
#define SB_PUBLISH_DELTAS 4
#define SB_PUBLISH_KEEP	  4

enum sb_publish_action {
	SB_PUBLISH_UNCHANGED, /* same content, release still fresh: nothing written */
	SB_PUBLISH_REFRESHED, /* same content: the release re-signed with new times */
	SB_PUBLISH_NEW,	      /* a new generation */
};

struct sb_publish_report {
	enum sb_publish_action action;
	uint64_t generation;
	uint64_t cache_size, snapshot_size;
	size_t ndeltas;
	uint64_t delta_bytes; /* all deltas of this release together */
	size_t pruned;	      /* by-hash files removed */
};

/* Publishes the cache file at cache_path per cfg (publish_dir,
 * signing_key_file, release_ttl). Nothing served changes on failure except
 * new by-hash files no release names yet. */
int sb_publish(const struct sb_config *cfg, const char *cache_path, struct sb_publish_report *rep,
	       struct sb_err *err);

#endif
