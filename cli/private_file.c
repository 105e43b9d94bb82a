/* private_file.c — small file and time helpers for the commands: a file
 * that holds a token must never be readable by others, so it is written to
 * a 0600 temp file beside the target and renamed over it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int cli_write_private_file(const char *path, const char *data, struct sb_err *err)
{
	char tmp[4096];
	int fd = -1, rc = -1, n;

	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return sb_err_set(err, SB_E_IO, "path too long: %s", path);
	/* mkostemp creates the file 0600 whatever the umask. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return sb_err_sys(err, errno, "cannot create %s", tmp);
	if (fchmod(fd, 0600) < 0) {
		sb_err_sys(err, errno, "chmod %s", tmp);
		goto out;
	}
	if (write_all(fd, data, strlen(data)) < 0 || write_all(fd, "\n", 1) < 0) {
		sb_err_sys(err, errno, "write %s", tmp);
		goto out;
	}
	if (fsync(fd) < 0) {
		sb_err_sys(err, errno, "fsync %s", tmp);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		sb_err_sys(err, errno, "close %s", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		sb_err_sys(err, errno, "rename %s to %s", tmp, path);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

const char *cli_fmt_time(long long t, char *buf, unsigned size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "never");
	return buf;
}
