/*
 * cli_enforce.h - what vmgroup enforce (cli_enforce.c: options, one round,
 * --install-rules) shares with its long-running form (cli_follow.c).
 */
#ifndef VMG_CLI_ENFORCE_H
#define VMG_CLI_ENFORCE_H

#include <stdint.h>
#include <sys/socket.h>

#include "conf.h"
#include "dir.h"
#include "name.h"

#define ENFORCE_MAX_FAMILIES 5
#define ENFORCE_MAX_DCS 16		/* directory servers' addresses kept */
#define ENFORCE_FOLLOW_INTERVAL 300	/* --follow's safety re-read, s */

struct enforce_opts {
	const char *config, *table, *netns;
	const char *families[ENFORCE_MAX_FAMILIES];
	size_t nfamilies;
	char famtext[64];	/* "inet,bridge", for messages */
	char famlist[64];	/* the same, cut into families[] */
	char host[NAME_LABEL_BUF];
	int print, follow, install;
	int64_t interval;	/* 0: once (--follow: its default) */
	char skipped[1024];	/* special addresses the last round skipped */
	char dcskipped[512];	/* DC addresses the last round kept out */
	struct dir *watch;	/* --follow: the watch's connection, or NULL */
	struct sockaddr_storage dcs[ENFORCE_MAX_DCS];	/* the directory's */
	size_t ndcs;		/* servers' addresses, when dcs_known */
	int dcs_known;
	char *applied;		/* the last batch applied (--follow) */
};

/* What a round came to. */
enum enforce_result {
	ENFORCE_APPLIED,	/* the sets hold the directory's addresses */
	ENFORCE_SAME,		/* unchanged since the last apply: nothing done */
	ENFORCE_DIR_FAILED,	/* the directory failed: the sets kept */
	ENFORCE_NFT_FAILED	/* nftables refused (message printed) */
};

/* One round: read the blocked groups through d, then apply (or print) the
 * sets of every family in one transaction; unless force, only if they
 * differ from the last applied.  Messages to stderr, the summary line
 * ("N blocked group(s), M address(es) in F T") to stdout. */
enum enforce_result enforce_round(struct dir *d, const struct conf *c,
    struct enforce_opts *o, int force);
/* --install-rules: the table, sets and drop rules of every family (inet
 * and bridge only), in one transaction (or printed).  0 / -1 (printed). */
int enforce_install(struct enforce_opts *o);
/* --follow (cli_follow.c): rounds at each change the directory notifies,
 * every o->interval seconds besides, until SIGTERM/SIGINT.  An exit
 * status. */
int cli_follow(const struct conf *c, struct enforce_opts *o);

#endif
