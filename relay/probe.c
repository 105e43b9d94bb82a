/* probe.c — `scimbridge check`'s look at the relay (sb_relay_probe,
 * subscribe.h): the steps of a subscriber's check with subscribe.c's own
 * code, unconditional GETs, the snapshot decoded against the signature;
 * installs nothing and writes no state, so it may run beside the daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "subscribe_internal.h"

/* The steps of sb_subscribe up to the install, each recorded in p. */
static int probe_run(struct sub *s, struct sb_relay_probe *p, struct sb_err *err)
{
	uint8_t *cache = NULL;

	if (sb_sub_setup(s, err) < 0)
		return -1;
	p->installed = s->st.generation;
	sb_ms_keyid_hex(s->pk.keyid, p->key_id);
	snprintf(p->directory, sizeof(p->directory), "%s", s->directory);
	if (sb_sub_fetch_release(s, err) < 0)
		return -1;
	p->step = SB_RSTEP_VERDICT;
	p->rel = s->rel;
	if (sb_sub_judge(s, err) < 0) {
		p->verdict = s->verdict;
		return -1;
	}
	p->verdict = s->verdict;
	p->step = SB_RSTEP_SNAPSHOT;
	p->cache_size = s->want.size;
	if (sb_sub_from_snapshot(s, &cache, err) < 0)
		return -1;
	free(cache);
	p->step = SB_RSTEP_DONE;
	return 0;
}

int sb_relay_probe(const struct sb_config *cfg, struct sb_relay_probe *p, struct sb_err *err)
{
	struct sb_subscribe_report rep = {0};
	struct sub *s = calloc(1, sizeof(*s));
	int rc;

	memset(p, 0, sizeof(*p));
	if (!s)
		return sb_err_set(err, SB_E_NOMEM, "relay: out of memory");
	s->cfg = cfg;
	s->rep = &rep;
	s->probe = p;
	p->step = SB_RSTEP_KEY;
	rc = probe_run(s, p, err);
	p->requests = rep.requests;
	free(s);
	return rc;
}
