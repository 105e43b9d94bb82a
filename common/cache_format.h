/* cache_format.h — the on-disk layout of /var/lib/scimbridge/cache, shared by
 * the writer and the reader. Native byte order (little-endian on every host
 * we build for; the magic catches a foreign one). All offsets are from the
 * start of the file; every section is 8-byte aligned.
 *
 *   header | urecs | users[] | groups[] | idmap[] | u32 pool | 4 indexes | strings
 *
 * A lookup's cost is its cache and TLB misses, so what getpwnam/getpwuid
 * touch is kept small and together: a user's passwd fields live inline in
 * one variable-length record (struct sb_cache_urec + its text), and the
 * records are laid out in the order of the name index's slots, so a probe
 * that passes over a neighbour reads the next record, not a random page.
 * What lookups by key never read (SCIM id, flags, ssh keys, supplementary
 * gids) sits in the fixed-size users[] array, one entry per user.
 *
 * Strings of the strings section are NUL-terminated in one blob whose last
 * byte is NUL, so any offset inside it is a valid C string (checked once at
 * open). Users' gids, users' key string offsets and groups' member refs are
 * runs in the u32 pool. Indexes are open-addressing tables of u32 slots,
 * power-of-two sized, load <= 1/2, linear probing, 0 = empty; names are
 * hashed with FNV-1a 64 and ids with sb_hash_u32 (common/hashmap.c). User
 * indexes and group members hold a record ref (the urec's offset in its
 * section / 8, plus 1); group indexes hold a group's index plus 1. */
#ifndef SB_CACHE_FORMAT_H
#define SB_CACHE_FORMAT_H

#include <stdint.h>

#define SB_CACHE_MAGIC	 "SCIMBRC\x01"
#define SB_CACHE_VERSION 2u

struct sb_cache_section {
	uint64_t off, size; /* bytes */
};

enum sb_cache_sec {
	SB_SEC_URECS,
	SB_SEC_USERS,
	SB_SEC_GROUPS,
	SB_SEC_IDMAP,
	SB_SEC_U32,
	SB_SEC_IDX_UNAME,
	SB_SEC_IDX_UID,
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
	uint32_t reserved;
	struct sb_cache_section sec[SB_SEC_COUNT];
};

/* Followed by text = name NUL "x" NUL gecos NUL home NUL shell NUL — the
 * passwd strings in the order a struct passwd buffer takes them, so filling
 * one is a single copy — then padding to 8 bytes. Lengths exclude the NUL. */
struct sb_cache_urec {
	uint32_t uid, gid;
	uint32_t user;	    /* index into users[] */
	uint32_t name_hash; /* low 32 bits of the name's hash: cheap reject */
	uint16_t name_len, gecos_len, home_len, shell_len;
};

#define SB_UREC_TEXT_LEN(r)                                                                        \
	((uint32_t)(r)->name_len + (r)->gecos_len + (r)->home_len + (r)->shell_len + 6u)

struct sb_cache_user {
	uint32_t rec;	       /* record ref of this user's urec */
	uint32_t scim_id;      /* string offset */
	uint32_t flags;
	uint32_t gids, n_gids; /* run in the u32 pool */
	uint32_t keys, n_keys; /* run of string offsets in the u32 pool */
	uint32_t pad;
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
