/*
 * vmgroupd.c - the sync daemon: main, options, lock, event loop.
 *
 * The loop waits on the spool (inotify), signals (signalfd) and the
 * earliest deadline of the agenda (agenda.h: retry, rescan, full reconcile,
 * lease end, ticket renewal); while a retry is pending nothing else runs.
 * SIGHUP reloads the configuration, SIGTERM/SIGINT stop cleanly, also in
 * the middle of a pass (between two writes), with --once too.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#ifdef HAVE_MALLOPT
#include <malloc.h>
#endif
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agenda.h"
#include "conf.h"
#include "daemon.h"
#include "dir.h"
#include "intake.h"
#include "lock.h"
#include "log.h"
#include "sdnotify.h"
#include "spool.h"
#include "xmem.h"

#ifdef HAVE_GNUTLS
#include <gnutls/gnutls.h>
/* GnuTLS is in the process for libldap's ldaps://, which initializes it
 * itself when a connection uses TLS (gnutls_global_init); initialized
 * implicitly when the library loads it took ~0.8 MiB of memory in every
 * daemon, TLS or not (gnutls.h documents this opt-out). */
GNUTLS_SKIP_GLOBAL_INIT
#endif


/* The inotify watch on <spool>/new; it goes with the folder. */
struct watch {
	int fd;				/* inotify instance */
	int wd;				/* the watch, -1 while there is none */
	int away;			/* the spool could not be listed */
	char path[PATH_MAX];
};

static volatile sig_atomic_t once_signal;	/* --once: TERM/INT came */

struct opts {
	const char *config;
	int test, foreground, verbose, once, allow_root;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroupd [-f FILE] [-t] [-d] [-v] [--once]\n"
"Sync VM registrations from the spool into Active Directory DNS and\n"
"vmGroup objects, over LDAP with Kerberos (SASL GSSAPI) from a keytab.\n"
"  -f, --config FILE  configuration (default " CONF_DEFAULT_PATH ")\n"
"  -t, --test         check the configuration, keytab and spool; exit\n"
"  -d, --foreground   stay in the foreground, log to stderr (systemd)\n"
"  -v, --verbose      more detail in the log; with -t, print the settings\n"
"      --once         one pass, then exit (0 if the directory is in sync)\n"
"      --allow-root   run as root (not recommended: use an unprivileged\n"
"                     user with read access to the keytab)\n"
"  -h, --help         this text\n"
"  -V, --version      the version\n");
}

static int
parse_opts(int argc, char *argv[], struct opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "test", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "once", no_argument, NULL, 'o' },
		{ "allow-root", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	o->config = CONF_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "f:tdvhV", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': o->config = optarg; break;
		case 't': o->test = 1; break;
		case 'd': o->foreground = 1; break;
		case 'v': o->verbose = 1; break;
		case 'o': o->once = 1; break;
		case 'R': o->allow_root = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("vmgroupd %s\n", PACKAGE_VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* One daemon per spool and per state folder: the spool first (its
 * refusal is the one a second copy of the same configuration meets). */
static void
lock_folders(const struct conf *c, struct lock *spool, struct lock *state)
{
	char err[PATH_MAX + 128];

	if (lock_take(spool, c->spool, "spool", err, sizeof(err)) == -1 ||
	    lock_take(state, c->state_dir, "state folder", err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
}

/* Daemon mode: TERM or INT waits in the signalfd; a pass stops early. */
static int
stop_pending(void)
{
	sigset_t set;

	return sigpending(&set) == 0 && (sigismember(&set, SIGTERM) == 1 ||
	    sigismember(&set, SIGINT) == 1);
}

static void
once_handler(int sig)
{
	once_signal = sig;
	dir_abort();	/* a wait on a hung directory ends now */
}

static int
once_stopping(void)
{
	return once_signal != 0;
}

/* --once reads no signalfd: TERM and INT set a flag the pass checks
 * between writes, and (no SA_RESTART) cut a blocking wait short. */
static void
setup_once_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = once_handler;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigprocmask(SIG_UNBLOCK, &set, NULL) == -1)
		fatal("sigaction");
	signal(SIGPIPE, SIG_IGN);
	daemon_set_stop(once_stopping);
}

static int
setup_signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		fatal("signalfd");
	signal(SIGPIPE, SIG_IGN);
	daemon_set_stop(stop_pending);
	return fd;
}

static void
watch_add(struct watch *w, int quiet)
{
	w->wd = inotify_add_watch(w->fd, w->path, IN_MOVED_TO | IN_CLOSE_WRITE);
	/* without it the periodic rescan still finds every file */
	if (w->wd == -1 && !quiet)
		log_warn("inotify on %s; relying on the rescan", w->path);
}

static void
setup_inotify(struct watch *w, const char *spool)
{
	if (xsnprintf(w->path, sizeof(w->path), "%s/new", spool) == -1)
		fatalx("spool path too long");
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd == -1)
		fatal("inotify_init1");
	w->away = 0;
	watch_add(w, 0);
}

