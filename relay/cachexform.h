/* cachexform.h — a reversible rewrite of a cache file (cache_format.h) that
 * a byte-level delta sees through. In the file, references are byte
 * offsets, so one record that changes length changes every reference to a
 * record after it (docs/relay.md, "Deltas: measured"). The rewrite stores
 * group member refs as user indexes, users[].rec as 0 (it is implied by the
 * by-name records), and the monotonic columns (directories, string offsets,
 * pool runs) as differences from the previous entry; a delta between two
 * rewritten files is then about as large as what changed. Same size as the
 * file, in place; sb_cache_unxform undoes it exactly. Not a file format:
 * it exists only inside a delta. */
#ifndef SB_CACHEXFORM_H
#define SB_CACHEXFORM_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* -1 when buf is not a cache the rewrite can undo (bad header or sections,
 * a reference to no record); the caller then uses the plain file. */
int sb_cache_xform(uint8_t *buf, size_t len, struct sb_err *err);
/* -1 on what a rewritten file cannot hold (an index out of range). */
int sb_cache_unxform(uint8_t *buf, size_t len, struct sb_err *err);

#endif
