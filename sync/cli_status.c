/*
 * cli_status.c - vmgroup status: what vmgroupd owns, read back from the
 * directory with the daemon's configuration and credentials; with --json
 * as one document (doc/json.md, "vmgroup.status/1").
 */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "dn.h"
#include "dnsrec.h"
#include "krb.h"
#include "own.h"
#include "status.h"
#include "vmgroup_cli.h"
#include "xmem.h"

static void
status_usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroup status [-f FILE] [--json]\n"
"Connects like vmgroupd (same configuration, keytab and SASL GSSAPI) and\n"
"prints every DNS node and vmGroup object vmgroupd owns, as the directory\n"
"holds them now, after what vmgroupd's last pass could not publish (a VM\n"
"or group name, or a node, held by someone else).\n"
"  -f, --config FILE   vmgroupd's configuration (default " CONF_DEFAULT_PATH ")\n"
"      --json          one JSON document (schema vmgroup.status/1, doc/json.md)\n"
"  -h, --help          this text\n");
}

/* One record of a node for --json: {name, type, data, ttl, serial}, the
 * type and data as dnsrec_format shows them ("A" "192.0.2.10"); a value
 * that is no valid dnsRecord has type, data, ttl and serial null. */
static json_object *
status_record_json(const char *name, const struct dir_value *v)
{
	json_object *o = json_object_new_object();
	struct dnsrec r;
	char text[700], *sp = NULL;
	int ok;

	ok = dnsrec_decode(v->val, v->len, &r) == 0 &&
	    dnsrec_format(&r, text, sizeof(text)) == 0 &&
	    (sp = strchr(text, ' ')) != NULL;
	if (ok)
		*sp = '\0';
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "type", ok ? json_object_new_string(text) :
	    NULL);
	json_object_object_add(o, "data", ok ? json_object_new_string(sp + 1) :
	    NULL);
	json_object_object_add(o, "ttl", ok ? json_object_new_int64(r.ttl) :
	    NULL);
	json_object_object_add(o, "serial", ok ?
	    json_object_new_int64(r.serial) : NULL);
	return o;
}

/* A node's state for --json, or NULL if it could not be read. */
static json_object *
status_node_obj(const char *name, const char *state, const char *err)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "state", json_object_new_string(state));
	json_object_object_add(o, "error", err != NULL ?	/* server text */
	    cli_json_text((const uint8_t *)err, strlen(err)) : NULL);
	return o;
}

/* One node, printed, or (arr not NULL) added to arr as a JSON object. */
static void
status_node(struct dir *d, const char *dn, json_object *arr)
{
	struct dir_node n;
	struct dnsrec r;
	char err[512], name[NAME_FQDN_BUF + 2], text[700];
	json_object *o, *recs;
	size_t i;

	if (dn_node_fqdn(dn, name, sizeof(name)) == -1)
		(void)xstrlcpy(name, dn, sizeof(name));
	if (dir_node_read(d, dn, &n, err, sizeof(err)) == -1) {
		if (arr != NULL)
			json_object_array_add(arr, status_node_obj(name,
			    "unreadable", err));
		else
			printf("%s\n  (cannot read: %s)\n", name, err);
		return;
	}
	if (arr != NULL) {
		o = status_node_obj(name, !n.exists ? "gone" : n.tombstoned ?
		    "tombstoned" : "present", NULL);
		recs = json_object_new_array();
		for (i = 0; i < n.nvalues; i++)
			json_object_array_add(recs,
			    status_record_json(name, &n.values[i]));
		json_object_object_add(o, "records", recs);
		json_object_array_add(arr, o);
		dir_node_free(&n);
		return;
	}
	printf("%s%s\n", name, !n.exists ? "  (gone)" :
	    n.tombstoned ? "  (tombstoned)" : "");
	for (i = 0; i < n.nvalues; i++) {
		if (dnsrec_decode(n.values[i].val, n.values[i].len, &r) == -1 ||
		    dnsrec_format(&r, text, sizeof(text)) == -1) {
			printf("  (a value that is no valid dnsRecord)\n");
			continue;
		}
		printf("  %s  ttl %u serial %u\n", text, r.ttl, r.serial);
	}
	dir_node_free(&n);
}

/* A group object that is not there (state "gone") or could not be read
 * ("unreadable", err): every key of a group object, empty. */
static json_object *
status_group_missing(const char *cn, const char *state, const char *err)
{
	struct dir_entry none;
	json_object *g;

	memset(&none, 0, sizeof(none));
	g = cli_group_json(&none);
	json_object_object_add(g, "name", json_object_new_string(cn));
	json_object_object_add(g, "state", json_object_new_string(state));
	json_object_object_add(g, "error", err != NULL ?	/* server text */
	    cli_json_text((const uint8_t *)err, strlen(err)) : NULL);
	return g;
}