/* Read every queued event: 1 if a file arrived.  A watch that went with
 * its folder (IN_IGNORED) is noted, to be set again by watch_follow(). */
static int
watch_drain(struct watch *w)
{
	union {
		struct inotify_event ev;
		char buf[4096];
	} u;
	struct inotify_event ev;
	ssize_t n, off;
	int got = 0;

	while ((n = read(w->fd, u.buf, sizeof(u.buf))) > 0) {
		for (off = 0; off + (ssize_t)sizeof(ev) <= n;
		    off += (ssize_t)sizeof(ev) + ev.len) {
			memcpy(&ev, u.buf + off, sizeof(ev));
			if (!(ev.mask & IN_IGNORED))
				got = 1;
			else if (ev.wd == w->wd)
				w->wd = -1;
		}
	}
	return got;
}

/* After the spool could not be listed, or lost its watch: watch its new/
 * folder again once it can be listed (a recreated folder is another
 * inode; a moved one took the old watch with it). */
static void
watch_follow(struct watch *w, const struct daemon *dm)
{
	if (dm->scan.err != 0) {
		w->away = 1;
		return;
	}
	if (!w->away && w->wd != -1)
		return;
	w->away = 0;
	if (w->wd != -1)
		(void)inotify_rm_watch(w->fd, w->wd);
	watch_add(w, 1);
	if (w->wd != -1)
		log_info("watching %s again", w->path);
}

/* 1 stop, 2 reload, 0 nothing. */
static int
read_signal(int sfd)
{
	struct signalfd_siginfo si;
	int what = 0;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP && what == 0)
			what = 2;
		else if (si.ssi_signo != SIGHUP)
			what = 1;
	}
	return what;
}

