/*
 * model.h - from registrations to the desired directory state of one host.
 *
 * Pure: no I/O, no clock, no globals.  The daemon feeds it events (in arrival
 * order) and asks for the desired state; tests do the same.
 *
 * Registrations are keyed by VM name (a VM name is unique in the zone): the
 * newest registration of a VM wins, so a VM that moves to another host
 * leaves this host's groups.  A release removes the VM only if it is not
 * older than the registration it releases and comes from the host the VM is
 * registered on (a late release from the old host does not undo a move).
 * A release leaves a record (release.h), so a register or refresh from the
 * same host stamped before it stays out after the VM is gone.
 */
#ifndef VMG_MODEL_H
#define VMG_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <uthash.h>

#include "arena.h"
#include "dnsrec.h"
#include "event.h"
#include "name.h"
#include "regaddr.h"
#include "release.h"

#define MODEL_MAX_REVZONES 8
#define MODEL_DEFAULT_HOST_GROUP "all"
#define MODEL_DEFAULT_NO_IMAGE "noimage"

enum model_grouping {
	MODEL_GROUP_IMAGE,	/* one group per OS image (default) */
	MODEL_GROUP_HOST	/* one group for the whole host */
};

struct model_reg;
struct model_regs;

struct model_config {
	char host[NAME_LABEL_BUF];		/* the host whose state we build */
	char zone[NAME_FQDN_BUF];		/* forward zone */
	char revzones[MODEL_MAX_REVZONES][NAME_FQDN_BUF];
	size_t nrevzones;
	enum model_grouping grouping;
	char host_group[NAME_LABEL_BUF];	/* group label, host-wide mode */
	char no_image[NAME_LABEL_BUF];		/* group label for VMs without image */
	int vm_records;				/* also each VM's own A/AAAA */
	uint32_t ttl;
	uint32_t serial;			/* the zone's SOA serial */
	uint32_t revserials[MODEL_MAX_REVZONES];	/* each reverse zone's */
	uint32_t timestamp;			/* 0 = static, else hours since 1601 */
	uint16_t srv_priority, srv_weight, srv_port;
	/* A VM or group name held by someone else (see claim.h): 1 leaves
	 * it out of the desired state.  NULL: nothing is withheld. */
	int (*withheld)(const void *ctx, const char *name);
	const void *withheld_ctx;
	/* Build only from the registrations this returns 1 for (a pass that
	 * rebuilds what a few registrations touched: scope.h).  NULL: all. */
	int (*only)(void *ctx, const struct model_reg *r);
	/* With only: 1 if r's own nodes (PTRs, VM node) are wanted too, 0 if
	 * it counts only as a member of its group. */
	int (*only_full)(void *ctx, const struct model_reg *r);
	void *only_ctx;
	/* With only: the group of this label is patched, not rebuilt (the
	 * directory holds it as the last pass left it): only its members
	 * that only_full returns 1 for (and one other) are built, and what
	 * p names leaves the group unless one of those still holds it.
	 * NULL, or NULL returned: the group is built whole. */
	const struct model_patch *(*patch)(void *ctx, const char *label);
	/* With only: the registrations only may want, in *v (NULL-ended,
	 * freed by the caller), so as not to walk them all; 0: walk. */
	int (*pick)(void *ctx, const struct model_regs *regs,
	    const struct model_reg ***v, size_t *n);
	/* A full pass built in parts (nparts > 1), so that a host of many
	 * VMs never holds all its nodes at once: part 0 holds the groups,
	 * their nodes and the host's SRV node, and each part the PTR nodes
	 * of the addresses model_part_addr puts in it (all holders of an
	 * address in one part) and the VM nodes model_part_vm puts in it.
	 * Not with only. */
	unsigned part, nparts;
};
/* A full pass's parts: one for each MODEL_PART_VMS registrations. */
#define MODEL_PART_VMS 1024
unsigned model_part_addr(const struct event_addr *a, unsigned nparts);
unsigned model_part_vm(const char *vm, unsigned nparts);

/* The values a pass may have taken from a patched group: the VMs (and
 * their addresses) noted before and after their change, in any order,
 * repeats allowed. */
struct model_patch {
	const char *const *vms;
	size_t nvms;
	const struct event_addr *addrs;
	size_t naddrs;
};

/* One allocation, right-sized: the struct, then vm, the addresses, host and
 * image, which the pointers point at (free(r) frees it all).  A newer event
 * that needs another size replaces it with a new one (model_apply). */
