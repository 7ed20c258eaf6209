/* SPDX-License-Identifier: GPL-2.0-or-later */
/* segments-load: loads the crash kernel the way Loader=segments does, without the daemon.
 * For the VM tests and for trying the loader by hand in a guest:
 *
 *   segments-load [--serial] [--corrupt] [--reload N [--interval SEC]] [--max-phdrs N] KERNEL [INITRD] CMDLINE
 *
 * Reads the topology of the running machine, builds the elfcorehdr, loads kernel, initrd,
 * boot parameters, purgatory and header with kexec_load, then (--reload N) loads N more
 * times with a freshly built header, as the daemon does after a hotplug (--interval: SEC
 * seconds apart, time to hot-plug something), printing the time inside the syscall each time. --serial makes the purgatory report on ttyS0; --corrupt
 * makes it refuse to boot (the digest it expects is wrong). Paths are of the guest. */
#include <getopt.h>
#include <inttypes.h>

#include "config.h"
#include "elfcorehdr.h"
#include "loader-segments.h"
#include "topology.h"

static int fail(const char *what, int r, const Diag *d)
{
	char buf[1024];

	fprintf(stderr, "segments-load: %s: %s%s%s\n", what, strerror(-r), d ? ": " : "",
		d ? diag_format(d, buf, sizeof(buf)) : "");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "serial", no_argument, NULL, 's' },
		{ "corrupt", no_argument, NULL, 'c' },
		{ "reload", required_argument, NULL, 'r' },
		{ "max-phdrs", required_argument, NULL, 'm' },
		{ "interval", required_argument, NULL, 'i' },
		{},
	};
	SegmentsOptions so = {};
	unsigned reloads = 0, max_phdrs = 0, interval = 0;
	_cleanup_(topology_freep) Topology *t = NULL;
	_cleanup_(freep) uint8_t *hdr = NULL;
	Config c;
	Loader *l = NULL;
	SegmentsStats st;
	LoadResult res;
	LoadRequest req;
	size_t cap, used;
	Diag d = {};
	int opt, r, rc = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
		switch (opt) {
		case 's':
			so.serial_port = 0x3f8;
			break;
		case 'c':
			so.corrupt_digest = true;
			break;
		case 'r':
			reloads = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			max_phdrs = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			interval = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (argc - optind < 2 || argc - optind > 3) {
		fprintf(stderr, "usage: segments-load [--serial] [--corrupt] [--reload N [--interval SEC]] [--max-phdrs N] "
				"KERNEL [INITRD] CMDLINE\n");
		return 2;
	}

	config_init(&c);
	c.max_phdrs = max_phdrs;
	c.kernel = strdup(argv[optind]);
	c.initrd = argc - optind == 3 ? strdup(argv[optind + 1]) : NULL;
	c.command_line = strdup(argv[argc - 1]);

	r = topology_read("/", &t, &d);
	if (r < 0)
		return fail("topology", r, &d);
	max_phdrs = config_max_phdrs(&c, t->n_possible);
	cap = elfcorehdr_capacity(max_phdrs);
	hdr = malloc(cap);
	if (!hdr)
		return fail("header", -ENOMEM, NULL);
	r = elfcorehdr_build(t, max_phdrs, hdr, cap, &used);
	if (r != 0)
		return fail("elfcorehdr", r > 0 ? -ENOSPC : r, NULL);

	r = loader_segments_new_with("/", &c, &kexec_ops_real, &so, &l);
	if (r < 0) {
		char why[512] = "";

		(void)loader_vtable_for(LOADER_SEGMENTS)->probe("/", &c, why, sizeof(why));
		fprintf(stderr, "segments-load: loader: %s (%s)\n", strerror(-r), why);
		return 1;
	}
	for (unsigned i = 0; i <= reloads; i++) {
		if (i > 0) {
			if (interval)
				sleep(interval);
			/* What the daemon does after a hotplug: a new snapshot, a new header. */
			topology_free(TAKE_PTR(t));
			r = topology_read("/", &t, &d);
			if (r < 0) {
				rc = fail("topology", r, &d);
				break;
			}
			r = elfcorehdr_build(t, max_phdrs, hdr, cap, &used);
			if (r != 0) {
				rc = fail("elfcorehdr", r > 0 ? -ENOSPC : r, NULL);
				break;
			}
		}
		req = (LoadRequest){ .topology = t, .header = hdr, .header_used = used, .header_capacity = cap,
				     .reason = i ? "reload" : "initial load" };
		res = (LoadResult){};
		r = l->vtable->load(l, &req, &res);
		(void)loader_segments_stats(l, &st);
		printf("SEGMENTS-LOAD %u r=%d syscall_usec=%" PRIu64 " total_usec=%" PRIu64 " hashed=%" PRIu64
		       " header=0x%" PRIx64 " entry=0x%" PRIx64 " phdrs=%zu: %s\n",
		       i, r, res.syscall_usec, res.total_usec, st.hashed_last, st.header_addr, st.entry,
		       (used - 64) / 56, res.detail);
		fflush(stdout);
		if (r < 0) {
			rc = 1;
			break;
		}
	}
	l->vtable->free(l);
	config_done(&c);
	return rc;
}
