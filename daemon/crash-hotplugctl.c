/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crash-hotplugctl: look at what crash-hotplugd sees and would load, check a machine, and talk
 * to the running daemon. A thin tool over lib/: every decision it shows is the library's. */
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <inttypes.h>
#include <libelf.h>
#include <signal.h>
#include <time.h>

#include "ctl-status.h"
#include "ctl.h"
#include "elfcorehdr.h"
#include "topology.h"

#ifndef CTL_VERSION
#define CTL_VERSION "unknown"
#endif
#define DEFAULT_RUNTIME_DIR "/run/crash-hotplugd"
#define DAEMON_NAME "crash-hotplugd"

static void help(void)
{
	printf("Usage: crash-hotplugctl [OPTIONS] COMMAND\n"
	       "\n"
	       "Inspect and control crash-hotplugd, the daemon that keeps the kdump crash kernel's ELF\n"
	       "core header right across CPU and memory hotplug.\n"
	       "\n"
	       "Commands:\n"
	       "  show     Read the topology (CPUs, RAM ranges, VMCOREINFO, kernel text) and show the\n"
	       "           ELF core header that would be built for it: counts, capacity used and every\n"
	       "           program header.\n"
	       "  header   Build that header and write exactly the fixed-capacity buffer the daemon\n"
	       "           would load (ELF data, then zeros up to the capacity) to the file named by\n"
	       "           --output; \"-o -\" writes to standard output.\n"
	       "  check    Validate the configuration, then probe the system: kexec available, crash\n"
	       "           memory reserved, a crash kernel loaded, lockdown, the kernel's own\n"
	       "           crash_hotplug support, header capacity, and distribution udev rules that\n"
	       "           would reload over the daemon. Every problem comes with its fix. Reads\n"
	       "           files only; never calls kexec.\n"
	       "  status   Show what the running daemon publishes in RUNTIME-DIR/status.json.\n"
	       "  reload   Ask the running daemon to re-read its configuration and re-check the\n"
	       "           topology (SIGHUP to the pid in status.json, once it is known to be\n"
	       "           crash-hotplugd). A bad configuration is refused and the old one kept.\n"
	       "\n"
	       "Options:\n"
	       "  -r, --root=DIR          Read /proc, /sys and /etc under DIR instead of /\n"
	       "                          (show, header, check)\n"
	       "  -c, --config=FILE       Read FILE instead of /etc/crash-hotplugd.conf; the\n"
	       "                          crash-hotplugd.conf.d drop-ins under the root still apply\n"
	       "                          (show, header, check)\n"
	       "  -o, --output=FILE       Where header writes its buffer (header; required)\n"
	       "      --runtime-dir=DIR   Where the daemon publishes status.json\n"
	       "                          (default " DEFAULT_RUNTIME_DIR "; status, reload)\n"
	       "      --json              Machine-readable output (show, status)\n"
	       "  -h, --help              Show this help\n"
	       "      --version           Show the version\n"
	       "\n"
	       "Exit status:\n"
	       "  0  Success; for check, nothing keeps the daemon from protecting this machine.\n"
	       "  1  The operation failed: unreadable system files, I/O error, signal refused.\n"
	       "  2  Bad command line.\n"
	       "  3  Invalid configuration (file, line and reason are printed).\n"
	       "  4  show, header: the topology needs more program headers than MaxPhdrs.\n"
	       "  5  check: at least one problem (the lines marked FAIL, each with its fix).\n"
	       "  6  status, reload: crash-hotplugd is not running.\n"
	       "\n"
	       "Files:\n"
	       "  /etc/crash-hotplugd.conf\n"
	       "  {/etc,/run,/usr/local/lib,/usr/lib}/crash-hotplugd.conf.d/*.conf\n"
	       "  " DEFAULT_RUNTIME_DIR "/status.json\n"
	       "\n"
	       "See crash-hotplugctl(8), crash-hotplugd(8) and crash-hotplugd.conf(5).\n");
}