struct model_reg {
	UT_hash_handle hh;
	const char *host;
	const char *image;
	struct event_addr *addrs;		/* naddrs, sorted, distinct */
	size_t naddrs;
	int64_t time;
	int64_t expires;			/* 0 = never */
	enum event_source source;
	int has_mac;
	uint8_t mac[6];
	char vm[];				/* hash key */
};

struct model_regs {
	struct model_reg *by_vm;
	struct release_set released;		/* release records */
	struct regaddr addrs;			/* how many hold each address */
};

enum model_node_kind {
	MODEL_NODE_GROUP,	/* <host>-<group>-vm: A/AAAA of all members */
	MODEL_NODE_SRV_HOST,	/* _vmgroup._tcp.<host>: SRV -> groups */
	MODEL_NODE_SRV_GROUP,	/* _vm._tcp.<group>: SRV -> VMs */
	MODEL_NODE_VM,		/* <vm>: its own A/AAAA (optional) */
	MODEL_NODE_PTR		/* reverse name: PTR -> VM */
};

/* The desired state's strings, record values and record arrays live in
 * its arena (struct model_desired mem), right-sized; model_desired_free
 * frees them at once. */
struct model_rr {
	const uint8_t *val;			/* encoded dnsRecord value */
	size_t len;				/* dnsrec_decode reads it */
};

struct model_node {
	enum model_node_kind kind;
	const char *zone;			/* one copy per zone */
	const char *name;			/* relative to zone: DC= */
	struct model_rr *rrs;			/* sorted, distinct */
	size_t nrrs;
	size_t cap;				/* room in rrs (the build's) */
	/* A patched group's node (model_config.patch): rrs are only records
	 * it must hold, gone those it must not; the rest stays as it is. */
	struct model_gone *gone;		/* NULL: rrs are all it holds */
};

struct model_gone {
	struct model_rr *rrs;			/* distinct */
	size_t nrrs, cap;
};

struct model_group {
	char name[NAME_LABEL_BUF];		/* group node label and vmGroup cn */
	char fqdn[NAME_FQDN_BUF];
	char host[NAME_LABEL_BUF];
	char image[NAME_LABEL_BUF];		/* "" in host-wide mode */
	const char **members;			/* sorted; the names in mem */
	size_t nmembers;
	struct event_addr *addrs;		/* sorted, no duplicates */
	size_t naddrs;
	/* Patched (model_config.patch): members and addrs are only values
	 * the object must hold; those below (in mem) it must not hold. */
	int patch;
	const char **gone_members;
	size_t ngone_members;
	struct event_addr *gone_addrs;
	size_t ngone_addrs;
};

struct model_desired {
	struct model_node *nodes;		/* sorted by zone, then name */
	size_t nnodes;
	struct model_group *groups;		/* sorted by name */
	size_t ngroups;
	struct arena mem;			/* what the nodes point into */
	struct arena gmem;			/* what the groups point into */
};

void model_config_init(struct model_config *cfg);

void model_regs_init(struct model_regs *regs);
void model_regs_free(struct model_regs *regs);
size_t model_regs_count(const struct model_regs *regs);
/* Forget r (and free it). */
void model_regs_drop(struct model_regs *regs, struct model_reg *r);
/* How many registrations hold a (or an address hashed alike: regaddr.h). */
uint32_t model_addr_holders(const struct model_regs *regs,
    const struct event_addr *a);
/* Returns 1 if the event changed the registrations, 0 if it was stale (a
 * release that only leaves a record returns 0). */
int model_apply(struct model_regs *regs, const struct event *ev);
/* Drop registrations whose lease ended at or before now, and release
 * records that ended; returns how many registrations. */
size_t model_expire(struct model_regs *regs, int64_t now);

int model_desired(const struct model_regs *regs, const struct model_config *cfg,
    int64_t now, struct model_desired *out, char *err, size_t errlen);
void model_desired_free(struct model_desired *d);
/* Free the nodes only (written; the groups are still to be). */
void model_desired_drop_nodes(struct model_desired *d);
/* Keep the nodes and groups the predicates return 1 for (order kept). */
void model_desired_keep(struct model_desired *d,
    int (*node)(const void *ctx, const struct model_node *n),
    int (*group)(const void *ctx, const struct model_group *g),
    const void *ctx);
/* The group node label of a registration ("<host>-<group>-vm"); -1 if it
 * cannot be formed. */
int model_group_name(const struct model_config *cfg, const struct model_reg *r,
    char out[NAME_LABEL_BUF]);
const char *model_node_kind_name(enum model_node_kind kind);


#endif
