/* scim_types.h — a SCIM user or group reduced to what the mapping needs,
 * dialect-independent. The parser fills these one page at a time and frees
 * the JSON, so a 100,000-user sync never holds the whole tenant as JSON.
 * All strings are malloc'd, NUL-terminated UTF-8, NULL when absent. */
#ifndef SB_SCIM_TYPES_H
#define SB_SCIM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sb_tristate { SB_UNSET = -1, SB_FALSE = 0, SB_TRUE = 1 };

struct sb_scim_user {
	char *id;		       /* SCIM id, required */
	char *user_name;	       /* userName, required */
	char *display_name;	       /* displayName */
	char *name_formatted;	       /* name.formatted */
	char *given_name;	       /* name.givenName */
	char *family_name;	       /* name.familyName */
	char *domain;		       /* workspace extension `domain` (ws1) */
	char *user_status;	       /* workspace extension `userStatus`: "1","2","3" */
	char *internal_type;	       /* workspace extension `internalUserType` */
	char *uid_value;	       /* value of cfg->uid_attribute, as text (number or string) */
	enum sb_tristate active;       /* `active` */
	enum sb_tristate soft_deleted; /* workspace extension `softDeleted` */
	char **ssh_keys;	       /* values of cfg->ssh_keys_attribute (string or array) */
	size_t n_ssh_keys;
	int64_t last_modified; /* meta.lastModified, unix seconds; 0 absent/unreadable */
	/* When set, the strings from id to uid_value all point into this one
	 * block (the parser's layout: one allocation per user instead of ten). */
	char *str_blob;
};

struct sb_scim_member {
	char *value;   /* member's SCIM id */
	bool is_group; /* `type` == "Group" (nested group) */
};

struct sb_scim_group {
	char *id;
	char *display_name;
	struct sb_scim_member *members;
	size_t n_members;
	/* When set, every members[i].value points into this one block (the
	 * parser's layout: a 100,000-user tenant has a million memberships, and
	 * one allocation per group instead of per member saves ~30 MB). */
	char *member_blob;
	/* Members the mapping resolved to users as the page arrived
	 * (mapping/members.c, through sb_scim_list_groups_each): indexes into
	 * the users array the listing was made against. A million memberships
	 * then cost 4 bytes each instead of an id string; `members` keeps the
	 * rest (nested groups, ids not among the users). NULL from the parser. */
	uint32_t *member_users;
	size_t n_member_users;
	int64_t last_modified; /* meta.lastModified, unix seconds; 0 absent/unreadable */
};

/* Growable arrays of parsed resources. */
struct sb_scim_users {
	struct sb_scim_user *v;
	size_t n, cap;
};
struct sb_scim_groups {
	struct sb_scim_group *v;
	size_t n, cap;
};

void sb_scim_user_free(struct sb_scim_user *u);
void sb_scim_group_free(struct sb_scim_group *g);
void sb_scim_users_free(struct sb_scim_users *a);
void sb_scim_groups_free(struct sb_scim_groups *a);

/* A user may log in only if active is true (absent counts as true for
 * services that omit it), userStatus is absent or "1", and softDeleted is
 * not true. */
bool sb_scim_user_login_allowed(const struct sb_scim_user *u);
/* The one reading of those three attributes: NULL when the user may log
 * in, else why not: "deleted" (softDeleted, or userStatus 3), "disabled"
 * (another userStatus than 1) or "deactivated" (active false). */
const char *sb_scim_user_refusal(const struct sb_scim_user *u);

#endif