const char *ctl_format_bytes(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned u = 0;
	double v = (double)bytes;

	while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v >= 100 || v == (double)(uint64_t)v)
		snprintf(buf, size, "%.0f %s", v, units[u]);
	else
		snprintf(buf, size, "%.1f %s", v, units[u]);
	return buf;
}

static void print_warning(void *userdata, const char *file, unsigned line, const char *msg)
{
	fprintf(stderr, "warning: %s:%u: %s\n", file, line, msg);
}

int ctl_load_config(const CtlArgs *a, Config **ret)
{
	Diag d = {};
	char msg[sizeof(d.file) + sizeof(d.reason) + 16];
	int r = config_load(a->root, a->config, print_warning, NULL, ret, &d);

	if (r < 0) {
		fprintf(stderr, "error: %s\n", diag_format(&d, msg, sizeof(msg)));
		return CTL_EXIT_CONFIG;
	}
	return CTL_EXIT_OK;
}

/* ---- show, header --------------------------------------------------------------------- */

typedef struct Snapshot {
	Config *config;
	Topology *topology;
	unsigned max_phdrs;
	size_t needed, capacity, used;
	void *header;     /* capacity bytes, NULL when over capacity */
	ElfcorehdrInfo info;
} Snapshot;

static void snapshot_done(Snapshot *s)
{
	config_free(s->config);
	topology_free(s->topology);
	free(s->header);
}

/* Config, topology and header as the daemon would make them: an exit code. */
static int snapshot_take(const CtlArgs *a, Snapshot *s)
{
	Diag d = {};
	char msg[sizeof(d.file) + sizeof(d.reason) + 16], reason[256];
	int r;

	r = ctl_load_config(a, &s->config);
	if (r != CTL_EXIT_OK)
		return r;
	r = topology_read(a->root, &s->topology, &d);
	if (r < 0) {
		fprintf(stderr, "error: cannot read the topology: %s\n", diag_format(&d, msg, sizeof(msg)));
		if (r == -EACCES || r == -EPERM)
			fprintf(stderr, "hint: /proc/iomem addresses and cpuN/crash_notes are readable by root only\n");
		return CTL_EXIT_FAILURE;
	}
	s->max_phdrs = config_max_phdrs(s->config, s->topology->n_possible);
	s->needed = elfcorehdr_phdrs_needed(s->topology);
	s->capacity = elfcorehdr_capacity(s->max_phdrs);
	s->header = malloc(s->capacity);
	if (!s->header) {
		fprintf(stderr, "error: out of memory\n");
		return CTL_EXIT_FAILURE;
	}
	r = elfcorehdr_build(s->topology, s->max_phdrs, s->header, s->capacity, &s->used);
	if (r == ELFCOREHDR_OVER_CAPACITY) {
		free(s->header);
		s->header = NULL;
		return CTL_EXIT_OVER_CAPACITY;
	}
	if (r < 0) {
		fprintf(stderr, "error: building the header: %s\n", strerror(-r));
		return CTL_EXIT_FAILURE;
	}
	/* What the daemon would refuse to load, this tool refuses to call a header. */
	if (elfcorehdr_validate(s->header, s->capacity, &s->info, reason, sizeof(reason)) < 0) {
		fprintf(stderr, "error: the header built from this topology is not valid: %s\n", reason);
		return CTL_EXIT_FAILURE;
	}
	return CTL_EXIT_OK;
}

/* What phdr i describes, from its place in the kernel's order. */
static void phdr_role(const Topology *t, size_t i, const GElf_Phdr *ph, char *buf, size_t size)
{
	char sz[32];

	if (i < t->n_cpus)
		snprintf(buf, size, "cpu %u notes", t->cpus[i].cpu);
	else if (i == t->n_cpus)
		snprintf(buf, size, "VMCOREINFO");
	else if (i == t->n_cpus + 1)
		snprintf(buf, size, "kernel text");
	else
		snprintf(buf, size, "RAM %s", ctl_format_bytes(ph->p_memsz, sz, sizeof(sz)));
}