/* 1 if paths a and b name the same folder (or the same string). */
static int
same_folder(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The spool and the state folder stay for the life of the daemon (their
 * locks are held): a reload that moves one is refused. */
static int
reload_folders(const struct conf *old, const struct conf *c, char *err,
    size_t errlen)
{
	const char *what, *from, *to;

	if (!same_folder(c->spool, old->spool)) {
		what = "spool";
		from = old->spool;
		to = c->spool;
	} else if (!same_folder(c->state_dir, old->state_dir)) {
		what = "state_dir";
		from = old->state_dir;
		to = c->state_dir;
	} else
		return 0;
	(void)xsnprintf(err, errlen, "%s changed from %s to %s, which needs "
	    "a restart", what, from, to);
	return -1;
}

/* A refused reload always keeps the running configuration: the new one is
 * opened beside it and replaces it only once it is complete. */
static void
reload(struct daemon *dm, const struct opts *o)
{
	struct daemon next;
	struct conf c;
	char err[512];

	if (conf_load(o->config, &c, err, sizeof(err)) == 0 &&
	    reload_folders(&dm->conf, &c, err, sizeof(err)) == 0) {
		if (daemon_open(&next, &c, 0, err, sizeof(err)) == 0) {
			daemon_replace(dm, &next);
			log_info("configuration reloaded from %s", o->config);
			return;
		}
		daemon_close(&next);
	}
	log_warnx("reload refused, keeping the running configuration: %s",
	    err);
}

/* Sleep until a signal, a spool event or the agenda's next deadline.
 * 1 stop, 2 reload, 0 otherwise; *pending is set when files arrived. */
static int
wait_event(const struct daemon *dm, int sfd, struct watch *w, int *pending)
{
	struct pollfd p[2];
	int n;

	p[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = w->fd, .events = POLLIN };
	n = poll(p, 2, agenda_timeout(&dm->agenda, agenda_now()));
	if (n == -1 && errno != EINTR)
		fatal("poll");
	if (n > 0 && (p[1].revents & POLLIN) && watch_drain(w))
		*pending = 1;
	return n > 0 && (p[0].revents & POLLIN) ? read_signal(sfd) : 0;
}

/* A pass is due: files arrived, a deadline passed, or the rescan found
 * files.  Nothing runs while a retry is pending: it goes first. */
static int
pass_due(struct daemon *dm, struct watch *w, int pending)
{
	int64_t now = agenda_now();
	int k, n;

	if (agenda_waiting(&dm->agenda, now))
		return 0;
	if (pending)
		return 1;
	for (k = 0; k < AGENDA_NWHAT; k++)
		if (k != AGENDA_RESCAN &&
		    agenda_due(&dm->agenda, (enum agenda_what)k, now))
			return 1;
	if (!agenda_due(&dm->agenda, AGENDA_RESCAN, now))
		return 0;
	n = intake_spool_pending(dm);	/* sets the next rescan */
	watch_follow(w, dm);
	return n > 0;
}

static void
pass(struct daemon *dm, struct watch *w)
{
	(void)daemon_cycle(dm, time(NULL));
	daemon_plan(dm);
	watch_follow(w, dm);
}

static void
run(struct daemon *dm, const struct opts *o, int sfd, struct watch *w)
{
	int pending = 0, sig;

	pass(dm, w);
	sdnotify("READY=1\nSTATUS=serving");
	for (;;) {
		sig = wait_event(dm, sfd, w, &pending);
		if (sig == 1)
			break;
		if (sig == 2) {
			sdnotify("RELOADING=1");
			reload(dm, o);
			sdnotify("READY=1");
			pending = 1;	/* a pass with what was reloaded */
		}
		if (!pass_due(dm, w, pending))
			continue;
		/* group commit: the first event of a quiet spell is written at
		 * once; what arrives while a pass runs goes into the next */
		pending = 0;
		pass(dm, w);
	}
	sdnotify("STOPPING=1");
	log_info("stopping");
}

/* -t: every problem found is told, not only the first; nothing is
 * contacted.  A keytab without the principal's key also tells of a
 * configuration not written yet (the sample's principal). */
static int
check_config(const struct conf *c, const char *path, int verbose)
{
	char err[512];
	int bad = 0;

	if (krb_check_principal(c->keytab, c->principal, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		bad++;
	}
	if (spool_init(c->spool, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		bad++;
	}
	if (bad > 0) {
		log_warnx("%s: %d problem%s to fix before vmgroupd can start",
		    path, bad, bad > 1 ? "s" : "");
		return 1;
	}
	if (verbose)
		conf_dump(c, stdout);
	printf("%s: configuration OK\n", path);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct daemon dm;
	struct lock spool_lk, state_lk;
	struct watch w;
	struct conf c;
	char err[512];
	int sfd = -1, rc = 0;

#ifdef HAVE_MALLOPT
	/* Big buffers (a state file read, a pass's arrays) from mmap, given
	 * back when freed, and free heap past 128 KiB trimmed at once: with
	 * 10,000 VMs this lowered the peak RSS of a storm pass by ~0.2 MB
	 * and of a pass with nothing to do by ~0.5 MB (glibc's dynamic
	 * threshold grows to keep such buffers in the heap).  One arena
	 * (M_ARENA_MAX) gained nothing: vmgroupd has one thread. */
	(void)mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
	if (parse_opts(argc, argv, &o) == -1)
		return 2;
	log_init(o.foreground || o.test || o.once, "vmgroupd");
	log_setverbose(o.verbose);
	if (conf_load(o.config, &c, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return 1;
	}
	if (o.test)
		return check_config(&c, o.config, o.verbose);
	if (geteuid() == 0 && !o.allow_root)
		fatalx("refusing to run as root: run vmgroupd as an "
		    "unprivileged user that can read the keytab (the systemd "
		    "unit uses User=vmgroup), or pass --allow-root");
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	if (o.once)
		setup_once_signals();
	else
		sfd = setup_signals();
	/* locked before any work: a second copy is refused before it asks
	 * the KDC for a ticket or reads a zone */
	if (daemon_folders(&c, err, sizeof(err)) == -1)
		fatalx("%s", err);
	lock_folders(&c, &spool_lk, &state_lk);
	if (daemon_open(&dm, &c, 1, err, sizeof(err)) == -1)
		fatalx("%s", err);
	dm.spool_lock = &spool_lk;
	dm.state_lock = &state_lk;
	dm.one_pass = o.once;
	if (o.once) {
		rc = daemon_cycle(&dm, time(NULL)) == 0 ? 0 : 1;
		if (once_signal != 0 && rc != 0)
			log_warnx("stopped by %s before the pass was done; the "
			    "spool keeps what was not written", once_signal ==
			    SIGINT ? "SIGINT" : "SIGTERM");
	} else {
		if (!o.foreground && daemon(0, 0) == -1)
			fatal("daemon");
		setup_inotify(&w, c.spool);
		if (c.nuris > 0)
			log_info("vmgroupd %s: host %s, zone %s, spool %s, "
			    "%zu directory URI(s)", PACKAGE_VERSION,
			    c.model.host, c.model.zone, c.spool, c.nuris);
		else
			log_info("vmgroupd %s: host %s, zone %s, spool %s, "
			    "the DCs of %s from DNS", PACKAGE_VERSION,
			    c.model.host, c.model.zone, c.spool, c.domain);
		run(&dm, &o, sfd, &w);
		close(w.fd);
		close(sfd);
	}
	daemon_close(&dm);
	lock_release(&state_lk);
	lock_release(&spool_lk);
	exit(rc);	/* not a return: what --once left unfreed stays
			 * reachable from dm for the leak checker */
}
