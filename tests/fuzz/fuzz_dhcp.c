/*
 * fuzz_dhcp.c - libFuzzer target: any bytes into vmgroup-capture's decoder
 * and its decisions.  The input is one frame for capdhcp_decode, and also
 * a run of frames (a 2-byte length before each) through caplease_packet,
 * one second apart, over one lease table.  A decoded message stays inside
 * its bounds; every event the table asks for must be valid (it writes out
 * canonically and parses back to the same event).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caplease.h"
#include "log.h"

#define T0 1764000000
#define MAX_FRAMES 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_event(const struct event *ev)
{
	char out[EVENT_MAX_BYTES], err[256];
	struct event back;

	if (event_to_json(ev, out, sizeof(out)) != 0 ||
	    event_parse(out, strlen(out), &back, err, sizeof(err)) != 0 ||
	    !event_equal(ev, &back))
		abort();
}

static void
check_msg(const struct capdhcp_msg *m)
{
	if (m->naddrs > CAPDHCP_MAX_ADDRS || m->namelen > CAPDHCP_NAME_MAX ||
	    m->name[m->namelen] != '\0' || m->idlen > CAPDHCP_ID_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct capmap map;
	static struct caplease cl;
	static struct caplease_out out;
	static int quiet;
	size_t off = 0, len, i, frames = 0;

	if (!quiet) {
		log_init(0, "fuzz_dhcp");	/* warnings to syslog, not here */
		quiet = 1;
	}
	if (capdhcp_decode(data, size, &cl.msg) == 0)
		check_msg(&cl.msg);
	caplease_init(&cl, "hv1", &map, 1);
	while (size - off >= 2 && frames++ < MAX_FRAMES) {
		len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		caplease_packet(&cl, data + off, len, T0 + (int64_t)frames,
		    &out);
		for (i = 0; i < out.n; i++)
			check_event(&out.ev[i]);
		off += len;
	}
	caplease_free(&cl);
	return 0;
}
