/*
 * capcap.c - vmgroup-capture's I/O: libpcap and the spool (capcap.h).
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "capcap.h"
#include "log.h"
#include "queue.h"
#include "xmem.h"

#define DHCP_FILTER "udp port 67 or udp port 68 or udp port 546 or " \
	"udp port 547"
#define ARP_FILTER " or arp or icmp6"

int
capcap_filter(int arp, char *buf, size_t len)
{
	const char *more = arp ? ARP_FILTER : "";

	return xsnprintf(buf, len, "(%s%s) or (vlan and (%s%s))", DHCP_FILTER,
	    more, DHCP_FILTER, more);
}

/* 0 if iface is up, else -1 with err. */
static int
iface_up(pcap_t *p, const char *iface, char *err, size_t errlen)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (xstrlcpy(ifr.ifr_name, iface, sizeof(ifr.ifr_name)) == -1 ||
	    ioctl(pcap_get_selectable_fd(p), SIOCGIFFLAGS, &ifr) == -1) {
		(void)xsnprintf(err, errlen, "%s: %s", iface, strerror(errno));
		return -1;
	}
	if (!(ifr.ifr_flags & IFF_UP)) {
		(void)xsnprintf(err, errlen, "%s: the interface is down",
		    iface);
		return -1;
	}
	return 0;
}

static int
set_filter(pcap_t *p, int arp, char *err, size_t errlen)
{
	struct bpf_program prog;
	char filter[512];
	int rc;

	if (capcap_filter(arp, filter, sizeof(filter)) == -1 ||
	    pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		(void)xsnprintf(err, errlen, "filter: %s", pcap_geterr(p));
		return -1;
	}
	rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc == -1)
		(void)xsnprintf(err, errlen, "filter: %s", pcap_geterr(p));
	return rc == -1 ? -1 : 0;
}

/* pcap_activate, its error said once.  0 / -1 with err. */
static int
activate(pcap_t *p, const char *iface, char *err, size_t errlen)
{
	const char *why;
	int rc;

	if ((rc = pcap_activate(p)) >= 0)
		return 0;
	why = pcap_geterr(p);
	if (why[0] == '\0' || strcmp(why, pcap_statustostr(rc)) == 0)
		(void)xsnprintf(err, errlen, "%s: %s", iface,
		    pcap_statustostr(rc));
	else
		(void)xsnprintf(err, errlen, "%s: %s (%s)", iface,
		    pcap_statustostr(rc), why);
	return -1;
}

pcap_t *
capcap_open(const char *iface, int arp, char *err, size_t errlen)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;
	int rc = -1;

	if ((p = pcap_create(iface, errbuf)) == NULL) {
		(void)xsnprintf(err, errlen, "%s: %s", iface, errbuf);
		return NULL;
	}
	/* promiscuous: on a bridge, unicast replies of a DHCP server that
	 * is not this host cross to the VM without reaching br0 otherwise */
	if (pcap_set_snaplen(p, CAPCAP_SNAPLEN) != 0 ||
	    pcap_set_promisc(p, 1) != 0 || pcap_set_immediate_mode(p, 1) != 0) {
		(void)xsnprintf(err, errlen, "%s: cannot set up", iface);
		goto out;
	}
	if (activate(p, iface, err, errlen) == -1)
		goto out;
	if (pcap_datalink(p) != DLT_EN10MB) {
		(void)xsnprintf(err, errlen, "%s: not an Ethernet interface",
		    iface);
		goto out;
	}
	if (set_filter(p, arp, err, errlen) == -1 ||
	    iface_up(p, iface, err, errlen) == -1)
		goto out;
	if (pcap_setnonblock(p, 1, errbuf) == -1) {
		(void)xsnprintf(err, errlen, "%s: %s", iface, errbuf);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1) {
		pcap_close(p);
		p = NULL;
	}
	return p;
}

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct capctx *c = (struct capctx *)(void *)user;

	capcap_packet(c, data, h->caplen, h->ts.tv_sec);
}

int
capcap_dispatch(struct capctx *c, pcap_t *p, int revents)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	/* The interface went down (or away): the socket holds ENETDOWN
	 * until read, even if it is up again by now.  Opened again, the
	 * capture says "listening on" once more.  Any other poll error the
	 * same way: never a loop on an fd that stays in error. */
	if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
		if (getsockopt(pcap_get_selectable_fd(p), SOL_SOCKET, SO_ERROR,
		    &soerr, &len) == -1)
			soerr = errno;
		log_warnx("capture on %s: %s", c->iface, soerr != 0 ?
		    strerror(soerr) : "poll error");
		return -1;
	}
	if (pcap_dispatch(p, -1, on_packet, (u_char *)c) == PCAP_ERROR) {
		log_warnx("capture on %s: %s", c->iface, pcap_geterr(p));
		return -1;
	}
	return 0;
}

/* "A,B" (or "-") into buf. */
static void
addr_list(const struct event_addr *a, size_t n, char *buf, size_t len)
{
	char one[64];
	size_t i;

	(void)xstrlcpy(buf, n == 0 ? "-" : "", len);
	for (i = 0; i < n; i++)
		if (event_addr_format(&a[i], one, sizeof(one)) == 0)
			(void)(xstrlcat(buf, i ? "," : "", len) |
			    xstrlcat(buf, one, len));
}

static void
queue_one(struct capctx *c, const struct event *ev)
{
	char name[SPOOL_NAME_BUF], err[512], list[EVENT_MAX_ADDRS * 48];
	char mac[CAPMAP_MAC_BUF];
	struct capstate_entry *e;

	if (ev->op == EVENT_OP_RELEASE)
		addr_list(c->out.gone, c->out.ngone, list, sizeof(list));
	else
		addr_list(ev->addrs, ev->naddrs, list, sizeof(list));
	capmap_format_mac(ev->mac, mac);
	if (queue_event(c->spool, ev, name, sizeof(name), err,
	    sizeof(err)) == -1) {
		log_warnx("%s %s not queued: %s", event_op_name(ev->op),
		    ev->vm, err);
		/* sent again, as a register, at the next packet of it */
		if ((e = capstate_get(&c->lease.st, ev->mac, 0)) != NULL) {
			e->nsent = 0;
			e->sent_expires = 0;
		}
		return;
	}
	log_info("queued %s %s addresses %s (%s) from %s",
	    event_op_name(ev->op), ev->vm, list, mac, c->out.what);
}

void
capcap_packet(struct capctx *c, const uint8_t *data, size_t caplen,
    int64_t t)
{
	size_t i;

	if (caplease_packet(&c->lease, data, caplen, t, &c->out) == 0 &&
	    !c->lease.st.dirty)
		return;
	for (i = 0; i < c->out.n; i++)
		queue_one(c, &c->out.ev[i]);
	if (c->out.n > 0)
		capstate_prune(&c->lease.st, t, CAPSTATE_IDLE);
	(void)capcap_save(c);
}

int
capcap_save(struct capctx *c)
{
	char err[512];

	if (!c->lease.st.dirty)
		return 0;
	if (capstate_save(&c->lease.st, c->statefile, err,
	    sizeof(err)) == -1) {
		log_warnx("lease table %s: %s", c->statefile, err);
		return -1;
	}
	c->lease.st.dirty = 0;
	return 0;
}
