/* pam_decide.h — the account decision, apart from the PAM plumbing so that
 * it reads as one function: given a login name and the config, what does the
 * directory say, and why. */
#ifndef PAM_DECIDE_H
#define PAM_DECIDE_H

#include <stdbool.h>

#include "config.h"

struct pam_decision {
	int pam_code;	  /* PAM_SUCCESS, PAM_ACCT_EXPIRED, … */
	char reason[256]; /* for the log */
	bool tell_user;	  /* send `reason` through the conversation */
};

void pam_scim_decide(const struct sb_config *cfg, const char *user, bool debug,
		     struct pam_decision *d);

/* The config to read. Trust boundary: PAM runs inside setuid programs (su,
 * sudo) whose environment is the user's. The `config=` argument comes from
 * the service's PAM file (root's); else SCIMBRIDGE_CONF, read with
 * secure_getenv, so a setuid program reads the root-owned default. */
const char *pam_scim_config_path(const char *arg);

/* A local account (in /etc/passwd) or root: never a directory user. */
bool pam_scim_is_local(const char *user);

#endif
