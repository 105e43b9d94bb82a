/* fuzz_cache_reader.c — a cache file is read by every process on the host:
 * whatever bytes it holds, open either refuses it or every lookup stays
 * inside the mapping (ASan would see a stray read). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct sb_cache *c)
{
	struct sb_user_view u;
	struct sb_group_view g;
	const char *sid;
	uint32_t id, kind;

	for (uint32_t i = 0; i < 64 && sb_cache_user_at(c, i, &u); i++) {
		volatile size_t n = strlen(u.name) + strlen(u.gecos) + strlen(u.home) +
				    strlen(u.shell) + (unsigned char)u.text[u.text_len - 1];

		(void)n;
		(void)sb_cache_passwd_by_name(c, u.name, &u);
		(void)sb_cache_passwd_by_uid(c, u.uid, &u);
		for (uint32_t k = 0; k < u.n_gids; k++)
			(void)sb_cache_group_by_gid(c, u.gids[k], &g);
		for (uint32_t k = 0; k < u.n_keys; k++)
			(void)strlen(sb_cache_user_key(c, &u, k));
		(void)sb_cache_user_by_name(c, u.name, &u);
		(void)sb_cache_user_by_uid(c, u.uid, &u);
	}
	for (uint32_t i = 0; i < 64 && sb_cache_group_at(c, i, &g); i++) {
		for (uint32_t k = 0; k < g.n_members && k < 64; k++)
			(void)strlen(sb_cache_group_member(c, &g, k));
		(void)sb_cache_group_by_name(c, g.name, &g);
	}
	for (uint32_t i = 0; i < 64 && sb_cache_idmap_at(c, i, &sid, &id, &kind); i++)
		(void)strlen(sid);
	(void)sb_cache_user_by_name(c, "alice", &u);
	(void)sb_cache_group_by_gid(c, 200001, &g);
}

/* A private directory: the reader refuses a cache in a directory others
 * can write, such as /tmp itself. Removed (empty) at exit. */
static char dir[] = "/tmp/fuzzcache.XXXXXX";
static const char *made;

static void remove_dir(void)
{
	rmdir(dir);
}

static const char *private_dir(void)
{
	if (!made && (made = mkdtemp(dir)) != NULL)
		atexit(remove_dir);
	return made;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct sb_cache *c;
	int fd;

	if (!private_dir())
		return 0;
	snprintf(path, sizeof(path), "%s/cache.XXXXXX", private_dir());
	fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && sb_cache_open(path, &c, NULL) == 0) {
		walk(c);
		sb_cache_close(c);
	}
	close(fd);
	unlink(path);
	return 0;
}
