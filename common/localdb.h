/* localdb.h — the host's own accounts, read straight from the passwd and
 * group files (never through NSS: the daemon must not recurse into our
 * module), so tenant entries never shadow a local name or id. */
#ifndef SB_LOCALDB_H
#define SB_LOCALDB_H

#include "err.h"
#include "hashmap.h"

struct sb_localdb {
	struct sb_strmap names;	 /* user and group names; values unused */
	struct sb_strmap groups; /* group name → gid */
	struct sb_u32set ids;	 /* uids and gids */
	char *blob;		 /* owns the name strings */
};

/* A missing file is not an error (an empty set); an unreadable one is. */
int sb_localdb_load(struct sb_localdb *db, const char *passwd_file, const char *group_file,
		    struct sb_err *err);
void sb_localdb_free(struct sb_localdb *db);

#endif