static const char *flags_string(uint32_t f, char buf[4])
{
	buf[0] = f & PF_R ? 'R' : '-';
	buf[1] = f & PF_W ? 'W' : '-';
	buf[2] = f & PF_X ? 'X' : '-';
	buf[3] = '\0';
	return buf;
}

static void elf_endp(Elf **e)
{
	if (*e)
		elf_end(*e);
}

static int print_phdrs(const Snapshot *s, bool json)
{
	_cleanup_(elf_endp) Elf *e = NULL;

	/* Read back through libelf: the listing shows the bytes, not what we meant to write. */
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EIO;
	e = elf_memory(s->header, s->used);
	if (!e)
		return -EIO;
	for (size_t i = 0; i < s->info.n_phdrs; i++) {
		GElf_Phdr ph;
		char role[64], fl[4];

		if (!gelf_getphdr(e, (int)i, &ph))
			return -EIO;
		phdr_role(s->topology, i, &ph, role, sizeof(role));
		if (json)
			printf("%s{\"type\":\"%s\",\"offset\":\"0x%" PRIx64 "\",\"vaddr\":\"0x%" PRIx64 "\",\"paddr\":\"0x%" PRIx64
			       "\",\"filesz\":%" PRIu64 ",\"memsz\":%" PRIu64 ",\"flags\":\"%s\",\"what\":\"%s\"}",
			       i ? "," : "", ph.p_type == PT_NOTE ? "NOTE" : "LOAD", ph.p_offset, ph.p_vaddr, ph.p_paddr,
			       ph.p_filesz, ph.p_memsz, flags_string(ph.p_flags, fl), role);
		else
			printf("  %5zu  %-4s  0x%016" PRIx64 "  0x%016" PRIx64 "  0x%-12" PRIx64 "  %s  %s\n", i,
			       ph.p_type == PT_NOTE ? "NOTE" : "LOAD", ph.p_paddr, ph.p_vaddr, ph.p_memsz,
			       flags_string(ph.p_flags, fl), role);
	}
	return 0;
}

static void print_topology_json(const Topology *t)
{
	printf("{\"cpus_possible\":%u,\"cpus_present\":%zu,\"cpus_online\":%u,\"cpus\":[", t->n_possible, t->n_cpus,
	       t->n_online);
	for (size_t i = 0; i < t->n_cpus; i++)
		printf("%s{\"cpu\":%u,\"notes\":\"0x%" PRIx64 "\",\"size\":%" PRIu64 "}", i ? "," : "", t->cpus[i].cpu,
		       t->cpus[i].addr, t->cpus[i].size);
	printf("],\"ram_ranges\":%zu,\"ram_bytes\":%" PRIu64 ",\"ram\":[", t->n_ram, topology_ram_bytes(t));
	for (size_t i = 0; i < t->n_ram; i++)
		printf("%s{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\",\"bytes\":%" PRIu64 "}", i ? "," : "",
		       t->ram[i].start, t->ram[i].end, t->ram[i].end - t->ram[i].start + 1);
	printf("],\"crash_regions\":[");
	for (size_t i = 0; i < t->n_crash; i++)
		printf("%s{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\"}", i ? "," : "", t->crash[i].start,
		       t->crash[i].end);
	printf("],\"vmcoreinfo\":{\"addr\":\"0x%" PRIx64 "\",\"size\":%" PRIu64 "},\"page_offset\":\"0x%" PRIx64
	       "\",\"kernel_text\":{\"vaddr\":\"0x%" PRIx64 "\",\"paddr\":\"0x%" PRIx64 "\",\"size\":%" PRIu64
	       "},\"kernel_map\":\"%s\",\"memory_block_size\":%" PRIu64 "}",
	       t->vmcoreinfo_addr, t->vmcoreinfo_size, t->kmap.page_offset, t->kmap.text_vaddr, t->kmap.text_paddr,
	       t->kmap.text_size, t->kmap.from_kcore ? "kcore" : "fallback", t->block_size);
}

