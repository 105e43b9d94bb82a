/* cache_writer.h — writes a dataset as the cache file: to a temp file in the
 * same directory, fsync, rename, fsync the directory; then marks the file it
 * replaced as superseded so mapped readers notice without a syscall. On any
 * failure (disk full, I/O error) the old cache is untouched and the temp file
 * removed. Mode 0644. */
#ifndef SB_CACHE_WRITER_H
#define SB_CACHE_WRITER_H

#include "dataset.h"
#include "err.h"

int sb_cache_write(const char *path, const struct sb_dataset *ds, struct sb_err *err);

#endif
