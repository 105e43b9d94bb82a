/* serve.h — what the modules may serve, whatever the cache says: the one
 * owner of the rule for the NSS module's keyed lookups (nss_lookup.c) and
 * enumerations (nss_enum.c), and for the users pam_scim decides on
 * (pam_decide.c: a user NSS would not serve is not a directory user).
 * Never uid 0 or gid 0 (a primary gid 0 would put the user in root's group
 * at login), never the name "root" or an empty name: root stays the local files' alone, even if a
 * root-written cache (or a tenant through it) holds such a record. The id floors (uid_min, gid_min)
 * are the cache reader's (sb_cache_set_id_min). */
#ifndef SB_SERVE_H
#define SB_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "cache_reader.h"
#include "hot.h"

SB_HOT static inline bool sb_name_servable(const char *s)
{
	return s && *s && !(s[0] == 'r' && s[1] == 'o' && s[2] == 'o' && s[3] == 't' && !s[4]);
}

SB_HOT static inline bool sb_id_servable(uint32_t id)
{
	return id != 0;
}

SB_HOT static inline bool sb_user_servable(const struct sb_user_view *v)
{
	return sb_id_servable(v->uid) && sb_id_servable(v->gid) && sb_name_servable(v->name);
}

static inline bool sb_group_servable(const struct sb_group_view *v)
{
	return sb_id_servable(v->gid) && sb_name_servable(v->name);
}

#endif
