/* test_config.c — the config file: defaults, every error naming file, line
 * and key, lists, the dialect's default scim_path, validation, and the
 * secret file checks (mode, owner, symlink, trailing newline). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char path[64];

static void write_conf(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/sbconf.%d", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int load(const char *text, struct sb_config *cfg, struct sb_err *err)
{
	int rc;

	write_conf(text);
	sb_config_defaults(cfg);
	memset(err, 0, sizeof(*err));
	rc = sb_config_load(path, cfg, err);
	unlink(path);
	return rc;
}

static void test_defaults(void **state)
{
	struct sb_config cfg;
	struct sb_err err;

	(void)state;
	assert_int_equal(load("# only a comment\n\n", &cfg, &err), 0);
	assert_int_equal(cfg.dialect, SB_DIALECT_WORKSPACE_ONE);
	assert_string_equal(cfg.scim_path, "/SAAS/jersey/manager/api/scim");
	assert_string_equal(cfg.token_path, "/SAAS/auth/oauthtoken");
	assert_int_equal(cfg.timeout, 10);
	assert_int_equal(cfg.page_size, 100);
	assert_int_equal(cfg.uid_min, 200000);
	assert_string_equal(cfg.name_format, "%u");
	assert_string_equal(cfg.home, "/home/%u");
	assert_string_equal(cfg.cache_path, "/var/lib/scimbridge/cache");
	assert_string_equal(cfg.socket_path, "/run/scimbridge/socket");
	assert_int_equal(cfg.ignore_groups.n, 1);
	assert_string_equal(cfg.ignore_groups.v[0], "ALL USERS");
	assert_int_equal(cfg.allowed_groups.n, 0);
	assert_int_equal(cfg.reserved_names.n, 0);
	assert_int_equal(cfg.max_resources, 1000000);
	assert_int_equal(cfg.max_listing_mib, 2048);
	assert_true(cfg.live_check);
	assert_int_equal(cfg.daemon_down, SB_DOWN_DENY);
	assert_false(cfg.enumerate);
	assert_null(cfg.url);
	assert_int_equal(cfg.role, SB_ROLE_TENANT);
	assert_null(cfg.publish_dir);
	assert_null(cfg.signing_key_file);
	assert_int_equal(cfg.release_ttl, 3600);
	assert_null(cfg.relay_url);
	assert_null(cfg.relay_public_key);
	assert_int_equal(cfg.relay_poll_interval, 30);
	sb_config_free(&cfg);
}

#define PUBKEY "RWTHexmi+eBUjWzKFZkFT+z3uV+6hl2OhzVXNd/gcYZqnWONAQdcXYXe"

/* The fleet keys (issue 16): parsed and checked one by one; each role
 * validates with its own keys, a missing one named with the role's line;
 * a subscriber needs no url, client_id or secret. */
