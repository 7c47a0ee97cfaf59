/*
 * cli_follow.c - vmgroup enforce --follow: the enforcer as a service.
 *
 * One loop owns every deadline: the watch's socket (dirwatch: AD/Samba
 * change notification, OpenLDAP syncrepl), the safety re-read every
 * --interval seconds (Samba does not notify deletes; a set flushed by
 * hand is put back), the ticket's end (reconnect with a fresh one before
 * it), and the reconnect backoff (1, 2, 4 ... 30 s) while the directory or
 * the KDC is away.  Two connections: one reads, one carries the watch.
 * A round that cannot read changes nothing: the sets keep what they held.
 * SIGTERM/SIGINT stop it; the sets and rules stay.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli_common.h"
#include "cli_enforce.h"
#include "krb.h"
#include "sdnotify.h"
#include "xmem.h"

#define FOLLOW_BACKOFF_MAX 30	/* s between two tries at most */
#define FOLLOW_TICKET_MARGIN 600	/* reconnect this long before the end */
#define FOLLOW_RENEW_MIN 5	/* s up at least before a reconnect for the
				 * ticket (a clock ahead of the KDC's would
				 * make every fresh ticket look stale) */
#define FOLLOW_NFT_RETRY 5	/* s after nftables refused a batch */

struct follow {
	const struct conf *c;
	struct enforce_opts *o;
	struct krb krb;
	struct dir rd, wd;		/* reads; the watch's connection */
	struct dir_params dp, wp;
	char wuri[DIR_URI_BUF];		/* the watch's DC: the reads' one */
	struct dir_watch w;
	int up;				/* both open, the watch started */
	time_t up_since;		/* monotonic s */
	unsigned backoff;		/* s; starts again at 1 after a minute up */
	time_t next_try, next_read;	/* monotonic s */
	int ready;			/* READY=1 sent */
};

static time_t
follow_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
follow_down(struct follow *f)
{
	dir_watch_stop(&f->w);
	dir_close(&f->wd);
	dir_close(&f->rd);
	krb_free(&f->krb);
	f->up = 0;
}

/* Lost (why): keep the sets, try again after the backoff. */
static void
follow_lost(struct follow *f, const char *why)
{
	char st[600], *p;

	if (f->up && follow_now() - f->up_since >= 60)
		f->backoff = 0;
	follow_down(f);
	f->backoff = f->backoff == 0 ? 1 : f->backoff * 2;
	if (f->backoff > FOLLOW_BACKOFF_MAX)
		f->backoff = FOLLOW_BACKOFF_MAX;
	f->next_try = follow_now() + (time_t)f->backoff;
	fprintf(stderr, "vmgroup enforce: %s: the sets keep what they hold; "
	    "trying again in %u s\n", why, f->backoff);
	(void)xsnprintf(st, sizeof(st), "STATUS=directory away (%s); sets "
	    "kept", why);
	for (p = st; *p != '\0'; p++)	/* the server's text: one line */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	sdnotify(st);
}