static int cmd_show(const CtlArgs *a)
{
	_cleanup_(snapshot_done) Snapshot s = {};
	char sz[32];
	int r;

	r = snapshot_take(a, &s);
	if (r != CTL_EXIT_OK && r != CTL_EXIT_OVER_CAPACITY)
		return r;

	if (a->json) {
		printf("{\"root\":");
		ctl_json_string(stdout, a->root ? a->root : "/");
		printf(",\"fingerprint\":\"%016" PRIx64 "\",\"topology\":", topology_fingerprint(s.topology));
		print_topology_json(s.topology);
		printf(",\"header\":{\"fits\":%s,\"max_phdrs\":%u,\"phdrs_needed\":%zu,\"capacity_bytes\":%zu",
		       s.header ? "true" : "false", s.max_phdrs, s.needed, s.capacity);
		if (s.header) {
			printf(",\"used_bytes\":%zu,\"notes\":%zu,\"loads\":%zu,\"phdrs\":[", s.used, s.info.n_notes,
			       s.info.n_loads);
			if (print_phdrs(&s, true) < 0)
				return CTL_EXIT_FAILURE;
			printf("]");
		}
		printf("}}\n");
		return fflush(stdout) == 0 ? r : CTL_EXIT_FAILURE;
	}

	printf("Topology (root %s):\n", a->root ? a->root : "/");
	if (topology_format(s.topology, stdout) < 0)
		return CTL_EXIT_FAILURE;
	printf("fingerprint %016" PRIx64 "\n\n", topology_fingerprint(s.topology));
	if (!s.header) {
		printf("Header: does not fit: %zu program headers needed (%zu CPU notes, VMCOREINFO, kernel text, %zu RAM "
		       "ranges), MaxPhdrs=%u.\nRaise MaxPhdrs= (at most %u); the daemon never loads a truncated header.\n",
		       s.needed, s.topology->n_cpus, s.topology->n_ram, s.max_phdrs, ELFCOREHDR_MAX_PHDRS);
		return r;
	}
	printf("Header: %zu of %u program headers, %zu of %zu bytes (%.1f%%)\n", s.info.n_phdrs, s.max_phdrs, s.used,
	       s.capacity, 100.0 * (double)s.used / (double)s.capacity);
	printf("  %zu notes (%zu CPUs, VMCOREINFO), %zu loads (kernel text, %zu RAM ranges of %s), PAGE_OFFSET 0x%" PRIx64 "\n\n",
	       s.info.n_notes, s.topology->n_cpus, s.info.n_loads, s.info.n_loads - 1,
	       ctl_format_bytes(s.info.ram_bytes, sz, sizeof(sz)), s.topology->kmap.page_offset);
	printf("  %5s  %-4s  %-18s  %-18s  %-14s  %-3s  %s\n", "#", "type", "paddr (= offset)", "vaddr", "size", "flg",
	       "what");
	if (print_phdrs(&s, false) < 0)
		return CTL_EXIT_FAILURE;
	return fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILURE;
}

