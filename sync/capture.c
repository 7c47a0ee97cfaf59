/*
 * capture.c - vmgroup-capture: a DHCP sniffer on the host's bridge (or a
 * VM's tap) that queues spool events (source "pcap") for whatever DHCP
 * server answers.  libpcap in, queue_event out; the decisions are in
 * caplease.c, the decoding in capdhcp.c.  See vmgroup-capture(8).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capcap.h"
#include "caplease.h"
#include "log.h"
#include "queue.h"
#include "xmem.h"

#define STATEDIR_DEFAULT "/var/lib/vmgroup/capture"

struct opts {
	const char *iface, *file, *spool, *map, *statedir;
	char host[NAME_LABEL_BUF];
	int arp, verbose;
};

static volatile sig_atomic_t got_stop, got_hup;

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroup-capture -i IFACE -s SPOOL [-H HOST] [-m MAPFILE] [-d STATEDIR]\n"
"                       [-a] [-v]\n"
"       vmgroup-capture -r FILE.pcap -s SPOOL [-H HOST] [-m MAPFILE]\n"
"                       [-d STATEDIR] [-a] [-v]\n"
"  -i IFACE     capture on this interface (the bridge, or a VM's tap)\n"
"  -r FILE      read a capture file instead, exit at its end\n"
"  -s SPOOL     the spool to queue events into\n"
"  -H HOST      this host's name (default: the short host name)\n"
"  -m MAPFILE   lines \"MAC IMAGE [NAME]\" (default " CAPMAP_DEFAULT ")\n"
"  -d STATEDIR  the lease table (default " STATEDIR_DEFAULT ")\n"
"  -a           learn static VMs (the map's with a NAME) from ARP and NA\n"
"  -v           log each event queued, and more\n"
"  -h, --help   this text\n");
}

static int
set_host(struct opts *o, const char *given)
{
	char buf[256], *dot, err[200];

	if (given == NULL) {
		if (gethostname(buf, sizeof(buf)) == -1)
			fatal("gethostname");
		buf[sizeof(buf) - 1] = '\0';
		if ((dot = strchr(buf, '.')) != NULL)
			*dot = '\0';
		given = buf;
	}
	if (name_label_check(given, o->host, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup-capture: host name %s\n", err);
		return -1;
	}
	return 0;
}

static int
parse_opts(int argc, char *argv[], struct opts *o)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *host = NULL;
	int ch;

	memset(o, 0, sizeof(*o));
	o->map = CAPMAP_DEFAULT;
	o->statedir = STATEDIR_DEFAULT;
	while ((ch = getopt_long(argc, argv, "i:r:s:H:m:d:avh", lo, NULL)) != -1) {
		switch (ch) {
		case 'i': o->iface = optarg; break;
		case 'r': o->file = optarg; break;
		case 's': o->spool = optarg; break;
		case 'H': host = optarg; break;
		case 'm': o->map = optarg; break;
		case 'd': o->statedir = optarg; break;
		case 'a': o->arp = 1; break;
		case 'v': o->verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc || o->spool == NULL ||
	    (o->iface == NULL) == (o->file == NULL)) {
		usage(stderr);
		return -1;
	}
	return set_host(o, host);
}

/* The state folder: made if missing (0750), refused if world-writable,
 * a symlink or no folder. */
static void
check_statedir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0750) == -1 && errno != EEXIST)
		fatal("state folder %s", dir);
	if (lstat(dir, &st) == -1)
		fatal("state folder %s", dir);
	if (!S_ISDIR(st.st_mode))
		fatalx("state folder %s: not a folder (or a symlink)", dir);
	if (st.st_mode & S_IWOTH)
		fatalx("state folder %s: world-writable; refused (chmod o-w)",
		    dir);
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

/* TERM, INT and HUP blocked but in ppoll (old: the mask to wait with). */
static void
setup_signals(sigset_t *old)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t set;
	size_t i;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaddset(&set, sigs[i]) == -1 ||
		    sigaction(sigs[i], &sa, NULL) == -1)
			fatal("signals");
	if (sigprocmask(SIG_BLOCK, &set, old) == -1)
		fatal("signals");
	signal(SIGPIPE, SIG_IGN);
}

