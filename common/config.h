/* config.h — /etc/scimbridge/scimbridge.conf: flat `key = value`, `#`
 * comments. Every key of DESIGN.md's contract, with its default. The same
 * parser serves the daemon, the CLI and the modules; the modules read only
 * what they need and never open the secret (sb_config_read_secret is for
 * the daemon and CLI only). */
#ifndef SB_CONFIG_H
#define SB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SB_DEFAULT_CONF "/etc/scimbridge/scimbridge.conf"

enum sb_dialect { SB_DIALECT_WORKSPACE_ONE = 0, SB_DIALECT_SCIM2 = 1 };

/* DESIGN.md "Fleet": tenant (default) syncs from the tenant itself; a
 * publisher also publishes signed releases; a subscriber reads them from a
 * relay and holds no tenant credential. */
enum sb_role { SB_ROLE_TENANT = 0, SB_ROLE_PUBLISHER = 1, SB_ROLE_SUBSCRIBER = 2 };
/* What pam_scim does when the daemon does not answer (not running, or no
 * answer in time): that is not an unreachable tenant, and the admin chooses. */
enum sb_daemon_down { SB_DOWN_DENY = 0, SB_DOWN_CACHE = 1 };

struct sb_strlist {
	char **v;
	size_t n;
};

struct sb_config {
	char *path; /* the file this was read from */

	/* tenant */
	char *url;		  /* https://tenant.example.com (no default) */
	enum sb_dialect dialect;  /* workspace-one */
	char *scim_path;	  /* /SAAS/jersey/manager/api/scim (ws1), /scim/v2 (scim2) */
	char *token_path;	  /* /SAAS/auth/oauthtoken */
	char *client_id;	  /* NULL */
	char *client_secret_file; /* NULL; 0600, root- (or caller-) owned */
	char *bearer_token_file;  /* NULL; alternative to client credentials */
	char *ca_file;		  /* NULL: system CAs. TLS is always verified. */
	char *domain;		  /* NULL: every user; else only users of this domain */
	unsigned timeout;	  /* 10 s: total per HTTP request; connect = min(timeout, 5) */
	unsigned page_size;	  /* 100 */
	/* What a hostile or broken tenant may send: at most max_resources
	   Users (and as many Groups) per listing, 1000000; at most
	   max_listing_mib MiB of answers per listing, 2048. Past either the
	   sync fails and the last good cache stays. */
	unsigned max_resources;
	unsigned max_listing_mib;
	char *uid_attribute; /* NULL: hash the SCIM id. Dotted path, e.g.
				urn:...:enterprise:1.0.employeeNumber or a plain attribute */

	/* POSIX mapping */
	uint32_t uid_min, uid_max;	 /* 200000 .. 1999999999 */
	uint32_t gid_min, gid_max;	 /* 200000 .. 1999999999 */
	char *name_format;		 /* "%u": %u userName as given, %l its local part
					    (before '@'), %d the user's domain, %% a '%'.
					    The result is lower-cased. */
	char *home;			 /* "/home/%u": %u login name, %d domain, %i uid */
	char *shell;			 /* "/bin/bash" */
	char *primary_group;		 /* NULL or "": user private group; else a group name */
	struct sb_strlist ignore_groups; /* comma-separated; default "ALL USERS" */
	/* Names never served, on top of the built-in list (names.c): comma or
	   blank separated; default empty. */
	struct sb_strlist reserved_names;
	char *ssh_keys_attribute; /* NULL: no keys */

	/* host side */
	char *cache_path;		  /* /var/lib/scimbridge/cache */
	char *socket_path;		  /* /run/scimbridge/socket */
	unsigned refresh_interval;	  /* 900 s */
	unsigned negative_ttl;		  /* 60 s */
	struct sb_strlist allowed_groups; /* empty: every active directory user */
	unsigned offline_grace;		  /* 86400 s */
	bool live_check;		  /* yes */
	enum sb_daemon_down daemon_down;  /* deny: PAM_AUTHINFO_UNAVAIL; cache: as offline */
	bool enumerate;			  /* no */

	/* fleet (issue 16); relay/publish.c, relay/subscribe.c */
	enum sb_role role;	      /* tenant */
	unsigned role_line;	      /* the line that set role (0: default) */
	char *publish_dir;	      /* NULL; absolute path (publisher) */
	char *signing_key_file;	      /* NULL; absolute path, 0600 (publisher) */
	unsigned release_ttl;	      /* 3600 s: valid_until = creation + release_ttl */
	char *relay_url;	      /* NULL; http:// or https:// (subscriber) */
	char *relay_public_key;	      /* NULL; minisign public key "RW…" (subscriber) */
	unsigned relay_poll_interval; /* 30 s */

	/* device sign-in (issue 17): the daemon (device_login.c) and pam_scim auth */
	char *oidc_issuer;	   /* NULL; https:// URL, compared byte for byte */
	char *oidc_client_id;	   /* NULL; a public client (no secret) */
	char *oidc_scopes;	   /* "openid profile" */
	char *oidc_username_claim; /* "preferred_username" */
	bool device_login;	   /* no */
};

/* Fills every field with its default. */
void sb_config_defaults(struct sb_config *cfg);
/* Reads path over the defaults. Errors name the file, line and key:
 * "scimbridge.conf:12: key 'uid_min': not a number: 'abc'". An unknown key is
 * an error. A missing file is an error (SB_E_IO). Returns 0 or -1. */
int sb_config_load(const char *path, struct sb_config *cfg, struct sb_err *err);
/* Cross-key checks (url set and https, ranges ordered and not containing
 * 0/65534/65535, credentials present) for the daemon and CLI; the modules
 * skip them. */
int sb_config_validate(const struct sb_config *cfg, struct sb_err *err);
/* The line of cfg->path that sets key (0: not set there, or unreadable), for
 * messages about a value that parsed but does not work (scimbridge check). */
unsigned sb_config_key_line(const struct sb_config *cfg, const char *key);
void sb_config_free(struct sb_config *cfg);

/* The path the *modules* use: SCIMBRIDGE_CONF through secure_getenv (so
 * never in a setuid/setgid process), else SB_DEFAULT_CONF. */
const char *sb_config_module_path(void);

/* Reads a secret or token file: refuses (SB_E_SECURITY) a file that is not a
 * regular file, not mode 0600 (no group/other bits), or not owned by root or
 * by allowed_owner (pass (uid_t)-1 to allow root only). Strips one trailing
 * newline (and \r). Returns a malloc'd NUL-terminated string or NULL. */
char *sb_config_read_secret(const char *path, long allowed_owner, struct sb_err *err);

/* The gid of the local group (group_file, NULL for /etc/group) that
 * primary_group names, which the mapping gives every user as primary gid
 * when no tenant group has the name; 0 when primary_group is unset, names
 * no local group, or names gid 0. Cache readers allow it below their id
 * floor (sb_cache_allow_primary_gid): primary_group = users (gid 100) is a
 * supported setup, and with the floor alone no user would be served. */
uint32_t sb_config_primary_gid(const struct sb_config *cfg, const char *group_file);

/* Parses "yes/no/true/false" → 0/1, else -1. */
int sb_parse_bool(const char *s);

#endif