static int write_all(int fd, const void *buf, size_t size)
{
	for (size_t done = 0; done < size;) {
		ssize_t n = write(fd, (const uint8_t *)buf + done, size - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		done += (size_t)n;
	}
	return 0;
}

static int cmd_header(const CtlArgs *a)
{
	_cleanup_(snapshot_done) Snapshot s = {};
	_cleanup_(closep) int fd = -1;
	bool to_stdout = streq(a->output, "-");
	FILE *info = to_stdout ? stderr : stdout;
	int r;

	if (to_stdout && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "error: refusing to write a binary header to a terminal; redirect or use -o FILE\n");
		return CTL_EXIT_USAGE;
	}
	r = snapshot_take(a, &s);
	if (r == CTL_EXIT_OVER_CAPACITY) {
		fprintf(stderr, "error: %zu program headers needed, MaxPhdrs=%u: no header written\n", s.needed, s.max_phdrs);
		return r;
	}
	if (r != CTL_EXIT_OK)
		return r;

	if (to_stdout)
		fd = dup(STDOUT_FILENO);
	else
		fd = open(a->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0) {
		fprintf(stderr, "error: %s: %s\n", a->output, strerror(errno));
		return CTL_EXIT_FAILURE;
	}
	r = write_all(fd, s.header, s.capacity);
	if (r == 0 && close(TAKE_FD(fd)) < 0)
		r = negative_errno();
	if (r < 0) {
		fprintf(stderr, "error: writing %s: %s\n", a->output, strerror(-r));
		return CTL_EXIT_FAILURE;
	}
	fprintf(info, "%s: %zu bytes: %zu program headers (%zu bytes of ELF data), room for %u\n",
		to_stdout ? "stdout" : a->output, s.capacity, s.info.n_phdrs, s.used, s.max_phdrs);
	return CTL_EXIT_OK;
}

/* ---- status, reload ------------------------------------------------------------------- */

/* True when pid is a live process named crash-hotplugd: a stale status file must not make
 * us signal whatever process reuses the pid. */
static bool pid_is_daemon(int64_t pid)
{
	_cleanup_(fclosep) FILE *f = NULL;
	char path[64], stat[128], *close_paren;

	/* "pid (comm) S ...": comm is at most 15 bytes, so the line head fits; the last ')'
	 * ends comm even if the name holds one. */
	snprintf(path, sizeof(path), "/proc/%" PRId64 "/stat", pid);
	f = fopen(path, "re");
	if (!f || !fgets(stat, sizeof(stat), f))
		return false;
	close_paren = strrchr(stat, ')');
	if (!close_paren || close_paren[1] != ' ')
		return false;
	/* A zombie has exited: it keeps its name until reaped but answers nothing. */
	if (close_paren[2] == 'Z' || close_paren[2] == 'X')
		return false;
	*close_paren = '\0';
	return streq(strchr(stat, '(') ? strchr(stat, '(') + 1 : "", DAEMON_NAME);
}

static int read_status(const CtlArgs *a, CtlStatus *s, bool *running)
{
	char path[PATH_MAX], reason[256];
	int r;

	if (snprintf(path, sizeof(path), "%s/status.json", a->runtime_dir) >= (int)sizeof(path)) {
		fprintf(stderr, "error: --runtime-dir too long\n");
		return CTL_EXIT_USAGE;
	}
	r = ctl_status_read(path, s, reason, sizeof(reason));
	if (r == -ENOENT) {
		fprintf(stderr, "%s is not running (no %s)\n", DAEMON_NAME, path);
		return CTL_EXIT_NOT_RUNNING;
	}
	if (r == -EINVAL) {
		fprintf(stderr, "error: %s: malformed: %s\n", path, reason);
		return CTL_EXIT_FAILURE;
	}
	if (r < 0) {
		fprintf(stderr, "error: %s: %s\n", path, strerror(-r));
		return CTL_EXIT_FAILURE;
	}
	*running = pid_is_daemon(s->pid);
	return CTL_EXIT_OK;
}

static const char *format_duration(uint64_t usec, char *buf, size_t size)
{
	if (usec < 1000)
		snprintf(buf, size, "%" PRIu64 " us", usec);
	else if (usec < 1000000)
		snprintf(buf, size, "%.1f ms", (double)usec / 1e3);
	else if (usec < 600 * 1000000ULL)
		snprintf(buf, size, "%.2f s", (double)usec / 1e6);
	else
		snprintf(buf, size, "%" PRIu64 " min", usec / 60000000);
	return buf;
}