/* One group object, printed, or (arr not NULL) added to arr. */
static void
status_group(struct dir *d, const char *dn, json_object *arr)
{
	char err[512], cn[256];
	struct dir_entry e;
	json_object *g;
	int rc;

	if (dn_first_value(dn, cn, sizeof(cn)) == -1)
		(void)xstrlcpy(cn, dn, sizeof(cn));
	rc = dir_entry_read(d, dn, cli_group_attrs, &e, err, sizeof(err));
	if (arr != NULL) {
		if (rc == -1 || !e.exists)
			g = status_group_missing(cn, rc == -1 ? "unreadable" :
			    "gone", rc == -1 ? err : NULL);
		else {
			g = cli_group_json(&e);
			json_object_object_add(g, "state",
			    json_object_new_string("present"));
			json_object_object_add(g, "error", NULL);
		}
		json_object_array_add(arr, g);
	} else if (rc == -1)
		printf("group %s\n  (cannot read: %s)\n", cn, err);
	else if (!e.exists)
		printf("group %s  (gone)\n", cn);
	else
		cli_print_group(&e);
	dir_entry_free(&e);
}

/* The head of --json's document: schema, host, zone, directory and the
 * last pass's report (null when there is none). */
static json_object *
status_head_json(const struct conf *c, struct dir *d, const char *report)
{
	json_object *doc = json_object_new_object();
	char err[512];

	json_object_object_add(doc, "schema",
	    json_object_new_string("vmgroup.status/1"));
	json_object_object_add(doc, "host",
	    json_object_new_string(c->model.host));
	json_object_object_add(doc, "zone",
	    json_object_new_string(c->model.zone));
	json_object_object_add(doc, "directory",
	    json_object_new_string(dir_uri(d)));
	json_object_object_add(doc, "last_pass", report == NULL ? NULL :
	    status_json(report, err, sizeof(err)));
	return doc;
}

/* What the ownership record lists of kind, each read back: printed, or
 * as the array key of doc. */
static void
status_owned(struct dir *d, struct own *own, enum own_kind kind,
    json_object *doc, const char *key)
{
	json_object *arr = doc != NULL ? json_object_new_array() : NULL;
	const char **dns;
	size_t i, n;

	dns = own_list(own, kind, &n);
	for (i = 0; i < n; i++)
		if (kind == OWN_GROUP)
			status_group(d, dns[i], arr);
		else
			status_node(d, dns[i], arr);
	free(dns);
	if (doc != NULL)
		json_object_object_add(doc, key, arr);
}

static int
status_show(const struct conf *c, int json)
{
	struct dir_params dp;
	struct krb krb;
	struct dir d;
	struct own own;
	char err[512], path[PATH_MAX];
	json_object *doc = NULL;
	int rc = CLI_FAIL, havepath;

	if (conf_state_path(c, CONF_STATE_OWNED, path, sizeof(path)) == -1) {
		fprintf(stderr, "vmgroup status: state folder path too long\n");
		return CLI_FAIL;
	}
	if (own_load(&own, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup status: %s\n", err);
		return CLI_FAIL;
	}
	memset(&krb, 0, sizeof(krb));
	if (cli_dir_open(c, &krb, &d, &dp, "status") == -1)
		goto out;
	havepath = conf_state_path(c, CONF_STATE_STATUS, path,
	    sizeof(path)) == 0;
	if (json)
		doc = status_head_json(c, &d, havepath ? path : NULL);
	else {
		printf("# host %s, zone %s, directory %s\n", c->model.host,
		    c->model.zone, dir_uri(&d));
		if (!havepath)
			printf("# state folder path too long\n");
		else if (status_print(path, stdout, err, sizeof(err)) == -1)
			printf("# %s\n", err);
	}
	status_owned(&d, &own, OWN_GROUP, doc, "groups");
	status_owned(&d, &own, OWN_NODE, doc, "nodes");
	dir_close(&d);
	rc = doc != NULL && cli_json_print(doc) == -1 ? CLI_FAIL : CLI_OK;
out:
	krb_free(&krb);
	own_free(&own);
	return rc;
}

int
cli_status(int argc, char *argv[])
{
	const char *path = CONF_DEFAULT_PATH;
	enum cli_parsed p;
	struct conf c;
	int first, json;

	p = cli_config_opt(argc, argv, &path, &json, &first);
	if (p == CLI_PARSED_RUN && first != argc)
		p = CLI_PARSED_USAGE;
	if (p != CLI_PARSED_RUN)
		return cli_parsed_exit(p, status_usage);
	if (cli_conf(path, &c, "status") == -1)
		return CLI_FAIL;
	return status_show(&c, json);
}