/* A fresh ticket, two connections, the watch, and a first round. */
static int
follow_connect(struct follow *f)
{
	char err[512];

	memset(&f->krb, 0, sizeof(f->krb));
	if (cli_dir_open(f->c, &f->krb, &f->rd, &f->dp, "enforce") == -1)
		return -1;
	/* the watch on the DC the reads go to: a change it notifies is one
	 * the reads see (another DC may not have it yet) */
	f->wp = f->dp;
	(void)xstrlcpy(f->wuri, dir_uri(&f->rd), sizeof(f->wuri));
	f->wp.uris[0] = f->wuri;
	f->wp.nuris = 1;
	dir_init(&f->wd, &f->wp);
	f->o->watch = &f->wd;	/* its server's address kept out of the sets */
	f->o->dcs_known = 0;	/* and the others', resolved again */
	if (dir_open(&f->wd, err, sizeof(err)) == -1 ||
	    dir_watch_start(&f->w, &f->wd, f->c->ou, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup enforce: %s\n", err);
		return -1;
	}
	if (f->w.kind == DIR_WATCH_NONE)
		fprintf(stderr, "vmgroup enforce: the directory offers neither "
		    "change notification nor syncrepl: polling every %lld s\n",
		    (long long)f->o->interval);
	else
		fprintf(stderr, "vmgroup enforce: following %s by %s\n",
		    f->c->ou, dir_watch_name(f->w.kind));
	f->up = 1;
	f->up_since = follow_now();
	return 0;
}

/* A round; on a directory failure, down.  Only a full (forced) round
 * moves the safety re-read: changes notified more often than --interval
 * must not put it off for ever. */
static void
follow_round(struct follow *f, int force)
{
	switch (enforce_round(&f->rd, f->c, f->o, force)) {
	case ENFORCE_DIR_FAILED:
		follow_lost(f, "cannot read the blocked groups");
		return;
	case ENFORCE_APPLIED:
	case ENFORCE_SAME:
		sdnotify("STATUS=following the directory");
		if (force)
			f->next_read = follow_now() + (time_t)f->o->interval;
		break;
	case ENFORCE_NFT_FAILED:	/* again soon, whole */
		sdnotify("STATUS=nftables refused the sets");
		f->next_read = follow_now() + FOLLOW_NFT_RETRY;
		break;
	}
}

/* Try to come up (when its time has come): connect, then a full round. */
static void
follow_try(struct follow *f)
{
	if (f->up || follow_now() < f->next_try)
		return;
	if (follow_connect(f) == -1) {
		follow_lost(f, "cannot reach the directory");
		return;
	}
	follow_round(f, 1);
}

/* Seconds until the earliest deadline (the caller's poll), capped. */
static int
follow_timeout(const struct follow *f)
{
	time_t now = follow_now(), t, renew;

	if (!f->up) {
		t = f->next_try - now;
	} else {
		t = f->next_read - now;
		renew = krb_renew_at(&f->krb, FOLLOW_TICKET_MARGIN);
		if (renew != 0) {
			renew -= time(NULL);
			if (renew < f->up_since + FOLLOW_RENEW_MIN - now)
				renew = f->up_since + FOLLOW_RENEW_MIN - now;
			if (renew < t)
				t = renew;
		}
	}
	if (t < 0)
		t = 0;
	if (t > 3600)
		t = 3600;
	return (int)t * 1000;
}

/* One turn of the loop: come up, renew, take the changes, re-read. */
static void
follow_turn(struct follow *f)
{
	char err[512];
	int n;

	follow_try(f);
	if (!f->up)
		return;
	if (krb_stale(&f->krb, time(NULL), FOLLOW_TICKET_MARGIN) &&
	    follow_now() - f->up_since >= FOLLOW_RENEW_MIN) {
		fprintf(stderr, "vmgroup enforce: the ticket ends soon: "
		    "reconnecting with a fresh one\n");
		follow_down(f);
		f->next_try = 0;
		follow_try(f);
		return;
	}
	if (f->w.kind != DIR_WATCH_NONE) {
		n = dir_watch_take(&f->w, err, sizeof(err));
		if (n == -2)
			fprintf(stderr, "vmgroup enforce: the directory refused "
			    "to follow %s: %s: polling every %lld s\n",
			    f->c->ou, err, (long long)f->o->interval);
		if (n == -1) {
			follow_lost(f, err);
			return;
		}
		if (n > 0)
			follow_round(f, 0);
	}
	if (f->up && follow_now() >= f->next_read)
		follow_round(f, 1);
}

static int
follow_signals(void)
{
	sigset_t set;

	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGTERM);
	(void)sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR)	/* a DC that hung up */
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int
cli_follow(const struct conf *c, struct enforce_opts *o)
{
	struct signalfd_siginfo si;
	struct pollfd p[2];
	struct follow f;
	int sfd, rc = CLI_OK;

	memset(&f, 0, sizeof(f));
	f.c = c;
	f.o = o;
	f.w.msgid = -1;
	if ((sfd = follow_signals()) == -1) {
		fprintf(stderr, "vmgroup enforce: signals: %s\n",
		    strerror(errno));
		return CLI_FAIL;
	}
	for (;;) {
		follow_turn(&f);
		if (!f.ready) {
			sdnotify("READY=1");
			f.ready = 1;
		}
		p[0].fd = sfd;
		p[0].events = POLLIN;
		p[1].fd = f.up ? dir_watch_fd(&f.w) : -1;
		p[1].events = POLLIN;
		if (poll(p, 2, follow_timeout(&f)) == -1 && errno != EINTR) {
			fprintf(stderr, "vmgroup enforce: poll: %s\n",
			    strerror(errno));
			rc = CLI_FAIL;
			break;
		}
		if ((p[0].revents & POLLIN) != 0 &&
		    read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			fprintf(stderr, "vmgroup enforce: signal %u: stopping; "
			    "the sets stay as they are\n", si.ssi_signo);
			break;
		}
	}
	sdnotify("STOPPING=1");
	follow_down(&f);
	o->watch = NULL;	/* f.wd goes with this frame */
	close(sfd);
	return rc;
}
