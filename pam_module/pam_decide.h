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

/* A local account (in /etc/passwd) or root: never a directory user. */
bool pam_scim_is_local(const char *user);

#endif