static int cmd_status(const CtlArgs *a)
{
	CtlStatus s;
	bool running = false;
	char sz[32], when[64], d1[32], d2[32], ago[32];
	int r;

	r = read_status(a, &s, &running);
	if (r != CTL_EXIT_OK)
		return r;
	if (a->json) {
		ctl_status_print_json(&s, running, stdout);
		return running ? CTL_EXIT_OK : CTL_EXIT_NOT_RUNNING;
	}

	if (!running)
		printf("%s (pid %" PRId64 "): not running; the status file is stale (last state: %s)\n", DAEMON_NAME, s.pid,
		       s.state);
	else
		printf("%s (pid %" PRId64 "): %s\n", DAEMON_NAME, s.pid, s.state);
	if (s.message[0])
		printf("  %s\n", s.message);
	printf("  Loader:       %s\n", s.loader[0] ? s.loader : "-");
	printf("  Topology:     %" PRIu64 " CPUs, %" PRIu64 " RAM ranges, %s; fingerprint %016" PRIx64 "\n", s.cpus,
	       s.ram_ranges, ctl_format_bytes(s.ram_bytes, sz, sizeof(sz)), s.fingerprint);
	printf("  Header:       %" PRIu64 " of %" PRIu64 " program headers\n", s.phdrs_used, s.max_phdrs);
	printf("  Reloads:      %" PRIu64 " (%" PRIu64 " failed attempt%s)\n", s.reloads, s.failures,
	       s.failures == 1 ? "" : "s");
	if (s.repairs > 0)
		printf("  Repairs:      %" PRIu64 " of the kernel's own header; last: %s\n", s.repairs, s.last_repair);
	if (s.kernel_map[0])
		printf("  Kernel map:   %s%s\n", s.kernel_map,
		       streq(s.kernel_map, "kcore") ? " (/proc/kcore: right under KASLR)"
						   : " (/proc/kcore unreadable: virtual addresses GUESSED, wrong under KASLR)");
	printf("  Events:       %" PRIu64 " (%" PRIu64 " in the last burst)\n", s.events_total, s.last_burst_events);
	if (s.last_reload_realtime_usec > 0) {
		time_t t = (time_t)(s.last_reload_realtime_usec / 1000000);
		struct timespec now;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &now);
		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm);
		else
			snprintf(when, sizeof(when), "@%" PRIu64, s.last_reload_realtime_usec / 1000000);
		if ((uint64_t)now.tv_sec * 1000000 >= s.last_reload_realtime_usec)
			format_duration((uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000 -
						s.last_reload_realtime_usec,
					ago, sizeof(ago));
		else
			snprintf(ago, sizeof(ago), "in the future?");
		printf("  Last reload:  %s (%s ago); %s in the load syscall, %s after the last event\n", when, ago,
		       format_duration(s.last_reload_syscall_usec, d1, sizeof(d1)),
		       format_duration(s.last_event_to_reload_usec, d2, sizeof(d2)));
	} else
		printf("  Last reload:  none\n");
	return running ? CTL_EXIT_OK : CTL_EXIT_NOT_RUNNING;
}

static int cmd_reload(const CtlArgs *a)
{
	CtlStatus s;
	bool running = false;
	int r;

	r = read_status(a, &s, &running);
	if (r != CTL_EXIT_OK)
		return r;
	if (!running) {
		fprintf(stderr, "%s is not running: pid %" PRId64 " from the status file is gone or is another program\n",
			DAEMON_NAME, s.pid);
		return CTL_EXIT_NOT_RUNNING;
	}
	if (kill((pid_t)s.pid, SIGHUP) < 0) {
		fprintf(stderr, "error: cannot signal %s (pid %" PRId64 "): %s%s\n", DAEMON_NAME, s.pid, strerror(errno),
			errno == EPERM ? " (run as root)" : "");
		return errno == ESRCH ? CTL_EXIT_NOT_RUNNING : CTL_EXIT_FAILURE;
	}
	printf("Reload requested from %s (pid %" PRId64 "); see \"crash-hotplugctl status\" or its journal.\n",
	       DAEMON_NAME, s.pid);
	return CTL_EXIT_OK;
}

