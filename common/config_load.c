/* config_load.c — reading scimbridge.conf (the key table and what each key
 * accepts are config.c's), validating the whole, and the files a config
 * names: the primary group's gid and a secret file. */
#include "config.h"
#include "config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse_line(struct sb_config *cfg, const char *path, unsigned lineno, char *line,
		      unsigned char *seen, struct sb_err *err)
{
	char *eq, *name, *value;
	const char *why, *key;
	long k;

	line = sb_config_trim(line);
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return sb_err_set(err, SB_E_CONFIG, "%s:%u: expected 'key = value', got '%.60s'",
				  path, lineno, line);
	*eq = '\0';
	name = sb_config_trim(line);
	value = sb_config_trim(eq + 1);
	k = sb_config_key_index(name);
	if (k < 0)
		return sb_err_set(err, SB_E_CONFIG, "%s:%u: unknown key '%.60s'", path, lineno,
				  name);
	key = sb_config_key_name((size_t)k);
	if (seen[k]++)
		return sb_err_set(err, SB_E_CONFIG, "%s:%u: key '%s' given twice", path, lineno,
				  key);
	why = sb_config_key_set(cfg, (size_t)k, value);
	if (!why && !strcmp(key, "role"))
		cfg->role_line = lineno; /* for validate_role's messages */
	if (why)
		return sb_err_set(err, SB_E_CONFIG, "%s:%u: key '%s': %s: '%.60s'", path, lineno,
				  key, why, value);
	return 0;
}

int sb_config_load(const char *path, struct sb_config *cfg, struct sb_err *err)
{
	unsigned char *seen = calloc(sb_config_nkeys(), 1); /* a key given twice is an error */
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;

	if (!f) {
		free(seen);
		return sb_err_sys(err, errno, "cannot read config %s", path);
	}
	if (!seen) {
		fclose(f);
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	}
	while (rc == 0 && getline(&line, &cap, f) > 0)
		rc = parse_line(cfg, path, ++lineno, line, seen, err);
	if (rc == 0 && ferror(f))
		rc = sb_err_sys(err, errno, "cannot read config %s", path);
	free(line);
	free(seen);
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
		if (*sb_config_trim(line) == '#' || !eq)
			continue;
		*eq = '\0';
		if (!strcmp(sb_config_trim(line), key))
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