static void test_fleet_keys(void **state)
{
	struct sb_config cfg;
	struct sb_err err;

	(void)state;
	assert_int_equal(load("role = subscriber\nrelay_url = http://relay.example.com/fleet/\n"
			      "relay_public_key = " PUBKEY "\nrelay_poll_interval = 5\n"
			      "publish_dir = /srv/relay\nsigning_key_file = /etc/scimbridge/key\n"
			      "release_ttl = 60\n",
			      &cfg, &err),
			 0);
	assert_int_equal(cfg.role, SB_ROLE_SUBSCRIBER);
	assert_string_equal(cfg.relay_url, "http://relay.example.com/fleet/");
	assert_string_equal(cfg.relay_public_key, PUBKEY);
	assert_int_equal(cfg.relay_poll_interval, 5);
	assert_string_equal(cfg.publish_dir, "/srv/relay");
	assert_string_equal(cfg.signing_key_file, "/etc/scimbridge/key");
	assert_int_equal(cfg.release_ttl, 60);
	assert_int_equal(sb_config_validate(&cfg, &err), 0);
	sb_config_free(&cfg);
	assert_int_equal(load("role = publisher\npublish_dir = /srv/relay\n", &cfg, &err), 0);
	assert_int_equal(cfg.role, SB_ROLE_PUBLISHER);
	assert_int_equal(sb_config_validate(&cfg, &err), -1);
	assert_non_null(strstr(err.msg, ":1: key 'role': 'publisher' needs key 'signing_key_file'"));
	sb_config_free(&cfg);
	/* A publisher is a tenant host too: url and credentials still needed. */
	assert_int_equal(load("publish_dir = /srv/relay\nsigning_key_file = /k\nrole = publisher\n",
			      &cfg, &err),
			 0);
	assert_int_equal(sb_config_validate(&cfg, &err), -1);
	assert_non_null(strstr(err.msg, "key 'url' is required"));
	sb_config_free(&cfg);
	assert_int_equal(load("# fleet\nrole = subscriber\nrelay_url = https://r\n", &cfg, &err), 0);
	assert_int_equal(sb_config_validate(&cfg, &err), -1);
	assert_non_null(strstr(err.msg, ":2: key 'role': 'subscriber' needs key 'relay_public_key'"));
	sb_config_free(&cfg);
	assert_int_equal(load("role = subscriber\nrelay_public_key = " PUBKEY "\n", &cfg, &err), 0);
	assert_int_equal(sb_config_validate(&cfg, &err), -1);
	assert_non_null(strstr(err.msg, ":1: key 'role': 'subscriber' needs key 'relay_url'"));
	sb_config_free(&cfg);
	assert_int_equal(
	    load("role = tenant\nurl = https://t\nbearer_token_file = /t\n", &cfg, &err), 0);
	assert_int_equal(sb_config_validate(&cfg, &err), 0);
	sb_config_free(&cfg);
}

/* The line that set a key, for check's messages: comments, blank lines,
 * spacing and a '=' in a value do not confuse it; a key not in the file (a
 * default) and an unreadable file give 0. */
static void test_key_line(void **state)
{
	struct sb_config cfg;
	struct sb_err err = {0};

	(void)state;
	write_conf("# relay_url = https://commented.example.com/\n\nrole = subscriber\n"
		   "  relay_url\t=  https://relay.example.com/a=b\n"
		   "relay_public_key = " PUBKEY "\n");
	sb_config_defaults(&cfg);
	assert_int_equal(sb_config_load(path, &cfg, &err), 0);
	assert_int_equal(sb_config_key_line(&cfg, "role"), 3);
	assert_int_equal(sb_config_key_line(&cfg, "relay_url"), 4);
	assert_int_equal(sb_config_key_line(&cfg, "relay_public_key"), 5);
	assert_int_equal(sb_config_key_line(&cfg, "timeout"), 0);
	assert_int_equal(sb_config_key_line(&cfg, "relay"), 0);
	unlink(path);
	assert_int_equal(sb_config_key_line(&cfg, "role"), 0);
	sb_config_free(&cfg);
	assert_int_equal(sb_config_key_line(&cfg, "role"), 0); /* no path */
}

static void test_values(void **state)
{
	struct sb_config cfg;
	struct sb_err err;

	(void)state;
	assert_int_equal(load("  url = https://t.example.com  \ndialect=scim2\n"
			      "allowed_groups = ops , Domain Admins,\nenumerate = true\n"
			      "live_check = no\npage_size = 1000\nhome = /home/#%u\n"
			      "daemon_down = cache\n",
			      &cfg, &err),
			 0);
	assert_string_equal(cfg.url, "https://t.example.com");
	assert_string_equal(cfg.scim_path, "/scim/v2");
	assert_int_equal(cfg.allowed_groups.n, 2);
	assert_string_equal(cfg.allowed_groups.v[1], "Domain Admins");
	assert_true(cfg.enumerate);
	assert_false(cfg.live_check);
	assert_int_equal(cfg.daemon_down, SB_DOWN_CACHE);
	assert_string_equal(cfg.home, "/home/#%u"); /* no inline comments */
	sb_config_free(&cfg);
}

