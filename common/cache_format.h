/* cache_format.h — the on-disk layout of /var/lib/scimbridge/cache, shared by
 * the writer and the reader. Native byte order (little-endian on every host
 * we build for; the magic catches a foreign one). All offsets are from the
 * start of the file; every section is 8-byte aligned.
 *
 *   header | by-name urecs | by-uid urecs | name dir | uid dir | users[] |
 *   groups[] | idmap[] | u32 pool | group-name index | gid index | strings
 *
 * A lookup's cost is the cache lines it must wait for: after the syscall
 * glibc makes on every NSS call, each random line of a large file is a trip
 * to memory (~150-250 ns on our machines, more than the whole reference
 * module). So getpwnam and getpwuid wait for one trip only:
 * - a user's passwd fields live inline in one record (struct sb_cache_urec
 *   and its text), stored twice: grouped by name-hash bucket and grouped by
 *   uid-hash bucket;
 * - a bucket's records are contiguous, and a small directory (u32 per bucket,
 *   ~3 users per bucket: 128 KiB for 100,000 users, so it stays in cache)
 *   gives where a bucket starts and ends; the reader prefetches the whole
 *   bucket at once and then compares.
 * By-name records also carry the user's supplementary gids, so
 * initgroups_dyn is one trip too. What lookups by key never read (SCIM id,
 * flags, ssh keys) sits in the fixed-size users[] array.
 *
 * A user private group (name and gid the user's, the user its only member)
 * is not stored as a group: the user's entry in users[] carries
 * SB_CACHE_USER_UPG and readers answer for the group from the user. It is
 * most of the groups of a tenant, and most of the file would be its copies.
 *
 * Record refs (users[].rec, group members) are a by-name urec's offset in its
 * section / 8, plus 1 (0 = none). Directory entries are offsets / 8; bucket b
 * spans [dir[b], dir[b+1]); a directory has a power-of-two number of buckets
 * plus one end entry. Strings of the strings section are NUL-terminated in
 * one blob whose last byte is NUL (checked at open). Users' ssh-key string
 * offsets and groups' member refs are runs in the u32 pool. Group indexes are
 * open-addressing tables of u32 slots (group index + 1; 0 = empty),
 * power-of-two sized, load <= 1/2, linear probing. Names are hashed with
 * FNV-1a 64 and ids with sb_hash_u32 (common/hashmap.c). */
#ifndef SB_CACHE_FORMAT_H
#define SB_CACHE_FORMAT_H

#include <stdint.h>

#define SB_CACHE_MAGIC	 "SCIMBRC\x01"
#define SB_CACHE_VERSION 3u

struct sb_cache_section {
	uint64_t off, size; /* bytes */
};

enum sb_cache_sec {
	SB_SEC_BYNAME,
	SB_SEC_BYUID,
	SB_SEC_DIR_NAME,
	SB_SEC_DIR_UID,
	SB_SEC_USERS,
	SB_SEC_GROUPS,
	SB_SEC_IDMAP,
	SB_SEC_U32,
	SB_SEC_IDX_GNAME,
	SB_SEC_IDX_GID,
	SB_SEC_STRINGS,
	SB_SEC_COUNT
};

struct sb_cache_header {
	char magic[8];
	uint32_t version, header_size;
	uint64_t file_size;
	uint64_t generation;
	int64_t sync_time, write_time;
	uint32_t n_users, n_groups, n_idmap, n_u32;
	/* Set to 1 by the writer in the file it has just replaced: readers that
	 * mapped the old file see it with one load and reopen the path. */
	uint32_t superseded;
	uint32_t n_upg; /* user private groups carried by users[] */
	struct sb_cache_section sec[SB_SEC_COUNT];
};

/* Followed by text = name NUL "*" NUL gecos NUL home NUL shell NUL — the
 * passwd strings in the order a struct passwd buffer takes them, so filling
 * one is a single copy — then, in by-name records only, n_gids u32 gids from
 * the next 4-byte boundary; then padding to 8 bytes. Lengths exclude NULs. */
struct sb_cache_urec {
	uint32_t uid, gid;
	uint32_t user;	    /* index into users[] */
	uint32_t name_hash; /* low 32 bits of the name's hash: cheap reject */
	uint32_t n_gids;    /* supplementary gids, sorted (0 in by-uid records) */
	uint16_t name_len, gecos_len, home_len, shell_len;
};

#define SB_UREC_TEXT_LEN(r)                                                                        \
	((uint32_t)(r)->name_len + (r)->gecos_len + (r)->home_len + (r)->shell_len + 6u)
/* Where the gids start, from the record's start. */
#define SB_UREC_GIDS_AT(r) ((sizeof(struct sb_cache_urec) + SB_UREC_TEXT_LEN(r) + 3u) & ~3u)

#define SB_CACHE_USER_UPG 0x100u /* flags: the user has a private group */

struct sb_cache_user {
	uint32_t rec;	       /* ref of this user's by-name urec */
	uint32_t scim_id;      /* string offset */
	uint32_t flags;	       /* SB_USER_* | SB_CACHE_USER_UPG */
	uint32_t keys, n_keys; /* run of string offsets in the u32 pool */
};

struct sb_cache_group {
	uint32_t name, scim_id, gid, flags;
	uint32_t members, n_members; /* run of member record refs */
	uint32_t name_hash, pad;
};

struct sb_cache_idmap {
	uint32_t scim_id, id, kind, pad;
};

#endif
