/* cache_writer.h — writes a dataset as the cache file: to a temp file in the
 * same directory, fsync, rename, fsync the directory; then marks the file it
 * replaced as superseded so mapped readers notice without a syscall. On any
 * failure (disk full, I/O error) the old cache is untouched and the temp file
 * removed. Mode 0644. */
#ifndef SB_CACHE_WRITER_H
#define SB_CACHE_WRITER_H

#include <stddef.h>

#include "dataset.h"
#include "err.h"

int sb_cache_write(const char *path, const struct sb_dataset *ds, struct sb_err *err);
/* Installs a whole cache file already in memory (a relay subscriber's
 * verified release) the same way: temp, fsync, rename, directory fsync,
 * superseded flag in the file it replaced. The bytes are written as given. */
int sb_cache_install(const char *path, const void *data, size_t len, struct sb_err *err);

#endif