/* reserved_names: commas, blanks or both between names. */
static void test_reserved_names(void **state)
{
	struct sb_config cfg;
	struct sb_err err;

	(void)state;
	assert_int_equal(load("reserved_names = ops,  builders\tdeploy , ,backup-admins\n", &cfg,
			      &err),
			 0);
	assert_int_equal(cfg.reserved_names.n, 4);
	assert_string_equal(cfg.reserved_names.v[0], "ops");
	assert_string_equal(cfg.reserved_names.v[1], "builders");
	assert_string_equal(cfg.reserved_names.v[2], "deploy");
	assert_string_equal(cfg.reserved_names.v[3], "backup-admins");
	sb_config_free(&cfg);
}

static void expect_error(const char *text, const char *needle);

/* The bounds on what a tenant may send. */
static void test_tenant_bounds(void **state)
{
	struct sb_config cfg;
	struct sb_err err;

	(void)state;
	assert_int_equal(load("max_resources = 50\nmax_listing_mib = 16\n", &cfg, &err), 0);
	assert_int_equal(cfg.max_resources, 50);
	assert_int_equal(cfg.max_listing_mib, 16);
	sb_config_free(&cfg);
	expect_error("max_resources = 0\n", "key 'max_resources': out of range");
	expect_error("max_listing_mib = 0\n", "key 'max_listing_mib': out of range");
}

static void expect_error(const char *text, const char *needle)
{
	struct sb_config cfg;
	struct sb_err err;
	char where[96];

	assert_int_equal(load(text, &cfg, &err), -1);
	assert_int_equal(err.kind, SB_E_CONFIG);
	snprintf(where, sizeof(where), "%s:", path);
	assert_non_null(strstr(err.msg, where));
	if (!strstr(err.msg, needle))
		fail_msg("'%s' not in '%s'", needle, err.msg);
	sb_config_free(&cfg);
}

static void test_errors_name_file_line_key(void **state)
{
	(void)state;
	expect_error("url = https://x\n\nuid_min = abc\n",
		     ":3: key 'uid_min': not a number: 'abc'");
	expect_error("no_such_key = 1\n", ":1: unknown key 'no_such_key'");
	expect_error("daemon_down = allow\n", ":1: key 'daemon_down': not deny or cache: 'allow'");
	expect_error("timeout = 5\ntimeout = 6\n", ":2: key 'timeout' given twice");
	expect_error("enumerate = maybe\n", ":1: key 'enumerate': not a boolean");
	expect_error("dialect = scim3\n", "key 'dialect': not a dialect");
	expect_error("page_size = 5000\n", "key 'page_size': out of range");
	expect_error("uid_min = -1\n", "key 'uid_min': not a number");
	expect_error("just words\n", ":1: expected 'key = value'");
	expect_error("url = https://x\nrole = relay\n", ":2: key 'role': not a role");
	expect_error("publish_dir = srv/relay\n",
		     ":1: key 'publish_dir': must be an absolute path");
	expect_error("signing_key_file = key\n", ":1: key 'signing_key_file': must be an absolute");
	expect_error("relay_url = ftp://r/\n", ":1: key 'relay_url': must start with http://");
	expect_error("relay_public_key = RWT\n", ":1: key 'relay_public_key': not a minisign");
	expect_error("relay_public_key = " PUBKEY "=\n", "key 'relay_public_key': not a minisign");
	expect_error(
	    "relay_public_key = RUTHexmi+eBUjWzKFZkFT+z3uV+6hl2OhzVXNd/gcYZqnWONAQdcXYXe\n",
	    "key 'relay_public_key': not a minisign");
	expect_error(
	    "relay_public_key = RWTHexmi+eBUjWzKFZkFT+z3uV+6hl2OhzVXNd/gcYZqnWONAQdc*YXe\n",
	    "key 'relay_public_key': not a minisign");
	expect_error("release_ttl = 59\n", ":1: key 'release_ttl': out of range");
	expect_error("relay_poll_interval = 4\n", ":1: key 'relay_poll_interval': out of range");
	expect_error("relay_poll_interval = 30s\n", "key 'relay_poll_interval': not a number");
}

