/* main.c — scimbridged: `scimbridged [-c FILE] [-f] [-d]`. Reads the config,
 * refuses a secret that is not 0600 and root-owned, marks its own
 * environment so our NSS module never calls back into this daemon, starts
 * the sync thread and serves the socket until SIGTERM/SIGINT. SIGHUP asks for
 * a full sync (a subscriber: a relay check).
 * Signals: SIGTERM, SIGINT and SIGHUP are blocked in every thread from the
 * start (threads inherit the mask) and taken in one place, a signalfd in the
 * accept loop's poll (server.c), which hands them to daemon_signals. The
 * daemon starts no other program, so no child inherits the mask. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

/* Set by the main thread on SIGTERM/SIGINT, read by the others. */
atomic_int daemon_stopping;

static void usage(void)
{
	fprintf(stderr, "usage: scimbridged [-c FILE] [-f] [-d]\n"
			"  -c FILE  config (default " SB_DEFAULT_CONF ")\n"
			"  -f       stay in the foreground, log to stderr\n"
			"  -d       debug logging\n");
}

static int setup(struct daemon *d, const char *conf)
{
	struct sb_client_opts opts = {.secret_owner = -1};
	struct sb_err err = {0};

	/* Before the secret is read: no core dump of a process that holds it
	 * and tokens with the tenant's admin scope, and no ptrace or
	 * /proc/PID/mem by other processes of the same uid (systemd's
	 * LimitCORE=0 says the same for the unit). */
	if (prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) < 0) {
		sb_log(LOG_ERR, "prctl(PR_SET_DUMPABLE): %s", strerror(errno));
		return -1;
	}
	sb_config_defaults(&d->cfg);
	if (sb_config_load(conf, &d->cfg, &err) < 0 || sb_config_validate(&d->cfg, &err) < 0) {
		sb_log(LOG_ERR, "%s", err.msg);
		return -1;
	}
	/* A subscriber holds no tenant credential and makes no tenant client. */
	if (d->cfg.role == SB_ROLE_SUBSCRIBER
		? relay_init(d) < 0
		: sb_scim_client_new(&d->cfg, &opts, &d->sync_client, &err) < 0 ||
		      live_pool_init(d, &err) < 0) {
		sb_log(LOG_ERR, "%s", err.msg);
		return -1;
	}
	pthread_mutex_init(&d->data_lock, NULL);
	pthread_mutex_init(&d->sync_lock, NULL);
	pthread_cond_init(&d->sync_cond, NULL);
	tenant_state_init(d);
	return 0;
}

/* The signals we take, blocked in every thread; SIGPIPE is ignored. */
static void signals_block(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* SIGHUP: what SB_REQ_SYNC asks, without waiting for it. */
static void request_sync(struct daemon *d)
{
	if (d->cfg.role == SB_ROLE_SUBSCRIBER) {
		relay_request(d);
		return;
	}
	pthread_mutex_lock(&d->sync_lock);
	d->sync_requested = true;
	pthread_cond_broadcast(&d->sync_cond);
	pthread_mutex_unlock(&d->sync_lock);
}

/* Stop: every thread's wait ends now (each checks daemon_stopping under
 * its own lock, so the broadcasts below cannot be missed). */
static void stop(struct daemon *d)
{
	atomic_store(&daemon_stopping, 1);
	pthread_mutex_lock(&d->sync_lock);
	pthread_cond_broadcast(&d->sync_cond);
	pthread_mutex_unlock(&d->sync_lock);
	publish_wake(d);
	if (d->cfg.role == SB_ROLE_SUBSCRIBER) /* its lock is made by relay_init */
		relay_wake(d);
}

void daemon_signals(struct daemon *d, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			request_sync(d);
		else
			stop(d);
	}
}

static int start(void *(*fn)(void *), struct daemon *d)
{
	pthread_t t;

	return pthread_create(&t, NULL, fn, d) != 0 || pthread_detach(t) != 0 ? -1 : 0;
}

/* Per role: a subscriber's relay thread instead of the tenant's threads;
 * a publisher's publish thread beside them. */
static int start_threads(struct daemon *d)
{
	if (d->cfg.role == SB_ROLE_SUBSCRIBER)
		return start(relay_thread, d);
	if (start(sync_thread, d) < 0 || start(probe_thread, d) < 0)
		return -1;
	return d->cfg.role == SB_ROLE_PUBLISHER ? start(publish_thread, d) : 0;
}

int main(int argc, char **argv)
{
	static struct daemon d;
	const char *conf = SB_DEFAULT_CONF;
	bool foreground = false, debug = false;
	sigset_t sigs;
	int opt, rc, lfd, sfd;

	while ((opt = getopt(argc, argv, "c:fdh")) != -1) {
		if (opt == 'c')
			conf = optarg;
		else if (opt == 'f')
			foreground = true;
		else if (opt == 'd')
			debug = true;
		else {
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	sb_log_init("scimbridged", foreground ? SB_LOG_STDERR : SB_LOG_SYSLOG, LOG_DAEMON);
	sb_log_set_level(debug ? LOG_DEBUG : LOG_INFO);
	sb_log_timestamps(foreground);
	setenv("SCIMBRIDGE_DAEMON", "1", 1);
	/* Before any thread (the HTTP library may start its own), so that
	 * every thread inherits the mask. */
	signals_block(&sigs);
	if (setup(&d, conf) < 0)
		return 1;
	if (!foreground && daemon(0, 0) < 0) {
		sb_log(LOG_ERR, "cannot detach");
		return 1;
	}
	lfd = serve_listen(&d);
	if (lfd < 0)
		return 1;
	sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		sb_log(LOG_ERR, "signalfd: %s", strerror(errno));
		return 1;
	}
	/* Detached: stopping does not wait for a sync in flight, whose cache
	 * write is atomic whenever the process ends. */
	if (start_threads(&d) < 0) {
		sb_log(LOG_ERR, "cannot start threads");
		return 1;
	}
	rc = serve(&d, lfd, sfd) < 0 ? 1 : 0;
	sb_log(LOG_INFO, "stopping");
	return rc;
}
