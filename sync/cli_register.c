/*
 * cli_register.c - vmgroup register / release: queue an event in the spool.
 *
 * The options are assembled into an event document and handed to
 * event_parse(), so the command line gets exactly the checks a hook's file
 * gets; the canonical form is then written atomically into the spool.
 */
#include "config.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_common.h"
#include "log.h"
#include "name.h"
#include "queue.h"
#include "vmgroup_cli.h"
#include "xmem.h"

static void
register_usage(FILE *fp, enum event_op op)
{
	fprintf(fp,
"usage: vmgroup %s -H HOST -n VM [-a ADDRESS]... [options]\n"
"  -s, --spool DIR      spool folder (default " SPOOL_DEFAULT ",\n"
"                       or the spool of --config)\n"
"  -f, --config FILE    check the addresses against FILE's [daemon]\n"
"                       networks as vmgroupd will (vmgroupd.conf)\n"
"  -H, --host NAME      hypervisor host name (a DNS label)\n"
"  -n, --vm NAME        VM name (a DNS label)\n"
"  -i, --image NAME     OS image the VM runs (a DNS label; the group key)\n"
"  -a, --address ADDR   an IPv4 or IPv6 address of the VM (repeatable)\n"
"  -m, --mac MAC        the VM's MAC address (52:54:00:12:34:56)\n"
"  -S, --source SRC     dhcp, static, pcap or libvirt (default static)\n"
"  -l, --lease SECONDS  lease length from --time\n"
"  -e, --expires TIME   lease end, unix seconds\n"
"  -t, --time TIME      when it happened, unix seconds (default now)\n"
"  -h, --help           this text\n",
	    event_op_name(op));
}

static int
register_int(json_object *doc, const char *key, const char *val)
{
	int64_t v;

	if (cli_parse_i64(val, 0, INT64_MAX, &v) == -1) {
		fprintf(stderr, "vmgroup: --%s wants a whole number of seconds\n",
		    key);
		return -1;
	}
	json_object_object_add(doc, key, json_object_new_int64(v));
	return 0;
}

/* Values that JSON would have to escape never make a valid event: say so
 * here, since the parser would only see the escape. */
static int
register_plain(const char *key, const char *val)
{
	char q[200];
	size_t i;

	for (i = 0; val[i] != '\0'; i++) {
		if ((unsigned char)val[i] < 0x20 || val[i] == '"' ||
		    val[i] == '\\' || val[i] == 0x7f) {
			name_quote(val, q, sizeof(q));
			fprintf(stderr, "vmgroup: refused: field \"%s\": \"%s\": "
			    "control characters, quotes and backslashes are not "
			    "allowed\n", key, q);
			return -1;
		}
	}
	return 0;
}

static void
register_str(json_object *doc, const char *key, const char *val)
{
	json_object_object_add(doc, key, json_object_new_string(val));
}

