/* pam_scim.c — the PAM entry points. `account` asks pam_decide.c and
 * reports; `auth` (device sign-in) is pam_auth.c. Everything else answers
 * PAM_IGNORE so the module stacks cleanly in any service. Arguments:
 * `debug`, `config=/path`. */
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdbool.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "config.h"
#include "pam_decide.h"

#define EXPORT __attribute__((visibility("default")))

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv) EXPORT;
PAM_EXTERN int pam_sm_open_session(pam_handle_t *, int, int, const char **) EXPORT;
PAM_EXTERN int pam_sm_close_session(pam_handle_t *, int, int, const char **) EXPORT;
PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *, int, int, const char **) EXPORT;

static const char *code_name(int code)
{
	switch (code) {
	case PAM_SUCCESS:
		return "allowed";
	case PAM_ACCT_EXPIRED:
		return "refused (account expired)";
	case PAM_PERM_DENIED:
		return "refused (permission denied)";
	case PAM_USER_UNKNOWN:
		return "not ours (user unknown)";
	default:
		return "cannot decide (authinfo unavailable)";
	}
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const char *conf = NULL, *user = NULL;
	struct sb_config cfg;
	struct sb_err err = {0};
	struct pam_decision d;
	bool debug = false;

	/* what the shared code logs goes to authpriv, never to the stderr of
	 * su, login or sshd (a user's terminal) */
	sb_log_init("pam_scim", SB_LOG_HOST, LOG_AUTHPRIV);
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "debug") == 0)
			debug = true;
		else if (strncmp(argv[i], "config=", 7) == 0)
			conf = argv[i] + 7;
		else
			pam_syslog(pamh, LOG_ERR, "unknown argument '%s' ignored", argv[i]);
	}
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user || !*user)
		return PAM_USER_UNKNOWN;
	sb_config_defaults(&cfg);
	if (sb_config_load(pam_scim_config_path(conf), &cfg, &err) < 0) {
		pam_syslog(pamh, LOG_ERR, "user %s: %s", user, err.msg);
		sb_config_free(&cfg);
		return PAM_AUTHINFO_UNAVAIL;
	}
	pam_scim_decide(&cfg, user, debug, &d);
	sb_config_free(&cfg);
	if (d.pam_code != PAM_USER_UNKNOWN || debug)
		pam_syslog(pamh, d.pam_code == PAM_SUCCESS ? LOG_INFO : LOG_NOTICE,
			   "user %s: %s: %s", user, code_name(d.pam_code), d.reason);
	if (d.tell_user && !(flags & PAM_SILENT))
		pam_error(pamh, "%s", d.reason);
	return d.pam_code;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh, (void)flags, (void)argc, (void)argv;
	return PAM_IGNORE;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh, (void)flags, (void)argc, (void)argv;
	return PAM_IGNORE;
}

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh, (void)flags, (void)argc, (void)argv;
	return PAM_IGNORE;
}
