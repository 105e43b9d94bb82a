/* config.c — scimbridge.conf: flat `key = value` lines. One table below
 * drives parsing, defaults and freeing, so a key exists in exactly one
 * place. Syntax: leading/trailing blanks are trimmed; a line whose first
 * non-blank character is '#' is a comment; there are no inline comments and
 * no quotes (a value is everything after the first '=', trimmed), because
 * group names and paths may hold '#' and spaces. Errors name the file, the
 * line and the key. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum kind {
	K_STR,
	K_UINT,
	K_BOOL,
	K_LIST,
	K_WORDS,
	K_DIALECT,
	K_ROLE,
	K_ABSPATH,
	K_RELAY_URL,
	K_PUBKEY,
	K_DOWN
};

struct key {
	const char *name;
	enum kind kind;
	size_t off;
	const char *def; /* default as text, NULL for none */
	unsigned long min, max;
};

#define F(field) offsetof(struct sb_config, field)

static const struct key keys[] = {
    {"url", K_STR, F(url), NULL, 0, 0},
    {"dialect", K_DIALECT, F(dialect), "workspace-one", 0, 0},
    {"scim_path", K_STR, F(scim_path), NULL, 0, 0},
    {"token_path", K_STR, F(token_path), "/SAAS/auth/oauthtoken", 0, 0},
    {"client_id", K_STR, F(client_id), NULL, 0, 0},
    {"client_secret_file", K_STR, F(client_secret_file), NULL, 0, 0},
    {"bearer_token_file", K_STR, F(bearer_token_file), NULL, 0, 0},
    {"ca_file", K_STR, F(ca_file), NULL, 0, 0},
    {"domain", K_STR, F(domain), NULL, 0, 0},
    {"timeout", K_UINT, F(timeout), "10", 1, 300},
    {"page_size", K_UINT, F(page_size), "100", 1, 1000},
    {"max_resources", K_UINT, F(max_resources), "1000000", 10, 100000000},
    {"max_listing_mib", K_UINT, F(max_listing_mib), "2048", 1, 1048576},
    {"uid_attribute", K_STR, F(uid_attribute), NULL, 0, 0},
    {"uid_min", K_UINT, F(uid_min), "200000", 1000, 4294967294ul},
    {"uid_max", K_UINT, F(uid_max), "1999999999", 1000, 4294967294ul},
    {"gid_min", K_UINT, F(gid_min), "200000", 1000, 4294967294ul},
    {"gid_max", K_UINT, F(gid_max), "1999999999", 1000, 4294967294ul},
    {"name_format", K_STR, F(name_format), "%u", 0, 0},
    {"home", K_STR, F(home), "/home/%u", 0, 0},
    {"shell", K_STR, F(shell), "/bin/bash", 0, 0},
    {"primary_group", K_STR, F(primary_group), NULL, 0, 0},
    {"ignore_groups", K_LIST, F(ignore_groups), "ALL USERS", 0, 0},
    {"reserved_names", K_WORDS, F(reserved_names), "", 0, 0},
    {"ssh_keys_attribute", K_STR, F(ssh_keys_attribute), NULL, 0, 0},
    {"cache_path", K_STR, F(cache_path), "/var/lib/scimbridge/cache", 0, 0},
    {"socket_path", K_STR, F(socket_path), "/run/scimbridge/socket", 0, 0},
    {"refresh_interval", K_UINT, F(refresh_interval), "900", 10, 86400 * 7},
    {"negative_ttl", K_UINT, F(negative_ttl), "60", 0, 86400},
    {"allowed_groups", K_LIST, F(allowed_groups), "", 0, 0},
    {"offline_grace", K_UINT, F(offline_grace), "86400", 0, 86400 * 365},
    {"live_check", K_BOOL, F(live_check), "yes", 0, 0},
    {"daemon_down", K_DOWN, F(daemon_down), "deny", 0, 0},
    {"enumerate", K_BOOL, F(enumerate), "no", 0, 0},
    {"role", K_ROLE, F(role), "tenant", 0, 0},
    {"publish_dir", K_ABSPATH, F(publish_dir), NULL, 0, 0},
    {"signing_key_file", K_ABSPATH, F(signing_key_file), NULL, 0, 0},
    {"release_ttl", K_UINT, F(release_ttl), "3600", 60, 86400 * 30},
    {"relay_url", K_RELAY_URL, F(relay_url), NULL, 0, 0},
    {"relay_public_key", K_PUBKEY, F(relay_public_key), NULL, 0, 0},
    {"relay_poll_interval", K_UINT, F(relay_poll_interval), "30", 5, 86400},
    {"oidc_issuer", K_STR, F(oidc_issuer), NULL, 0, 0},
    {"oidc_client_id", K_STR, F(oidc_client_id), NULL, 0, 0},
    {"oidc_scopes", K_STR, F(oidc_scopes), "openid profile", 0, 0},
    {"oidc_username_claim", K_STR, F(oidc_username_claim), "preferred_username", 0, 0},
    {"device_login", K_BOOL, F(device_login), "no", 0, 0},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

int sb_parse_bool(const char *s)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true"))
		return 1;
	if (!strcmp(s, "no") || !strcmp(s, "false"))
		return 0;
	return -1;
}

