/* file_replace.c — see file_replace.h. */
#include "file_replace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sb_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -1 : (errno = EIO, -1);
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int sb_file_replace(const char *path, mode_t mode, sb_fill_fn fill, const void *ctx,
		    const char *what, struct sb_err *err)
{
	size_t plen = strlen(path) + 16;
	char *tmp = malloc(plen);
	int fd = -1, rc = -1;

	if (!tmp)
		return sb_err_set(err, SB_E_NOMEM, "%s %s: out of memory", what, path);
	snprintf(tmp, plen, "%s.tmp.XXXXXX", path);
	/* mkostemp creates the file 0600 whatever the umask; fchmod sets the
	 * final mode before a byte is written. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		sb_err_sys(err, errno, "cannot create a temporary file beside the %s %s", what,
			   path);
		free(tmp);
		return -1;
	}
	if (fchmod(fd, mode) < 0 || fill(fd, ctx) < 0 || fsync(fd) < 0) {
		sb_err_sys(err, errno, "cannot write %s (the %s %s is unchanged)", tmp, what, path);
		goto out;
	}
	rc = close(fd);
	fd = -1;
	if (rc < 0) {
		sb_err_sys(err, errno, "cannot write %s (the %s %s is unchanged)", tmp, what, path);
		goto out;
	}
	rc = rename(tmp, path);
	if (rc < 0)
		sb_err_sys(err, errno, "cannot rename %s to %s", tmp, path);
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

struct data {
	const void *p;
	size_t n;
};

static int fill_data(int fd, const void *ctx)
{
	const struct data *d = ctx;

	return sb_write_all(fd, d->p, d->n);
}

int sb_file_replace_data(const char *path, mode_t mode, const void *data, size_t len,
			 const char *what, struct sb_err *err)
{
	struct data d = {data, len};

	return sb_file_replace(path, mode, fill_data, &d, what, err);
}