static const struct option register_opts[] = {
	{ "spool", required_argument, NULL, 's' },
	{ "config", required_argument, NULL, 'f' },
	{ "host", required_argument, NULL, 'H' },
	{ "vm", required_argument, NULL, 'n' },
	{ "image", required_argument, NULL, 'i' },
	{ "address", required_argument, NULL, 'a' },
	{ "mac", required_argument, NULL, 'm' },
	{ "source", required_argument, NULL, 'S' },
	{ "lease", required_argument, NULL, 'l' },
	{ "expires", required_argument, NULL, 'e' },
	{ "time", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const char *
register_key(int ch)
{
	switch (ch) {
	case 'H': return "host";
	case 'n': return "vm";
	case 'i': return "image";
	case 'a': return "addresses";
	case 'm': return "mac";
	case 'S': return "source";
	case 'l': return "lease";
	case 'e': return "expires";
	default: return "time";
	}
}

/* Where the event goes, and the configuration it is checked against. */
struct register_dest {
	const char *spool;		/* NULL: the default */
	const char *config;		/* NULL: none read */
};

/* Options -> doc. */
static enum cli_parsed
register_options(int argc, char *argv[], json_object *doc,
    json_object *addrs, struct register_dest *dest)
{
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:f:H:n:i:a:m:S:l:e:t:h",
	    register_opts, NULL)) != -1) {
		if (ch != 's' && ch != 'f' && ch != 'h' && optarg != NULL &&
		    register_plain(register_key(ch), optarg) == -1)
			return CLI_PARSED_REFUSED;
		switch (ch) {
		case 's':
			dest->spool = optarg;
			break;
		case 'f':
			dest->config = optarg;
			break;
		case 'H':
			register_str(doc, "host", optarg);
			break;
		case 'n':
			register_str(doc, "vm", optarg);
			break;
		case 'i':
			register_str(doc, "image", optarg);
			break;
		case 'a':
			json_object_array_add(addrs,
			    json_object_new_string(optarg));
			break;
		case 'm':
			register_str(doc, "mac", optarg);
			break;
		case 'S':
			register_str(doc, "source", optarg);
			break;
		case 'l':
		case 'e':
		case 't':
			if (register_int(doc, ch == 'l' ? "lease" :
			    ch == 'e' ? "expires" : "time", optarg) == -1)
				return CLI_PARSED_USAGE;
			break;
		case 'h':
			return CLI_PARSED_HELP;
		default:
			return CLI_PARSED_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "vmgroup: unexpected argument\n");
		return CLI_PARSED_USAGE;
	}
	return CLI_PARSED_RUN;
}

static json_object *
register_doc(enum event_op op, json_object **addrs)
{
	json_object *doc = json_object_new_object();

	json_object_object_add(doc, "version", json_object_new_int(1));
	register_str(doc, "op", event_op_name(op));
	register_str(doc, "source", "static");
	json_object_object_add(doc, "time",
	    json_object_new_int64((int64_t)time(NULL)));
	*addrs = json_object_new_array();
	json_object_object_add(doc, "addresses", *addrs);
	return doc;
}

/* Validate through event_parse (and the allow-list of the configuration,
 * if one was given), then queue the canonical form. */
static int
register_queue(const struct register_dest *dest, json_object *doc)
{
	struct event ev;
	struct conf c;
	char err[512], name[SPOOL_NAME_BUF];
	const char *js, *spool = dest->spool;

	if (dest->config != NULL && cli_conf(dest->config, &c,
	    "register") == -1)
		return CLI_FAIL;
	if (spool == NULL)
		spool = dest->config != NULL ? c.spool : SPOOL_DEFAULT;
	js = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (event_parse(js, strlen(js), &ev, err, sizeof(err)) == -1 ||
	    (dest->config != NULL && conf_event_allowed(&c, &ev, err,
	    sizeof(err)) == -1)) {
		fprintf(stderr, "vmgroup: refused: %s\n", err);
		return CLI_FAIL;
	}
	if (queue_event(spool, &ev, name, sizeof(name), err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup: %s\n", err);
		return CLI_FAIL;
	}
	printf("%s\n", name);
	return CLI_OK;
}

int
cli_register(int argc, char *argv[], enum event_op op)
{
	struct register_dest dest = { NULL, NULL };
	json_object *doc, *addrs;
	enum cli_parsed p;
	int rc;

	doc = register_doc(op, &addrs);
	p = register_options(argc, argv, doc, addrs, &dest);
	if (p == CLI_PARSED_RUN)
		rc = register_queue(&dest, doc);
	else if (p == CLI_PARSED_REFUSED)
		rc = CLI_FAIL;
	else {
		register_usage(p == CLI_PARSED_HELP ? stdout : stderr, op);
		rc = p == CLI_PARSED_HELP ? CLI_OK : CLI_USAGE;
	}
	json_object_put(doc);
	return rc;
}