static void free_list(struct sb_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Items separated by any of `seps`, trimmed, empty items dropped. */
static int parse_list(const char *v, const char *seps, struct sb_strlist *out)
{
	char *copy = strdup(v), *save = NULL;

	free_list(out);
	if (!copy)
		return -1;
	for (char *t = strtok_r(copy, seps, &save); t; t = strtok_r(NULL, seps, &save)) {
		char *item = trim(t), **nv;

		if (!*item)
			continue;
		nv = realloc(out->v, (out->n + 1) * sizeof(char *));
		if (!nv || !(nv[out->n] = strdup(item))) {
			if (nv)
				out->v = nv;
			free(copy);
			return -1;
		}
		out->v = nv;
		out->n++;
	}
	free(copy);
	return 0;
}

/* The text form of a minisign public key: base64 of "Ed" + 8-byte key id +
 * 32-byte key, 56 characters without padding, so it starts "RW". Only its
 * shape is checked here (the modules link this file and not libsodium);
 * relay/minisign.c decodes it. */
static const char *check_pubkey(const char *v)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	if (strlen(v) != 56 || strncmp(v, "RW", 2) != 0 || strspn(v, b64) != 56)
		return "not a minisign public key (56 characters starting RW, as "
		       "`scimbridge keygen` prints it)";
	return NULL;
}

/* String kinds that check their value first. */
static const char *check_str(enum kind kind, const char *v)
{
	if (kind == K_ABSPATH && v[0] != '/')
		return "must be an absolute path";
	if (kind == K_RELAY_URL && strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
		return "must start with http:// or https:// (releases are signed)";
	if (kind == K_PUBKEY)
		return check_pubkey(v);
	return NULL;
}

/* Sets one key from text; on a bad value returns why (static text). */
static const char *set_value(struct sb_config *cfg, const struct key *k, const char *v)
{
	char *base = (char *)cfg + k->off, *end;
	const char *why;
	unsigned long n;
	int b;

	switch (k->kind) {
	case K_ABSPATH:
	case K_RELAY_URL:
	case K_PUBKEY:
		why = *v ? check_str(k->kind, v) : NULL;
		if (why)
			return why;
		/* fall through */
	case K_STR:
		free(*(char **)base);
		*(char **)base = *v ? strdup(v) : NULL;
		return *v && !*(char **)base ? "out of memory" : NULL;
	case K_UINT:
		errno = 0;
		n = strtoul(v, &end, 10);
		if (!*v || *end || errno || v[0] == '-')
			return "not a number";
		if (n < k->min || n > k->max)
			return "out of range";
		*(unsigned *)base = (unsigned)n;
		return NULL;
	case K_BOOL:
		b = sb_parse_bool(v);
		if (b < 0)
			return "not a boolean (yes, no, true, false)";
		*(bool *)base = b;
		return NULL;
	case K_LIST:
		return parse_list(v, ",", (struct sb_strlist *)base) < 0 ? "out of memory" : NULL;
	case K_WORDS:
		return parse_list(v, ", \t", (struct sb_strlist *)base) < 0 ? "out of memory"
									    : NULL;
	case K_DIALECT:
		if (!strcmp(v, "workspace-one"))
			cfg->dialect = SB_DIALECT_WORKSPACE_ONE;
		else if (!strcmp(v, "scim2"))
			cfg->dialect = SB_DIALECT_SCIM2;
		else
			return "not a dialect (workspace-one, scim2)";
		return NULL;
	case K_ROLE:
		if (!strcmp(v, "tenant"))
			cfg->role = SB_ROLE_TENANT;
		else if (!strcmp(v, "publisher"))
			cfg->role = SB_ROLE_PUBLISHER;
		else if (!strcmp(v, "subscriber"))
			cfg->role = SB_ROLE_SUBSCRIBER;
		else
			return "not a role (tenant, publisher, subscriber)";
		return NULL;
	case K_DOWN:
		if (!strcmp(v, "deny"))
			cfg->daemon_down = SB_DOWN_DENY;
		else if (!strcmp(v, "cache"))
			cfg->daemon_down = SB_DOWN_CACHE;
		else
			return "not deny or cache";
		return NULL;
	}
	return "unknown type";
}

void sb_config_defaults(struct sb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].def)
			set_value(cfg, &keys[i], keys[i].def);
}

