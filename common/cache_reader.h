/* cache_reader.h — read-only access to a mapped cache file: lookups by user
 * name, uid, group name, gid, a user's groups, and enumeration; no syscall on
 * a lookup. A truncated, foreign or future-version file is rejected at open
 * (SB_E_FORMAT) and every offset is bounds-checked, so a corrupt file can
 * never make a reader read past the mapping. Views point into the mapping and
 * stay valid until sb_cache_close. Thread-safe for concurrent readers. */
#ifndef SB_CACHE_READER_H
#define SB_CACHE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "err.h"

struct sb_cache;

struct sb_user_view {
	const char *name, *gecos, *home, *shell, *scim_id;
	/* name, "*", gecos, home and shell, each NUL-terminated, back to back
	 * in that order: what a struct passwd's buffer holds, in one copy. */
	const char *text;
	uint32_t text_len;
	uint32_t uid, gid, flags;
	uint32_t n_gids;
	const uint32_t *gids; /* supplementary gids, sorted */
	uint32_t n_keys;      /* ssh keys: sb_cache_user_key(c, v, i) */
	uint32_t index;	      /* record index, for enumeration and keys */
};

struct sb_group_view {
	const char *name, *scim_id; /* scim_id "" for a user private group */
	uint32_t gid, flags;
	uint32_t n_members;
	uint32_t index; /* for enumeration */
};

struct sb_cache_info {
	uint32_t version;
	uint64_t generation; /* increases with every write */
	int64_t sync_time;   /* from the dataset */
	int64_t write_time;
	uint32_t n_users, n_groups, n_idmap;
	uint64_t file_size;
};

/* Maps path. SB_E_NOTFOUND if missing, SB_E_IO if unreadable, SB_E_FORMAT if
 * not a cache of a version we read, SB_E_SECURITY (logged once per process)
 * if someone other than root could have written it: the file or its
 * directory is not owned by root — or by this process's real uid when the
 * process is not setuid/setgid (AT_SECURE) — or is group/other-writable.
 * The fd is O_CLOEXEC and closed after mmap. */
int sb_cache_open(const char *path, struct sb_cache **out, struct sb_err *err);
/* The same in the caller's storage (at least SB_CACHE_STATE_SIZE bytes,
 * aligned for any type): the NSS module keeps it beside its lock, so a
 * lookup touches one memory page fewer. sb_cache_close leaves it to the
 * caller. */
#define SB_CACHE_STATE_SIZE 256
int sb_cache_open_in(const char *path, void *state, struct sb_cache **out, struct sb_err *err);
void sb_cache_close(struct sb_cache *c);
/* No id below this is ever served from a cache (uid_min and gid_min cannot
 * be set lower): a damaged or forged file cannot hand out root's, disk's or
 * shadow's ids. */
#define SB_CACHE_ID_FLOOR 1000
/* Raises the floor to the config's uid_min / gid_min: users with a lower
 * uid, groups with a lower gid, and such gids in a user's list are not
 * served. A user private group (gid = uid) is held to uid_min. */
void sb_cache_set_id_min(struct sb_cache *c, uint32_t uid_min, uint32_t gid_min);
/* The one gid below the floors a user may have as primary gid: the local
 * group the config's primary_group names (sb_config_primary_gid; 0 allows
 * none). Only the primary gid; a supplementary list or a group record is
 * still held to the floors. */
void sb_cache_allow_primary_gid(struct sb_cache *c, uint32_t gid);
/* True once a writer has replaced this file (one memory load, no syscall). */
bool sb_cache_superseded(const struct sb_cache *c);
void sb_cache_get_info(const struct sb_cache *c, struct sb_cache_info *info);
/* One stat(2): 1 if path still names the mapped file, 0 if it was replaced or
 * removed. The NSS module calls it at most once a second, as a fallback for a
 * writer that did not set the superseded flag. */
int sb_cache_is_current(const struct sb_cache *c, const char *path);

/* 1 found, 0 not found. */
int sb_cache_user_by_name(const struct sb_cache *c, const char *name, struct sb_user_view *out);
int sb_cache_user_by_uid(const struct sb_cache *c, uint32_t uid, struct sb_user_view *out);
/* The same, filling only what one record holds: name … text_len, uid, gid,
 * index, and (by name only) the gids; scim_id "", flags and keys zero. The
 * NSS module's getpwnam, getpwuid and initgroups wait for one memory read. */
int sb_cache_passwd_by_name(const struct sb_cache *c, const char *name, struct sb_user_view *out);
int sb_cache_passwd_by_uid(const struct sb_cache *c, uint32_t uid, struct sb_user_view *out);
int sb_cache_group_by_name(const struct sb_cache *c, const char *name, struct sb_group_view *out);
int sb_cache_group_by_gid(const struct sb_cache *c, uint32_t gid, struct sb_group_view *out);
/* Enumeration by index, from 0 until the call returns 0. Groups count their
 * user private groups; an index where a user has none gives a view with gid
 * 0 and an empty name, which callers skip (gid 0 is never served). The same
 * for a user the id floors refuse: uid and gid 0, an empty name. */
int sb_cache_user_at(const struct sb_cache *c, uint32_t i, struct sb_user_view *out);
int sb_cache_group_at(const struct sb_cache *c, uint32_t i, struct sb_group_view *out);
/* Member i's login name of group g; key i of user u. */
const char *sb_cache_group_member(const struct sb_cache *c, const struct sb_group_view *g,
				  uint32_t i);
const char *sb_cache_user_key(const struct sb_cache *c, const struct sb_user_view *u, uint32_t i);
/* The sticky id assignments, for the next sync; entry i. */
int sb_cache_idmap_at(const struct sb_cache *c, uint32_t i, const char **scim_id, uint32_t *id,
		      uint32_t *kind);

#endif
