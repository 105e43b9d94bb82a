/* nss_serve.h — what the NSS module may serve, whatever the cache says: the
 * one owner of the rule for the keyed lookups (nss_lookup.c) and the
 * enumerations (nss_enum.c). Never uid 0 or gid 0 (a primary gid 0 would put
 * the user in root's group at login), never the name "root" or an empty
 * name: root stays the local files' alone, even if a root-written cache
 * (or a tenant through it) holds such a record. The id floors (uid_min,
 * gid_min) are the cache reader's (sb_cache_set_id_min). */
#ifndef NSS_SERVE_H
#define NSS_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "cache_reader.h"
#include "hot.h"

SB_HOT static inline bool nss_name_servable(const char *s)
{
	return s && *s && !(s[0] == 'r' && s[1] == 'o' && s[2] == 'o' && s[3] == 't' && !s[4]);
}

SB_HOT static inline bool nss_id_servable(uint32_t id)
{
	return id != 0;
}

SB_HOT static inline bool nss_user_servable(const struct sb_user_view *v)
{
	return nss_id_servable(v->uid) && nss_id_servable(v->gid) && nss_name_servable(v->name);
}

static inline bool nss_group_servable(const struct sb_group_view *v)
{
	return nss_id_servable(v->gid) && nss_name_servable(v->name);
}

#endif