static void test_missing_file(void **state)
{
	struct sb_config cfg;
	struct sb_err err = {0};

	(void)state;
	sb_config_defaults(&cfg);
	assert_int_equal(sb_config_load("/nonexistent/scimbridge.conf", &cfg, &err), -1);
	assert_int_equal(err.kind, SB_E_IO);
	assert_non_null(strstr(err.msg, "/nonexistent/scimbridge.conf"));
	sb_config_free(&cfg);
}

static void test_validate(void **state)
{
	struct sb_config cfg;
	struct sb_err err;

	(void)state;
	assert_int_equal(
	    load("url = http://t.example.com\nclient_id = a\nclient_secret_file = /s\n", &cfg,
		 &err),
	    0);
	assert_int_equal(sb_config_validate(&cfg, &err), -1);
	assert_non_null(strstr(err.msg, "https://"));
	sb_config_free(&cfg);
	assert_int_equal(load("url = https://t.example.com\n", &cfg, &err), 0);
	assert_int_equal(sb_config_validate(&cfg, &err), -1);
	assert_non_null(strstr(err.msg, "client_secret_file"));
	sb_config_free(&cfg);
	assert_int_equal(
	    load("url = https://t\nbearer_token_file = /t\nuid_min = 5000\nuid_max = 4000\n", &cfg,
		 &err),
	    0);
	assert_int_equal(sb_config_validate(&cfg, &err), -1);
	assert_non_null(strstr(err.msg, "uid_min"));
	sb_config_free(&cfg);
}

/* Device sign-in keys (issue 17): defaults, values, and device_login = yes
 * refused without a provider or with one that is not https. */
static void test_oidc_keys(void **state)
{
	static const char base[] = "url = https://t\nbearer_token_file = /t\n";
	struct sb_config cfg;
	struct sb_err err;
	char text[512];

	(void)state;
	assert_int_equal(load(base, &cfg, &err), 0);
	assert_null(cfg.oidc_issuer);
	assert_null(cfg.oidc_client_id);
	assert_string_equal(cfg.oidc_scopes, "openid profile");
	assert_string_equal(cfg.oidc_username_claim, "preferred_username");
	assert_false(cfg.device_login);
	assert_int_equal(sb_config_validate(&cfg, &err), 0);
	sb_config_free(&cfg);
	snprintf(text, sizeof(text),
		 "%soidc_issuer = https://idp.example.com/oauth2/default\noidc_client_id = 0oa1\n"
		 "oidc_scopes = openid profile email\noidc_username_claim = email\n"
		 "device_login = yes\n",
		 base);
	assert_int_equal(load(text, &cfg, &err), 0);
	assert_string_equal(cfg.oidc_issuer, "https://idp.example.com/oauth2/default");
	assert_string_equal(cfg.oidc_client_id, "0oa1");
	assert_string_equal(cfg.oidc_scopes, "openid profile email");
	assert_string_equal(cfg.oidc_username_claim, "email");
	assert_true(cfg.device_login);
	assert_int_equal(sb_config_validate(&cfg, &err), 0);
	sb_config_free(&cfg);
	snprintf(text, sizeof(text), "%sdevice_login = yes\noidc_client_id = c\n", base);
	assert_int_equal(load(text, &cfg, &err), 0);
	assert_int_equal(sb_config_validate(&cfg, &err), -1);
	assert_non_null(strstr(err.msg, "device_login = yes needs oidc_issuer and oidc_client_id"));
	sb_config_free(&cfg);
	snprintf(text, sizeof(text), "%soidc_issuer = http://idp\n", base);
	assert_int_equal(load(text, &cfg, &err), 0);
	assert_int_equal(sb_config_validate(&cfg, &err), -1);
	assert_non_null(strstr(err.msg, "key 'oidc_issuer': must start with https://"));
	sb_config_free(&cfg);
	assert_int_equal(load("device_login = maybe\n", &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "key 'device_login'"));
	sb_config_free(&cfg);
}

static char *secret_file(const char *content, mode_t mode)
{
	static char p[64];
	FILE *f;

	snprintf(p, sizeof(p), "/tmp/sbsecret.%d", (int)getpid());
	unlink(p);
	f = fopen(p, "w");
	fputs(content, f);
	fclose(f);
	chmod(p, mode);
	return p;
}

