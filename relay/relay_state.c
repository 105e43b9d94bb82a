/* relay_state.c — a subscriber's state file, <cache_path>.relay (format in
 * subscribe.h): one "key value" line per field, read by status and by the
 * next check, written after every check (subscribe.c). */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relayfile.h"
#include "subscribe.h"

static int state_path(const struct sb_config *cfg, char *buf)
{
	int n = snprintf(buf, PATH_MAX, "%s.relay", cfg->cache_path);

	return n > 0 && n < PATH_MAX ? 0 : -1;
}

static void state_field(struct sb_relay_state *st, const char *key, const char *v)
{
	if (!strcmp(key, "generation"))
		st->generation = strtoull(v, NULL, 10);
	else if (!strcmp(key, "cache"))
		snprintf(st->cache_hex, sizeof(st->cache_hex), "%s", v);
	else if (!strcmp(key, "etag"))
		snprintf(st->etag, sizeof(st->etag), "%s", v);
	else if (!strcmp(key, "last-modified"))
		snprintf(st->last_modified, sizeof(st->last_modified), "%s", v);
	else if (!strcmp(key, "created"))
		st->created = strtoll(v, NULL, 10);
	else if (!strcmp(key, "valid-until"))
		st->valid_until = strtoll(v, NULL, 10);
	else if (!strcmp(key, "checked"))
		st->checked = strtoll(v, NULL, 10);
	else if (!strcmp(key, "result")) {
		st->ok = !strncmp(v, "ok", 2);
		snprintf(st->result, sizeof(st->result), "%s", v);
	}
}

int sb_relay_state_read(const struct sb_config *cfg, struct sb_relay_state *st, struct sb_err *err)
{
	char path[PATH_MAX], *line, *save = NULL;
	uint8_t *buf;
	size_t len;

	memset(st, 0, sizeof(*st));
	if (state_path(cfg, path) < 0)
		return sb_err_set(err, SB_E_CONFIG, "cache_path too long");
	if (sb_relay_read_file(path, 8192, &buf, &len, err) < 0)
		return -1;
	for (line = strtok_r((char *)buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (sp) {
			*sp = 0;
			state_field(st, line, sp + 1);
		}
	}
	free(buf);
	return 0;
}

int sb_relay_state_write(const struct sb_config *cfg, const struct sb_relay_state *st,
			 struct sb_err *err)
{
	char path[PATH_MAX], text[2048];
	int n;

	if (state_path(cfg, path) < 0)
		return sb_err_set(err, SB_E_CONFIG, "cache_path too long");
	n = snprintf(text, sizeof(text),
		     "generation %" PRIu64 "\ncache %s\netag %s\nlast-modified %s\ncreated %" PRId64
		     "\nvalid-until %" PRId64 "\nchecked %" PRId64 "\nresult %s\n",
		     st->generation, st->cache_hex, st->etag, st->last_modified, st->created,
		     st->valid_until, st->checked, st->result);
	return sb_relay_write_file(path, 0644, text, (size_t)n, err);
}
