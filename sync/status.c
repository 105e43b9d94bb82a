/* status.c — the status file beside the cache (cache_path + ".status"):
 * when the last sync was tried, whether it worked, and why not. key=value
 * text, 0644, replaced atomically like the cache, so `scimbridge status`
 * can report on a host where the daemon is not running. Public data only:
 * counts, times, and the error message (never a token or secret). */
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "file_replace.h"
#include "log.h"

static int status_path(const struct sb_config *cfg, char *buf, size_t size, struct sb_err *err)
{
	int n;

	if (!cfg->cache_path || !*cfg->cache_path)
		return sb_err_set(err, SB_E_CONFIG, "status: cache_path is not set");
	n = snprintf(buf, size, "%s.status", cfg->cache_path);
	if (n < 0 || (size_t)n >= size)
		return sb_err_set(err, SB_E_CONFIG, "status: cache_path too long: %s",
				  cfg->cache_path);
	return 0;
}

/* One line of text an admin reads (sb_text_escape): the message may quote
 * the tenant. */
static void flatten(char *dst, size_t size, const char *src)
{
	sb_text_escape(src, dst, size);
}

static int format_status(const struct sb_sync_status *st, char *buf, size_t size)
{
	char msg[sizeof(st->message)], failure[sizeof(st->failure)], reads[sizeof(st->reads)];

	flatten(msg, sizeof(msg), st->message);
	flatten(failure, sizeof(failure), st->failure);
	flatten(reads, sizeof(reads), st->reads);
	return snprintf(buf, size,
			"last_attempt=%" PRId64 "\nlast_success=%" PRId64 "\nok=%d\n"
			"users=%" PRIu64 "\ngroups=%" PRIu64 "\nskipped=%" PRIu64 "\nmessage=%s\n"
			"last_failure=%" PRId64 "\nfailure=%s\n%s%s%s",
			st->last_attempt, st->last_success, st->ok ? 1 : 0, st->users, st->groups,
			st->skipped, msg, st->last_failure, failure, reads[0] ? "reads=" : "",
			reads, reads[0] ? "\n" : "");
}

int sb_status_write(const struct sb_config *cfg, const struct sb_sync_status *st,
		    struct sb_err *err)
{
	char path[4096], buf[2048];
	int len;

	if (status_path(cfg, path, sizeof(path), err) < 0)
		return -1;
	len = format_status(st, buf, sizeof(buf));
	if (len < 0 || (size_t)len >= sizeof(buf))
		return sb_err_set(err, SB_E_INTERNAL, "status: record too long");
	/* the status is meant for every user */
	return sb_file_replace_data(path, 0644, buf, (size_t)len, "status file", err);
}

static void parse_line(struct sb_sync_status *st, const char *key, const char *val)
{
	if (!strcmp(key, "last_attempt"))
		st->last_attempt = strtoll(val, NULL, 10);
	else if (!strcmp(key, "last_success"))
		st->last_success = strtoll(val, NULL, 10);
	else if (!strcmp(key, "ok"))
		st->ok = atoi(val) != 0;
	else if (!strcmp(key, "users"))
		st->users = strtoull(val, NULL, 10);
	else if (!strcmp(key, "groups"))
		st->groups = strtoull(val, NULL, 10);
	else if (!strcmp(key, "skipped"))
		st->skipped = strtoull(val, NULL, 10);
	else if (!strcmp(key, "message"))
		snprintf(st->message, sizeof(st->message), "%s", val);
	else if (!strcmp(key, "last_failure"))
		st->last_failure = strtoll(val, NULL, 10);
	else if (!strcmp(key, "failure"))
		snprintf(st->failure, sizeof(st->failure), "%s", val);
	else if (!strcmp(key, "reads"))
		snprintf(st->reads, sizeof(st->reads), "%s", val);
	/* Unknown keys are ignored: a newer writer may add some. */
}

int sb_status_read(const struct sb_config *cfg, struct sb_sync_status *st, struct sb_err *err)
{
	char path[4096], line[1024];
	FILE *f;

	memset(st, 0, sizeof(*st));
	if (status_path(cfg, path, sizeof(path), err) < 0)
		return -1;
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return sb_err_set(err, SB_E_NOTFOUND,
					  "status: no status file %s (never synced)", path);
		return sb_err_sys(err, errno, "status: cannot open %s", path);
	}
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		eq[1 + strcspn(eq + 1, "\n")] = '\0';
		parse_line(st, line, eq + 1);
	}
	fclose(f);
	return 0;
}

int sb_status_update(const struct sb_config *cfg, bool sync, int ok,
		     const struct sb_map_report *counts, const char *message, struct sb_err *err)
{
	struct sb_sync_status st;
	int64_t now = (int64_t)time(NULL);

	if (sb_status_read(cfg, &st, NULL) < 0)
		memset(&st, 0, sizeof(st));
	if (sync) {
		st.last_attempt = now;
		if (ok)
			st.last_success = now;
	}
	st.ok = ok;
	snprintf(st.message, sizeof(st.message), "%s", message);
	if (!ok) {
		st.last_failure = now;
		snprintf(st.failure, sizeof(st.failure), "%s", message);
	}
	if (counts) {
		st.users = counts->users_mapped;
		st.groups = counts->groups_mapped;
		st.skipped = counts->users_skipped + counts->groups_skipped;
	}
	return sb_status_write(cfg, &st, err);
}

int sb_status_set_reads(const struct sb_config *cfg, const char *reads, struct sb_err *err)
{
	struct sb_sync_status st;

	if (sb_status_read(cfg, &st, NULL) < 0)
		memset(&st, 0, sizeof(st));
	snprintf(st.reads, sizeof(st.reads), "%s", reads);
	return sb_status_write(cfg, &st, err);
}