static void test_secret(void **state)
{
	struct sb_err err = {0};
	char *s, *p, link[80];

	(void)state;
	p = secret_file("s3cret\n", 0600);
	s = sb_config_read_secret(p, -1, &err);
	assert_non_null(s);
	assert_string_equal(s, "s3cret"); /* one trailing newline is not the secret */
	free(s);
	p = secret_file("s3cret\r\n", 0600);
	s = sb_config_read_secret(p, -1, &err);
	assert_string_equal(s, "s3cret");
	free(s);
	p = secret_file("s3cret", 0644);
	assert_null(sb_config_read_secret(p, -1, &err));
	assert_int_equal(err.kind, SB_E_SECURITY);
	assert_non_null(strstr(err.msg, "must be 0600"));
	p = secret_file("\n", 0600);
	assert_null(sb_config_read_secret(p, -1, &err));
	assert_non_null(strstr(err.msg, "empty"));
	p = secret_file("s3cret", 0600);
	snprintf(link, sizeof(link), "%s.link", p);
	unlink(link);
	assert_int_equal(symlink(p, link), 0);
	assert_null(sb_config_read_secret(link, -1, &err));
	assert_non_null(strstr(err.msg, "symlink"));
	unlink(link);
	if (geteuid() == 0) {
		assert_int_equal(chown(p, 1234, 1234), 0);
		assert_null(sb_config_read_secret(p, -1, &err));
		assert_non_null(strstr(err.msg, "owned by uid 1234"));
		s = sb_config_read_secret(p, 1234, &err); /* the CLI allows its caller */
		assert_non_null(s);
		free(s);
	}
	unlink(p);
}

static void test_module_path(void **state)
{
	(void)state;
	setenv("SCIMBRIDGE_CONF", "/tmp/x.conf", 1);
	assert_string_equal(sb_config_module_path(), "/tmp/x.conf");
	unsetenv("SCIMBRIDGE_CONF");
	assert_string_equal(sb_config_module_path(), SB_DEFAULT_CONF);
}

/* primary_group's local gid, which cache readers allow below the floor. */
static void test_primary_gid(void **state)
{
	struct sb_config cfg;
	char gr[64];
	FILE *f;

	(void)state;
	snprintf(gr, sizeof(gr), "/tmp/sbgroup.%d", (int)getpid());
	f = fopen(gr, "w");
	assert_non_null(f);
	fputs("root:x:0:\nusersx:x:7:\nuser:x:8:\nbad:x:12a:\nusers:x:100:ann,ben\n"
	      "wheel:x:0:\n",
	      f);
	fclose(f);
	sb_config_defaults(&cfg);
	assert_int_equal(sb_config_primary_gid(&cfg, gr), 0); /* unset */
	cfg.primary_group = strdup("users");
	assert_int_equal(sb_config_primary_gid(&cfg, gr), 100); /* not usersx, not user */
	free(cfg.primary_group);
	cfg.primary_group = strdup("bad");
	assert_int_equal(sb_config_primary_gid(&cfg, gr), 0);
	free(cfg.primary_group);
	cfg.primary_group = strdup("wheel");
	assert_int_equal(sb_config_primary_gid(&cfg, gr), 0); /* gid 0 allows nothing */
	free(cfg.primary_group);
	cfg.primary_group = strdup("nosuch");
	assert_int_equal(sb_config_primary_gid(&cfg, gr), 0);
	assert_int_equal(sb_config_primary_gid(&cfg, "/nonexistent/group"), 0);
	unlink(gr);
	sb_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_reserved_names),
	    cmocka_unit_test(test_tenant_bounds),
	    cmocka_unit_test(test_fleet_keys),
	    cmocka_unit_test(test_key_line),
	    cmocka_unit_test(test_oidc_keys),
	    cmocka_unit_test(test_errors_name_file_line_key),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_validate),
	    cmocka_unit_test(test_secret),
	    cmocka_unit_test(test_module_path),
	    cmocka_unit_test(test_primary_gid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