/* ---- command line --------------------------------------------------------------------- */

enum { OPT_ROOT = 1 << 0, OPT_CONFIG = 1 << 1, OPT_OUTPUT = 1 << 2, OPT_RUNTIME_DIR = 1 << 3, OPT_JSON = 1 << 4 };

static const struct {
	const char *name;
	int (*run)(const CtlArgs *a);
	unsigned options; /* the options that make sense for it */
} commands[] = {
	{ "show", cmd_show, OPT_ROOT | OPT_CONFIG | OPT_JSON },
	{ "header", cmd_header, OPT_ROOT | OPT_CONFIG | OPT_OUTPUT },
	{ "check", ctl_check, OPT_ROOT | OPT_CONFIG },
	{ "status", cmd_status, OPT_RUNTIME_DIR | OPT_JSON },
	{ "reload", cmd_reload, OPT_RUNTIME_DIR },
};

static const char *option_name(unsigned bit)
{
	switch (bit) {
	case OPT_ROOT: return "--root";
	case OPT_CONFIG: return "--config";
	case OPT_OUTPUT: return "--output";
	case OPT_RUNTIME_DIR: return "--runtime-dir";
	default: return "--json";
	}
}

int main(int argc, char *argv[])
{
	enum { ARG_VERSION = 0x100, ARG_RUNTIME_DIR, ARG_JSON };
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
		{ "json", no_argument, NULL, ARG_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{},
	};
	CtlArgs a = { .runtime_dir = DEFAULT_RUNTIME_DIR };
	unsigned given = 0;
	int c;

	while ((c = getopt_long(argc, argv, "r:c:o:h", options, NULL)) >= 0)
		switch (c) {
		case 'r':
			a.root = optarg;
			given |= OPT_ROOT;
			break;
		case 'c':
			a.config = optarg;
			given |= OPT_CONFIG;
			break;
		case 'o':
			a.output = optarg;
			given |= OPT_OUTPUT;
			break;
		case ARG_RUNTIME_DIR:
			a.runtime_dir = optarg;
			given |= OPT_RUNTIME_DIR;
			break;
		case ARG_JSON:
			a.json = true;
			given |= OPT_JSON;
			break;
		case 'h':
			help();
			return CTL_EXIT_OK;
		case ARG_VERSION:
			printf("crash-hotplugctl %s\n", CTL_VERSION);
			return CTL_EXIT_OK;
		default:
			fprintf(stderr, "Try 'crash-hotplugctl --help'.\n");
			return CTL_EXIT_USAGE;
		}

	if (optind >= argc) {
		fprintf(stderr, "error: no command given (show, header, check, status, reload). Try 'crash-hotplugctl --help'.\n");
		return CTL_EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "error: unexpected argument '%s'\n", argv[optind + 1]);
		return CTL_EXIT_USAGE;
	}
	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		unsigned extra;

		if (!streq(argv[optind], commands[i].name))
			continue;
		extra = given & ~commands[i].options;
		if (extra) {
			fprintf(stderr, "error: %s does not apply to %s\n", option_name(extra & -extra), commands[i].name);
			return CTL_EXIT_USAGE;
		}
		if (commands[i].run == cmd_header && !a.output) {
			fprintf(stderr, "error: header needs -o FILE (or -o - for standard output)\n");
			return CTL_EXIT_USAGE;
		}
		if (a.root && !*a.root) {
			fprintf(stderr, "error: --root needs a directory\n");
			return CTL_EXIT_USAGE;
		}
		return commands[i].run(&a);
	}
	fprintf(stderr, "error: unknown command '%s'. Try 'crash-hotplugctl --help'.\n", argv[optind]);
	return CTL_EXIT_USAGE;
}