static void
reload_map(struct capctx *c)
{
	got_hup = 0;
	if (capmap_load(&c->map, c->mapfile) == 0)
		log_info("map file %s: %zu MAC%s", c->mapfile, c->map.n,
		    c->map.n == 1 ? "" : "s");
}

static int
read_file(struct capctx *c, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int rc = 0;

	if ((p = pcap_open_offline(path, errbuf)) == NULL) {
		log_warnx("%s: %s", path, errbuf);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		log_warnx("%s: not an Ethernet capture", path);
		pcap_close(p);
		return -1;
	}
	while (!got_stop && (rc = pcap_next_ex(p, &h, &data)) >= 0) {
		if (rc == 1)
			capcap_packet(c, data, h->caplen, h->ts.tv_sec);
		if (got_hup)
			reload_map(c);
	}
	if (!got_stop && rc == PCAP_ERROR)
		log_warnx("%s: %s", path, pcap_geterr(p));
	pcap_close(p);
	return !got_stop && rc == PCAP_ERROR ? -1 : 0;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Open (or reopen, after the backoff) the live capture. */
static void
live_open(struct capctx *c, struct caplive *l, int64_t now)
{
	char err[PCAP_ERRBUF_SIZE + 128];

	if (l->p != NULL || now < l->retry_at)
		return;
	if ((l->p = capcap_open(c->iface, c->lease.arp, err,
	    sizeof(err))) != NULL) {
		log_info("listening on %s", c->iface);
		l->backoff = 1000;
		return;
	}
	log_warnx("%s; again in %lld s", err, (long long)l->backoff / 1000);
	l->retry_at = now + l->backoff;
	l->backoff = l->backoff * 2 > 30000 ? 30000 : l->backoff * 2;
}

static void
live_loop(struct capctx *c, const sigset_t *wait_mask)
{
	struct caplive l = { .p = NULL, .retry_at = 0, .backoff = 1000 };
	struct pollfd pfd;
	struct timespec ts, *tsp;
	int64_t now;

	while (!got_stop) {
		if (got_hup)
			reload_map(c);
		now = mono_ms();
		live_open(c, &l, now);
		tsp = NULL;
		if (l.p == NULL) {
			now = l.retry_at - now;
			ts.tv_sec = (time_t)(now / 1000);
			ts.tv_nsec = (long)(now % 1000) * 1000000;
			tsp = &ts;
		}
		pfd.fd = l.p != NULL ? pcap_get_selectable_fd(l.p) : -1;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, tsp, wait_mask) == -1) {
			if (errno != EINTR)
				fatal("ppoll");
			continue;
		}
		if (l.p != NULL && pfd.revents != 0 &&
		    capcap_dispatch(c, l.p, pfd.revents) == -1) {
			pcap_close(l.p);
			l.p = NULL;
			l.retry_at = mono_ms() + l.backoff;
		}
	}
	if (l.p != NULL)
		pcap_close(l.p);
}

int
main(int argc, char *argv[])
{
	static struct capctx c;
	char err[PATH_MAX + 256];
	sigset_t wait_mask;
	struct opts o;
	int rc = 0;

	log_init(1, "vmgroup-capture");
	if (parse_opts(argc, argv, &o) == -1)
		return 2;
	log_setverbose(o.verbose);
	if (spool_init(o.spool, err, sizeof(err)) == -1)
		fatalx("spool %s: %s", o.spool, err);
	check_statedir(o.statedir);
	if (xsnprintf(c.statefile, sizeof(c.statefile), "%s/%s", o.statedir,
	    CAPSTATE_FILE) == -1)
		fatalx("state folder %s: name too long", o.statedir);
	c.spool = o.spool;
	c.mapfile = o.map;
	c.iface = o.iface;
	caplease_init(&c.lease, o.host, &c.map, o.arp);
	if (capstate_load(&c.lease.st, c.statefile) == -1)
		fatalx("state file %s cannot be read", c.statefile);
	setup_signals(&wait_mask);
	reload_map(&c);
	if (o.file != NULL) {
		/* no ppoll here: the signals are taken as they come */
		if (sigprocmask(SIG_SETMASK, &wait_mask, NULL) == -1)
			fatal("signals");
		rc = read_file(&c, o.file);
	}
	else
		live_loop(&c, &wait_mask);
	capcap_save(&c);
	caplease_free(&c.lease);
	capmap_free(&c.map);
	return rc == 0 ? 0 : 1;
}