void sb_config_free(struct sb_config *cfg)
{
	for (size_t i = 0; i < NKEYS; i++) {
		char *base = (char *)cfg + keys[i].off;

		if (keys[i].kind == K_STR || keys[i].kind == K_ABSPATH ||
		    keys[i].kind == K_RELAY_URL || keys[i].kind == K_PUBKEY)
			free(*(char **)base);
		else if (keys[i].kind == K_LIST || keys[i].kind == K_WORDS)
			free_list((struct sb_strlist *)base);
	}
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static int parse_line(struct sb_config *cfg, const char *path, unsigned lineno, char *line,
		      unsigned char *seen, struct sb_err *err)
{
	char *eq, *name, *value;
	const struct key *k;
	const char *why;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return sb_err_set(err, SB_E_CONFIG, "%s:%u: expected 'key = value', got '%.60s'",
				  path, lineno, line);
	*eq = '\0';
	name = trim(line);
	value = trim(eq + 1);
	k = find_key(name);
	if (!k)
		return sb_err_set(err, SB_E_CONFIG, "%s:%u: unknown key '%.60s'", path, lineno,
				  name);
	if (seen[k - keys]++)
		return sb_err_set(err, SB_E_CONFIG, "%s:%u: key '%s' given twice", path, lineno,
				  k->name);
	why = set_value(cfg, k, value);
	if (!why && !strcmp(k->name, "role"))
		cfg->role_line = lineno; /* for validate_role's messages */
	if (why)
		return sb_err_set(err, SB_E_CONFIG, "%s:%u: key '%s': %s: '%.60s'", path, lineno,
				  k->name, why, value);
	return 0;
}

int sb_config_load(const char *path, struct sb_config *cfg, struct sb_err *err)
{
	unsigned char seen[NKEYS] = {0};
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;

	if (!f)
		return sb_err_sys(err, errno, "cannot read config %s", path);
	while (rc == 0 && getline(&line, &cap, f) > 0)
		rc = parse_line(cfg, path, ++lineno, line, seen, err);
	if (rc == 0 && ferror(f))
		rc = sb_err_sys(err, errno, "cannot read config %s", path);
	free(line);
	fclose(f);
	if (rc == 0 && !cfg->scim_path)
		cfg->scim_path =
		    strdup(cfg->dialect == SB_DIALECT_SCIM2 ? "/scim/v2"
							    : "/SAAS/jersey/manager/api/scim");
	free(cfg->path);
	cfg->path = strdup(path);
	return rc;
}

unsigned sb_config_key_line(const struct sb_config *cfg, const char *key)
{
	FILE *f = cfg->path ? fopen(cfg->path, "re") : NULL;
	char *line = NULL, *eq;
	size_t cap = 0;
	unsigned lineno = 0, found = 0;

	if (!f)
		return 0;
	while (!found && getline(&line, &cap, f) > 0) {
		lineno++;
		eq = strchr(line, '=');
		if (*trim(line) == '#' || !eq)
			continue;
		*eq = '\0';
		if (!strcmp(trim(line), key))
			found = lineno;
	}
	free(line);
	fclose(f);
	return found;
}

static int range_ok(uint32_t lo, uint32_t hi)
{
	return lo <= hi && lo >= 1000;
}

/* The keys each fleet role needs, each missing one named with the line
 * that set the role. A subscriber holds no tenant credential: url,
 * client_id and the secret are neither needed nor checked. */
static int need_key(const struct sb_config *cfg, const char *p, const char *key, const void *v,
		    struct sb_err *err)
{
	if (v)
		return 0;
	return sb_err_set(err, SB_E_CONFIG, "%s:%u: key 'role': '%s' needs key '%s'", p,
			  cfg->role_line,
			  cfg->role == SB_ROLE_PUBLISHER ? "publisher" : "subscriber", key);
}

static int validate_role(const struct sb_config *cfg, const char *p, struct sb_err *err)
{
	if (cfg->role == SB_ROLE_PUBLISHER)
		return need_key(cfg, p, "publish_dir", cfg->publish_dir, err) < 0 ||
			       need_key(cfg, p, "signing_key_file", cfg->signing_key_file, err) < 0
			   ? -1
			   : 0;
	if (cfg->role == SB_ROLE_SUBSCRIBER)
		return need_key(cfg, p, "relay_url", cfg->relay_url, err) < 0 ||
			       need_key(cfg, p, "relay_public_key", cfg->relay_public_key, err) < 0
			   ? -1
			   : 0;
	return 0;
}

static int validate_ranges(const struct sb_config *cfg, const char *p, struct sb_err *err)
{
	if (!range_ok(cfg->uid_min, cfg->uid_max))
		return sb_err_set(err, SB_E_CONFIG,
				  "%s: key 'uid_min': must be ≥ 1000 and ≤ uid_max", p);
	if (!range_ok(cfg->gid_min, cfg->gid_max))
		return sb_err_set(err, SB_E_CONFIG,
				  "%s: key 'gid_min': must be ≥ 1000 and ≤ gid_max", p);
	if (cfg->home[0] != '/')
		return sb_err_set(err, SB_E_CONFIG, "%s: key 'home': must be an absolute path", p);
	return 0;
}

/* Device sign-in (issue 17): the provider is trusted for logins, so it is
 * reached over verified TLS only. */
static int validate_oidc(const struct sb_config *cfg, const char *p, struct sb_err *err)
{
	if (cfg->oidc_issuer && strncmp(cfg->oidc_issuer, "https://", 8) != 0)
		return sb_err_set(err, SB_E_CONFIG,
				  "%s: key 'oidc_issuer': must start with https://", p);
	if (cfg->device_login && (!cfg->oidc_issuer || !cfg->oidc_client_id))
		return sb_err_set(err, SB_E_CONFIG,
				  "%s: device_login = yes needs oidc_issuer and oidc_client_id", p);
	return 0;
}

int sb_config_validate(const struct sb_config *cfg, struct sb_err *err)
{
	const char *p = cfg->path ? cfg->path : "config";

	if (validate_role(cfg, p, err) < 0 || validate_oidc(cfg, p, err) < 0)
		return -1;
	if (cfg->role == SB_ROLE_SUBSCRIBER)
		return validate_ranges(cfg, p, err);
	if (!cfg->url)
		return sb_err_set(err, SB_E_CONFIG, "%s: key 'url' is required", p);
	if (strncmp(cfg->url, "https://", 8) != 0)
		return sb_err_set(err, SB_E_CONFIG,
				  "%s: key 'url': must start with https:// "
				  "(TLS is always verified): '%.80s'",
				  p, cfg->url);
	if (!cfg->bearer_token_file && !(cfg->client_id && cfg->client_secret_file))
		return sb_err_set(err, SB_E_CONFIG,
				  "%s: set client_id and client_secret_file, "
				  "or bearer_token_file",
				  p);
	return validate_ranges(cfg, p, err);
}

uint32_t sb_config_primary_gid(const struct sb_config *cfg, const char *group_file)
{
	const char *name = cfg->primary_group;
	size_t len = name ? strlen(name) : 0;
	FILE *f;
	char line[4096];
	unsigned long gid = 0;

	if (!len || !(f = fopen(group_file ? group_file : "/etc/group", "re")))
		return 0;
	while (!gid && fgets(line, sizeof(line), f)) {
		char *p = line + len, *end;

		if (strncmp(line, name, len) != 0 || *p != ':' || !(p = strchr(p + 1, ':')))
			continue;
		gid = strtoul(p + 1, &end, 10);
		if (end == p + 1 || *end != ':' || gid > UINT32_MAX)
			gid = 0;
	}
	fclose(f);
	return (uint32_t)gid;
}

const char *sb_config_module_path(void)
{
	const char *p = secure_getenv("SCIMBRIDGE_CONF");

	return p && *p ? p : SB_DEFAULT_CONF;
}

char *sb_config_read_secret(const char *path, long allowed_owner, struct sb_err *err)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return sb_err_sys(err, errno, "cannot open secret file %s%s", path,
				  errno == ELOOP ? " (a symlink is refused)" : ""),
		       NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sb_err_set(err, SB_E_SECURITY, "secret file %s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		sb_err_set(err, SB_E_SECURITY,
			   "secret file %s: mode %04o, must be 0600 (no group or other access)",
			   path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_uid != 0 && (allowed_owner < 0 || st.st_uid != (uid_t)allowed_owner)) {
		sb_err_set(err, SB_E_SECURITY,
			   "secret file %s: owned by uid %u, must be owned by %s", path,
			   (unsigned)st.st_uid, allowed_owner < 0 ? "root" : "root or you");
		goto out;
	}
	if (st.st_size > 65536 || !(buf = malloc((size_t)st.st_size + 1))) {
		sb_err_set(err, SB_E_SECURITY, "secret file %s: too large", path);
		goto out;
	}
	n = read(fd, buf, (size_t)st.st_size);
	if (n < 0) {
		sb_err_sys(err, errno, "cannot read secret file %s", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	if (n == 0) {
		sb_err_set(err, SB_E_SECURITY, "secret file %s is empty", path);
		free(buf);
		buf = NULL;
	}
out:
	close(fd);
	return buf;
}
