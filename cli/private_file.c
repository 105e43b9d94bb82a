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
#include "file_replace.h"

int cli_write_private_file(const char *path, const char *data, struct sb_err *err)
{
	size_t n = strlen(data);
	char *line = malloc(n + 2);
	int rc;

	if (!line)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	memcpy(line, data, n);
	line[n] = '\n';
	rc = sb_file_replace_data(path, 0600, line, n + 1, "token file", err);
	explicit_bzero(line, n + 1); /* a token */
	free(line);
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
