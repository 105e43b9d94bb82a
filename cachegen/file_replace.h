/* file_replace.h — replacing a file whole: a temp file beside it with its
 * final mode, filled, fsynced, closed, renamed over the path. A reader sees
 * the old file or the new one, never a mix; on any failure the old file is
 * untouched and the temp file removed. Used for the cache, the status file
 * and the token file. */
#ifndef SB_FILE_REPLACE_H
#define SB_FILE_REPLACE_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Writes the file's content to fd; 0, or -1 with errno set. */
typedef int (*sb_fill_fn)(int fd, const void *ctx);

/* what names the file in messages ("cache", "status", "token file"). */
int sb_file_replace(const char *path, mode_t mode, sb_fill_fn fill, const void *ctx,
		    const char *what, struct sb_err *err);
/* The same for content already in memory. */
int sb_file_replace_data(const char *path, mode_t mode, const void *data, size_t len,
			 const char *what, struct sb_err *err);
/* write(2) until done, retrying EINTR; 0 or -1 with errno. */
int sb_write_all(int fd, const void *p, size_t n);

#endif
