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
#if __has_include(<sys/pidfd.h>)
#include <sys/pidfd.h> /* glibc 2.36 */
#define HAVE_PIDFD 1
#else
#define HAVE_PIDFD 0
#endif

#include "ctl-status.h"
#include "ctl.h"
#include "elfcorehdr.h"
#include "json-util.h"
#include "loader.h"
#include "metrics.h"
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
	       "  plan     What a load would do now, without loading: the loader the daemon\n"
	       "           would choose (and why the ones before it do not work here), kernel,\n"
	       "           initrd, capture command line, the header's program headers (CPU notes,\n"
	       "           VMCOREINFO, kernel text, RAM) against MaxPhdrs, and for\n"
	       "           Loader=segments every segment with its address and size, from the\n"
	       "           segments loader's own plan. Reads files only; never calls kexec.\n"
	       "  check    Validate the configuration (its warnings count), then probe the whole\n"
	       "           chain: kexec available and loads left, crash memory reserved and enough\n"
	       "           for the kernel, initrd, header and purgatory and for the RAM present now\n"
	       "           (kdump-utils' estimate), a crash kernel loaded, lockdown, the kernel's own\n"
	       "           crash_hotplug support, header capacity, the kernel, initrd and capture\n"
	       "           command line, distribution udev rules that would reload over the\n"
	       "           daemon, and what the running daemon reports (an UNPROTECTED daemon is\n"
	       "           a problem). Every problem comes with its fix; --json prints one object.\n"
	       "           Reads files only; never calls kexec.\n"
	       "  status   Show what the running daemon publishes in RUNTIME-DIR/status.json (or,\n"
	       "           with --format=prometheus, as metrics). The\n"
	       "           daemon counts as running only if the pid in the file is a process named\n"
	       "           crash-hotplugd, run by root, started when the file says it was. A\n"
	       "           daemon that says protected while /sys/kernel/kexec_crash_loaded is 0\n"
	       "           is reported NOT PROTECTED (exit status 3).\n"
	       "  reload   Ask the running daemon to re-read its configuration and re-check the\n"
	       "           topology: SIGHUP to the pid in status.json once it passes that check. A\n"
	       "           bad configuration is refused and the old one kept.\n"
	       "\n"
	       "Options:\n"
	       "  -r, --root=DIR          Read /proc, /sys and /etc under DIR instead of /\n"
	       "                          (show, header, check, plan; status: only\n"
	       "                          /sys/kernel/kexec_crash_loaded)\n"
	       "  -c, --config=FILE       Read FILE instead of /etc/crash-hotplugd.conf; the\n"
	       "                          crash-hotplugd.conf.d drop-ins under the root still apply\n"
	       "                          (show, header, plan, check)\n"
	       "  -o, --output=FILE       Where header writes its buffer (header; required)\n"
	       "      --runtime-dir=DIR   Where the daemon publishes status.json\n"
	       "                          (default " DEFAULT_RUNTIME_DIR "; status, reload, check,\n"
	       "                          plan)\n"
	       "      --json              Machine-readable output: one JSON object (show, plan,\n"
	       "                          check, status)\n"
	       "      --format=FORMAT     status: text (default), json (as --json) or prometheus\n"
	       "                          (the metrics the daemon writes to metrics.prom)\n"
	       "  -h, --help              Show this help\n"
	       "      --version           Show the version\n"
	       "\n"
	       "Exit status:\n"
	       "  0  Success; for check, every line is ok or info;\n"
	       "     for status, the daemon runs and protects it (protected, kernel-managed).\n"
	       "  1  The operation failed: unreadable system files, I/O error, signal refused.\n"
	       "  2  Bad command line.\n"
	       "  3  Invalid configuration (file, line and reason are printed); for status, the\n"
	       "     daemon runs but does not protect the machine (starting, reloading,\n"
	       "     unprotected, dry-run).\n"
	       "  4  show, header, plan: the topology needs more program headers than MaxPhdrs.\n"
	       "  5  check: at least one problem (the lines marked FAIL, each with its fix);\n"
	       "     plan: no loader works here, or Loader=segments cannot plan its segments.\n"
	       "  6  status, reload: crash-hotplugd is not running, or its pid cannot be verified\n"
	       "     (a status.json without start_time, from an older daemon).\n"
	       "  7  check: no problem, but warnings (the lines marked warn, each with its fix).\n"
	       "\n"
	       "Files:\n"
	       "  /etc/crash-hotplugd.conf\n"
	       "  {/etc,/run,/usr/local/lib,/usr/lib}/crash-hotplugd.conf.d/*.conf\n"
	       "  " DEFAULT_RUNTIME_DIR "/status.json\n"
	       "  " DEFAULT_RUNTIME_DIR "/metrics.prom\n"
	       "\n"
	       "See crash-hotplugctl(8), crash-hotplugd(8) and crash-hotplugd.conf(5).\n");
}

void ctl_print_config_warning(void *userdata, const char *file, unsigned line, const char *msg)
{
	fprintf(stderr, "warning: %s:%u: %s\n", file, line, msg);
}

int ctl_load_config(const CtlArgs *a, Config **ret)
{
	Diag d = {};
	char msg[sizeof(d.file) + sizeof(d.reason) + 16];
	int r = config_load(a->root, a->config, ctl_print_config_warning, NULL, ret, &d);

	if (r < 0) {
		fprintf(stderr, "error: %s\n", diag_format(&d, msg, sizeof(msg)));
		return CTL_EXIT_CONFIG;
	}
	return CTL_EXIT_OK;
}

/* ---- show, header --------------------------------------------------------------------- */

void ctl_snapshot_done(CtlSnapshot *s)
{
	config_free(s->config);
	topology_free(s->topology);
	free(s->header);
}

/* Config, topology and header as the daemon would make them: an exit code. */
int ctl_snapshot_take(const CtlArgs *a, CtlSnapshot *s)
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
		snprintf(buf, size, "RAM %s", format_bytes(ph->p_memsz, sz, sizeof(sz)));
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

/* Every program header of the header, read back through libelf (the listing shows the bytes,
 * not what we meant to write): as text lines, or into the JSON array phdrs when not NULL. */
static int print_phdrs(const CtlSnapshot *s, json_object *phdrs)
{
	_cleanup_(elf_endp) Elf *e = NULL;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EIO;
	e = elf_memory(s->header, s->used);
	if (!e)
		return -EIO;
	for (size_t i = 0; i < s->info.n_phdrs; i++) {
		const char *type;
		json_object *o;
		GElf_Phdr ph;
		char role[64], fl[4];

		if (!gelf_getphdr(e, (int)i, &ph))
			return -EIO;
		phdr_role(s->topology, i, &ph, role, sizeof(role));
		type = ph.p_type == PT_NOTE ? "NOTE" : "LOAD";
		if (!phdrs) {
			printf("  %5zu  %-4s  0x%016" PRIx64 "  0x%016" PRIx64 "  0x%-12" PRIx64 "  %s  %s\n", i, type,
			       ph.p_paddr, ph.p_vaddr, ph.p_memsz, flags_string(ph.p_flags, fl), role);
			continue;
		}
		o = json_object_new_object();
		if (!json_append(phdrs, o) || !json_add(o, "type", json_object_new_string(type)) ||
		    !json_add(o, "offset", json_new_hex(ph.p_offset)) || !json_add(o, "vaddr", json_new_hex(ph.p_vaddr)) ||
		    !json_add(o, "paddr", json_new_hex(ph.p_paddr)) ||
		    !json_add(o, "filesz", json_object_new_uint64(ph.p_filesz)) ||
		    !json_add(o, "memsz", json_object_new_uint64(ph.p_memsz)) ||
		    !json_add(o, "flags", json_object_new_string(flags_string(ph.p_flags, fl))) ||
		    !json_add(o, "what", json_object_new_string(role)))
			return -ENOMEM;
	}
	return 0;
}

/* {"start": "0x...", "end": "0x..."[, "bytes": N]} appended to a. */
static bool append_range(json_object *a, const Range *r, bool bytes)
{
	json_object *o = json_object_new_object();

	return json_append(a, o) && json_add(o, "start", json_new_hex(r->start)) &&
	       json_add(o, "end", json_new_hex(r->end)) &&
	       (!bytes || json_add(o, "bytes", json_object_new_uint64(r->end - r->start + 1)));
}

static json_object *topology_json(const Topology *t)
{
	_cleanup_(json_putp) json_object *o = json_object_new_object(), *cpus = json_object_new_array(),
					 *ram = json_object_new_array(), *crash = json_object_new_array(),
					 *vmci = json_object_new_object(), *text = json_object_new_object();
	bool ok;

	/* o takes a reference of each container it holds; the cleanups drop ours. */
	ok = o && cpus && ram && crash && vmci && text &&
	     json_add(o, "cpus_possible", json_object_new_uint64(t->n_possible)) &&
	     json_add(o, "cpus_present", json_object_new_uint64(t->n_cpus)) &&
	     json_add(o, "cpus_online", json_object_new_uint64(t->n_online)) &&
	     json_add(o, "cpus", json_object_get(cpus));
	for (size_t i = 0; ok && i < t->n_cpus; i++) {
		json_object *c = json_object_new_object();

		ok = json_append(cpus, c) && json_add(c, "cpu", json_object_new_uint64(t->cpus[i].cpu)) &&
		     json_add(c, "notes", json_new_hex(t->cpus[i].addr)) &&
		     json_add(c, "size", json_object_new_uint64(t->cpus[i].size));
	}
	ok = ok && json_add(o, "ram_ranges", json_object_new_uint64(t->n_ram)) &&
	     json_add(o, "ram_bytes", json_object_new_uint64(topology_ram_bytes(t))) && json_add(o, "ram", json_object_get(ram));
	for (size_t i = 0; ok && i < t->n_ram; i++)
		ok = append_range(ram, &t->ram[i], true);
	ok = ok && json_add(o, "crash_regions", json_object_get(crash));
	for (size_t i = 0; ok && i < t->n_crash; i++)
		ok = append_range(crash, &t->crash[i], false);
	ok = ok && json_add(o, "vmcoreinfo", json_object_get(vmci)) && json_add(vmci, "addr", json_new_hex(t->vmcoreinfo_addr)) &&
	     json_add(vmci, "size", json_object_new_uint64(t->vmcoreinfo_size)) &&
	     json_add(o, "page_offset", json_new_hex(t->kmap.page_offset)) && json_add(o, "kernel_text", json_object_get(text)) &&
	     json_add(text, "vaddr", json_new_hex(t->kmap.text_vaddr)) &&
	     json_add(text, "paddr", json_new_hex(t->kmap.text_paddr)) &&
	     json_add(text, "size", json_object_new_uint64(t->kmap.text_size)) &&
	     json_add(o, "kernel_map", json_object_new_string(t->kmap.from_kcore ? "kcore" : "fallback")) &&
	     json_add(o, "memory_block_size", json_object_new_uint64(t->block_size)) &&
	     json_add(o, "arch", json_object_new_string((t->arch ? t->arch : arch_native())->name)) &&
	     (!t->kmap.va_bits || json_add(o, "va_bits", json_object_new_uint64(t->kmap.va_bits)));
	return ok ? TAKE_PTR(o) : NULL;
}

/* show --json: one object, through json-c. */
static int show_json(const CtlArgs *a, const CtlSnapshot *s)
{
	_cleanup_(json_putp) json_object *o = json_object_new_object(), *hdr = json_object_new_object();
	char fingerprint[17];

	snprintf(fingerprint, sizeof(fingerprint), "%016" PRIx64, topology_fingerprint(s->topology));
	if (!o || !hdr || !json_add(o, "root", json_object_new_string(a->root ? a->root : "/")) ||
	    !json_add(o, "fingerprint", json_object_new_string(fingerprint)) ||
	    !json_add(o, "topology", topology_json(s->topology)) || !json_add(o, "header", json_object_get(hdr)) ||
	    !json_add(hdr, "fits", json_object_new_boolean(s->header != NULL)) ||
	    !json_add(hdr, "max_phdrs", json_object_new_uint64(s->max_phdrs)) ||
	    !json_add(hdr, "phdrs_needed", json_object_new_uint64(s->needed)) ||
	    !json_add(hdr, "capacity_bytes", json_object_new_uint64(s->capacity)))
		return -ENOMEM;
	if (s->header) {
		json_object *phdrs = json_object_new_array();
		int r;

		if (!json_add(hdr, "used_bytes", json_object_new_uint64(s->used)) ||
		    !json_add(hdr, "notes", json_object_new_uint64(s->info.n_notes)) ||
		    !json_add(hdr, "loads", json_object_new_uint64(s->info.n_loads)) || !json_add(hdr, "phdrs", phdrs))
			return -ENOMEM;
		r = print_phdrs(s, phdrs);
		if (r < 0)
			return r;
	}
	return json_print(o, stdout);
}

static int cmd_show(const CtlArgs *a)
{
	_cleanup_(ctl_snapshot_done) CtlSnapshot s = {};
	char sz[32];
	int r;

	r = ctl_snapshot_take(a, &s);
	if (r != CTL_EXIT_OK && r != CTL_EXIT_OVER_CAPACITY)
		return r;

	if (a->json) {
		if (show_json(a, &s) < 0)
			return CTL_EXIT_FAILURE;
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
	/* RAM p_vaddr - p_paddr: PAGE_OFFSET on x86_64, PAGE_OFFSET - PHYS_OFFSET on arm64. */
	printf("  %zu notes (%zu CPUs, VMCOREINFO), %zu loads (kernel text, %zu RAM ranges of %s), %s %s 0x%" PRIx64 "\n\n",
	       s.info.n_notes, s.topology->n_cpus, s.info.n_loads, s.info.n_loads - 1,
	       format_bytes(s.info.ram_bytes, sz, sizeof(sz)), s.info.arch,
	       s.topology->kmap.va_bits ? "vaddr - paddr" : "PAGE_OFFSET", s.topology->kmap.page_offset);
	printf("  %5s  %-4s  %-18s  %-18s  %-14s  %-3s  %s\n", "#", "type", "paddr (= offset)", "vaddr", "size", "flg",
	       "what");
	if (print_phdrs(&s, NULL) < 0)
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
	_cleanup_(ctl_snapshot_done) CtlSnapshot s = {};
	_cleanup_(closep) int fd = -1;
	bool to_stdout = streq(a->output, "-");
	FILE *info = to_stdout ? stderr : stdout;
	int r;

	if (to_stdout && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "error: refusing to write a binary header to a terminal; redirect or use -o FILE\n");
		return CTL_EXIT_USAGE;
	}
	r = ctl_snapshot_take(a, &s);
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

/* Reads /proc/PID/NAME whole (stat and status are a few KiB): 0 or -errno (-ESRCH when the
 * process went away after the open). */
static int read_proc_file(int64_t pid, const char *name, char *buf, size_t size, size_t *ret_len)
{
	_cleanup_(closep) int fd = -1;
	char path[64];
	size_t len = 0;

	snprintf(path, sizeof(path), "/proc/%" PRId64 "/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	while (len < size) {
		ssize_t n = read(fd, buf + len, size - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == size)
		return -EFBIG;
	*ret_len = len;
	return 0;
}

typedef struct PidVerdict {
	CtlPidCheck check;
	CtlProc proc;
	const char *file; /* with error: the /proc file that could not be read */
	int error;        /* check is CTL_PID_UNVERIFIED because /proc could not be read */
} PidVerdict;

/* Whether s->pid is the daemon that wrote s: a status file that outlived its daemon, or one
 * written by someone else, must not make us trust, or signal, whatever has that pid now. */
static void pid_verify(const CtlStatus *s, PidVerdict *v)
{
	char buf[4096];
	size_t len;
	int r;

	*v = (PidVerdict){ .check = CTL_PID_UNVERIFIED, .file = "stat" };
	r = read_proc_file(s->pid, "stat", buf, sizeof(buf), &len);
	if (r >= 0)
		r = ctl_proc_parse_stat(buf, len, &v->proc);
	if (r >= 0) {
		v->file = "status";
		r = read_proc_file(s->pid, "status", buf, sizeof(buf), &len);
		if (r >= 0)
			r = ctl_proc_parse_status(buf, len, &v->proc);
	}
	if (r == -ENOENT || r == -ESRCH)
		v->check = CTL_PID_GONE;
	else if (r < 0)
		v->error = -r;
	else
		v->check = ctl_pid_check(s, &v->proc, DAEMON_NAME);
}

/* The end of a sentence "crash-hotplugd (pid 42) is not running: ...", as printable text. */
static const char *pid_reason(const CtlStatus *s, const PidVerdict *v, char *buf, size_t size)
{
	static const char *const uid_names[] = { "real", "effective", "saved", "filesystem" };
	char comm[CTL_ESCAPED_SIZE(sizeof(v->proc.comm))];
	size_t u = 0;

	switch (v->check) {
	case CTL_PID_DAEMON:
		snprintf(buf, size, "pid %" PRId64 " is the daemon that wrote the status file", s->pid);
		break;
	case CTL_PID_GONE:
		snprintf(buf, size, "pid %" PRId64 " %s", s->pid, v->proc.state ? "has exited" : "is gone");
		break;
	case CTL_PID_OTHER:
		snprintf(buf, size, "pid %" PRId64 " is now another program (\"%s\")", s->pid,
			 ctl_escape(v->proc.comm, comm, sizeof(comm)));
		break;
	case CTL_PID_NOT_ROOT:
		while (u + 1 < ELEMENTSOF(v->proc.uid) && v->proc.uid[u] == 0)
			u++;
		snprintf(buf, size, "pid %" PRId64 " is named %s but runs as uid %" PRIu64 " (%s), not root: not the daemon",
			 s->pid, DAEMON_NAME, v->proc.uid[u], uid_names[u]);
		break;
	case CTL_PID_UNVERIFIED:
		if (v->error)
			snprintf(buf, size, "cannot %s /proc/%" PRId64 "/%s: %s", v->error == EINVAL ? "parse" : "read",
				 s->pid, v->file, v->error == EINVAL ? "unexpected format" : strerror(v->error));
		else
			snprintf(buf, size,
				 "status.json has no start_time (written by an older %s): pid %" PRId64
				 " may be another process by now; restart the daemon",
				 DAEMON_NAME, s->pid);
		break;
	case CTL_PID_REUSED:
		snprintf(buf, size,
			 "pid %" PRId64 " started at %" PRIu64 ", the daemon that wrote the file at %" PRIu64
			 " (clock ticks after boot): the pid was reused",
			 s->pid, v->proc.start_time, s->start_time);
		break;
	}
	return buf;
}

/* Reads RUNTIME-DIR/status.json into s: an exit code, with why (printable) when it is not
 * CTL_EXIT_OK. */
static int read_status_quiet(const CtlArgs *a, CtlStatus *s, char *why, size_t why_size)
{
	char path[PATH_MAX], reason[256], escaped[CTL_ESCAPED_SIZE(sizeof(reason))];
	int r;

	if (snprintf(path, sizeof(path), "%s/status.json", a->runtime_dir) >= (int)sizeof(path)) {
		snprintf(why, why_size, "--runtime-dir too long");
		return CTL_EXIT_USAGE;
	}
	r = ctl_status_read(path, s, reason, sizeof(reason));
	if (r == -ENOENT) {
		snprintf(why, why_size, "no %s", path);
		return CTL_EXIT_NOT_RUNNING;
	}
	if (r == -EINVAL) /* the reason may quote the file */
		snprintf(why, why_size, "%s: malformed: %s", path, ctl_escape(reason, escaped, sizeof(escaped)));
	else if (r < 0)
		snprintf(why, why_size, "%s: %s", path, strerror(-r));
	return r < 0 ? CTL_EXIT_FAILURE : CTL_EXIT_OK;
}

/* read_status_quiet(), with why also said on stderr. */
static int read_status(const CtlArgs *a, CtlStatus *s, char *why, size_t why_size)
{
	int r = read_status_quiet(a, s, why, why_size);

	if (r == CTL_EXIT_NOT_RUNNING)
		fprintf(stderr, "%s is not running (%s)\n", DAEMON_NAME, why);
	else if (r != CTL_EXIT_OK)
		fprintf(stderr, "error: %s\n", why);
	return r;
}

int ctl_daemon_read(const CtlArgs *a, CtlStatus *s, bool *running, char *why, size_t why_size)
{
	PidVerdict v;
	int r = read_status_quiet(a, s, why, why_size);

	*running = false;
	if (r != CTL_EXIT_OK)
		return r;
	pid_verify(s, &v);
	*running = v.check == CTL_PID_DAEMON;
	pid_reason(s, &v, why, why_size);
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

/* CLOCK_REALTIME usec as "2024-05-01 12:00:00 UTC (3.20 s ago)", or "(in 1.50 s)" for a time ahead. */
static const char *format_time(uint64_t usec, char *buf, size_t size)
{
	time_t t = (time_t)(usec / 1000000);
	char when[48], ago[32];
	struct timespec now;
	uint64_t now_usec;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	now_usec = (uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000;
	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm);
	else
		snprintf(when, sizeof(when), "@%" PRIu64, usec / 1000000);
	if (now_usec >= usec)
		snprintf(buf, size, "%s (%s ago)", when, format_duration(now_usec - usec, ago, sizeof(ago)));
	else
		snprintf(buf, size, "%s (in %s)", when, format_duration(usec - now_usec, ago, sizeof(ago)));
	return buf;
}

/* The kernel's word on a daemon that says it protects the machine: a protecting state with
 * /sys/kernel/kexec_crash_loaded at 0 means no crash kernel at all (unloaded behind the
 * daemon's back, or a load that never happened). Fills v->kernel_loaded, and v->warning
 * (in buf) when they disagree. */
static void kernel_verdict(const CtlArgs *a, const CtlStatus *s, bool running, StatusJsonVerdict *v, char *buf,
			   size_t size)
{
	int r = loader_crash_loaded(a->root);

	v->kernel_loaded = r < 0 ? -1 : r;
	if (running && r == 0 && daemon_state_is_protected(s->state)) {
		snprintf(buf, size, "NOT PROTECTED: the daemon says %s, but the kernel has no crash kernel loaded "
			 "(/sys/kernel/kexec_crash_loaded is 0): a panic now saves nothing", s->state);
		v->warning = buf;
	}
}

/* Every string below comes from status.json, which anyone who can write the runtime
 * directory controls: escaped, so that it cannot drive the terminal. */
static int cmd_status(const CtlArgs *a)
{
	CtlStatus s;
	PidVerdict v;
	StatusJsonVerdict jv = { .kernel_loaded = -1 };
	char sz[32], when[96], d1[32], d2[32], why[PATH_MAX + 1280], warning[256];
	char state[CTL_ESCAPED_SIZE(sizeof(s.state))], message[CTL_ESCAPED_SIZE(sizeof(s.message))],
		loader[CTL_ESCAPED_SIZE(sizeof(s.loader))], repair[CTL_ESCAPED_SIZE(sizeof(s.last_repair))],
		kmap[CTL_ESCAPED_SIZE(sizeof(s.kernel_map))], cerr[CTL_ESCAPED_SIZE(sizeof(s.config_error))];
	bool running;
	int r, exit_code;

	r = read_status(a, &s, why, sizeof(why));
	if (r != CTL_EXIT_OK) {
		/* Machines get an answer whatever happened: "running": false with the reason. */
		jv.reason = why;
		if (a->format == CTL_FORMAT_JSON && r != CTL_EXIT_USAGE)
			(void)ctl_status_print_json(NULL, &jv, stdout);
		else if (a->format == CTL_FORMAT_PROMETHEUS && r == CTL_EXIT_NOT_RUNNING)
			(void)metrics_format_not_running(stdout);
		return fflush(stdout) == 0 ? r : CTL_EXIT_FAILURE;
	}
	pid_verify(&s, &v);
	pid_reason(&s, &v, why, sizeof(why));
	running = v.check == CTL_PID_DAEMON;
	kernel_verdict(a, &s, running, &jv, warning, sizeof(warning));
	/* 0 only for a daemon that protects the machine, and the kernel does not say otherwise;
	 * 3 for one that does not (yet). */
	exit_code = !running ? CTL_EXIT_NOT_RUNNING
		    : daemon_state_is_protected(s.state) && !jv.warning ? CTL_EXIT_OK
									 : CTL_EXIT_NOT_PROTECTED;
	if (!running)
		fprintf(stderr, "%s (pid %" PRId64 "): %s: %s\n", DAEMON_NAME, s.pid,
			v.check == CTL_PID_UNVERIFIED ? "cannot verify" : "not running", why);
	if (jv.warning)
		fprintf(stderr, "%s (pid %" PRId64 "): %s\n", DAEMON_NAME, s.pid, jv.warning);
	jv.running = running;
	jv.reason = running ? NULL : why;
	if (a->format == CTL_FORMAT_JSON) {
		if (ctl_status_print_json(&s, &jv, stdout) < 0)
			return CTL_EXIT_FAILURE;
		return fflush(stdout) == 0 ? exit_code : CTL_EXIT_FAILURE;
	}
	if (a->format == CTL_FORMAT_PROMETHEUS) {
		/* A stale file's state is not the machine's: only "not protected" then. */
		r = running ? metrics_format(&s, stdout) : metrics_format_not_running(stdout);
		return r == 0 && fflush(stdout) == 0 ? exit_code : CTL_EXIT_FAILURE;
	}

	ctl_escape(s.state, state, sizeof(state));
	switch (v.check) {
	case CTL_PID_DAEMON:
		printf("%s (pid %" PRId64 "): %s\n", DAEMON_NAME, s.pid, state);
		if (jv.warning)
			printf("  %s\n", jv.warning);
		break;
	case CTL_PID_NOT_ROOT:
		printf("%s (pid %" PRId64 "): not running: %s (last state: %s)\n", DAEMON_NAME, s.pid, why, state);
		break;
	case CTL_PID_UNVERIFIED:
		printf("%s (pid %" PRId64 "): cannot verify: %s (last state: %s)\n", DAEMON_NAME, s.pid, why, state);
		break;
	default:
		printf("%s (pid %" PRId64 "): not running; the status file is stale: %s (last state: %s)\n", DAEMON_NAME,
		       s.pid, why, state);
		break;
	}
	if (s.message[0])
		printf("  %s\n", ctl_escape(s.message, message, sizeof(message)));
	if (s.state_since_usec > 0)
		printf("  Since:        %s\n", format_time(s.state_since_usec, when, sizeof(when)));
	if (s.pending_since_usec > 0) {
		printf("  Pending:      %" PRIu64 " event%s since %s", s.pending_events, s.pending_events == 1 ? "" : "s",
		       format_time(s.pending_since_usec, when, sizeof(when)));
		if (s.reload_due_usec > 0)
			printf("; check due %s", format_time(s.reload_due_usec, when, sizeof(when)));
		printf("\n");
	}
	if (s.config_error[0])
		printf("  Config:       REFUSED at the last reload, the previous one stays in use: %s\n",
		       ctl_escape(s.config_error, cerr, sizeof(cerr)));
	printf("  Loader:       %s\n", s.loader[0] ? ctl_escape(s.loader, loader, sizeof(loader)) : "-");
	printf("  Topology:     %" PRIu64 " CPUs, %" PRIu64 " RAM ranges, %s; fingerprint %016" PRIx64 "\n", s.cpus,
	       s.ram_ranges, format_bytes(s.ram_bytes, sz, sizeof(sz)), s.fingerprint);
	printf("  Header:       %" PRIu64 " of %" PRIu64 " program headers\n", s.phdrs_used, s.max_phdrs);
	printf("  Reloads:      %" PRIu64 " (%" PRIu64 " failed attempt%s)\n", s.reloads, s.failures,
	       s.failures == 1 ? "" : "s");
	if (s.repairs > 0)
		printf("  Repairs:      %" PRIu64 " of the kernel's own header; last: %s\n", s.repairs,
		       ctl_escape(s.last_repair, repair, sizeof(repair)));
	if (s.kernel_map[0])
		printf("  Kernel map:   %s%s\n", ctl_escape(s.kernel_map, kmap, sizeof(kmap)),
		       streq(s.kernel_map, "kcore") ? " (/proc/kcore: right under KASLR)"
						   : " (/proc/kcore unreadable: virtual addresses GUESSED, wrong under KASLR)");
	printf("  Events:       %" PRIu64 " (%" PRIu64 " in the last burst)\n", s.events_total, s.last_burst_events);
	if (s.last_reload_realtime_usec > 0)
		printf("  Last reload:  %s; %s in the load syscall, %s after the last event\n",
		       format_time(s.last_reload_realtime_usec, when, sizeof(when)),
		       format_duration(s.last_reload_syscall_usec, d1, sizeof(d1)),
		       format_duration(s.last_event_to_reload_usec, d2, sizeof(d2)));
	else
		printf("  Last reload:  none\n");
	printf("  Unprotected:  %s in total\n", format_duration(s.unprotected_usec, d1, sizeof(d1)));
	return exit_code;
}

/* A pidfd for pid, opened before the pid is checked: a signal sent through it reaches the
 * process that was checked or, if that one has exited meanwhile, none (a signal by pid could
 * reach a process that took the pid after the check). -1 with errno ENOSYS where the kernel
 * or a seccomp filter has no pidfd_open(2): the caller then falls back to kill(2). */
static int open_pidfd(int64_t pid)
{
#if HAVE_PIDFD
	int fd = pidfd_open((pid_t)pid, 0);

	if (fd < 0 && errno == EPERM) /* a filter's answer: there is no permission check */
		errno = ENOSYS;
	return fd;
#else
	errno = ENOSYS;
	return -1;
#endif
}

static int send_sighup(int pidfd, int64_t pid)
{
#if HAVE_PIDFD
	if (pidfd >= 0)
		return pidfd_send_signal(pidfd, SIGHUP, NULL, 0) < 0 ? negative_errno() : 0;
#endif
	return kill((pid_t)pid, SIGHUP) < 0 ? negative_errno() : 0;
}

static int cmd_reload(const CtlArgs *a)
{
	_cleanup_(closep) int pidfd = -1;
	CtlStatus s;
	PidVerdict v;
	char why[PATH_MAX + 1280];
	int r;

	r = read_status(a, &s, why, sizeof(why));
	if (r != CTL_EXIT_OK)
		return r;
	pidfd = open_pidfd(s.pid);
	if (pidfd < 0 && errno != ENOSYS) {
		int error = errno;

		if (error == ESRCH) {
			fprintf(stderr, "%s is not running: pid %" PRId64 " from the status file is gone; no signal sent\n",
				DAEMON_NAME, s.pid);
			return CTL_EXIT_NOT_RUNNING;
		}
		/* EINVAL: a thread id, not a process. */
		fprintf(stderr, "error: pid %" PRId64 " from the status file: pidfd_open: %s; no signal sent\n", s.pid,
			strerror(error));
		return error == EINVAL ? CTL_EXIT_NOT_RUNNING : CTL_EXIT_FAILURE;
	}
	pid_verify(&s, &v);
	if (v.check == CTL_PID_UNVERIFIED) {
		fprintf(stderr, "%s (pid %" PRId64 "): cannot verify: %s; no signal sent\n", DAEMON_NAME, s.pid,
			pid_reason(&s, &v, why, sizeof(why)));
		return CTL_EXIT_NOT_RUNNING;
	}
	if (v.check != CTL_PID_DAEMON) {
		fprintf(stderr, "%s is not running: %s; no signal sent\n", DAEMON_NAME, pid_reason(&s, &v, why, sizeof(why)));
		return CTL_EXIT_NOT_RUNNING;
	}
	r = send_sighup(pidfd, s.pid);
	if (r < 0) {
		fprintf(stderr, "error: cannot signal %s (pid %" PRId64 "): %s%s\n", DAEMON_NAME, s.pid, strerror(-r),
			r == -EPERM ? " (run as root)" : "");
		return r == -ESRCH ? CTL_EXIT_NOT_RUNNING : CTL_EXIT_FAILURE;
	}
	printf("Reload requested from %s (pid %" PRId64 "); see \"crash-hotplugctl status\" or its journal.\n",
	       DAEMON_NAME, s.pid);
	return CTL_EXIT_OK;
}

/* ---- command line --------------------------------------------------------------------- */

enum {
	OPT_ROOT = 1 << 0,
	OPT_CONFIG = 1 << 1,
	OPT_OUTPUT = 1 << 2,
	OPT_RUNTIME_DIR = 1 << 3,
	OPT_JSON = 1 << 4,
	OPT_FORMAT = 1 << 5,
};

static const struct {
	const char *name;
	int (*run)(const CtlArgs *a);
	unsigned options; /* the options that make sense for it */
} commands[] = {
	{ "show", cmd_show, OPT_ROOT | OPT_CONFIG | OPT_JSON },
	{ "header", cmd_header, OPT_ROOT | OPT_CONFIG | OPT_OUTPUT },
	{ "plan", ctl_plan, OPT_ROOT | OPT_CONFIG | OPT_JSON | OPT_RUNTIME_DIR },
	{ "check", ctl_check, OPT_ROOT | OPT_CONFIG | OPT_JSON | OPT_RUNTIME_DIR },
	{ "status", cmd_status, OPT_ROOT | OPT_RUNTIME_DIR | OPT_JSON | OPT_FORMAT },
	{ "reload", cmd_reload, OPT_RUNTIME_DIR },
};

static const char *option_name(unsigned bit)
{
	switch (bit) {
	case OPT_ROOT: return "--root";
	case OPT_CONFIG: return "--config";
	case OPT_OUTPUT: return "--output";
	case OPT_RUNTIME_DIR: return "--runtime-dir";
	case OPT_FORMAT: return "--format";
	default: return "--json";
	}
}

int main(int argc, char *argv[])
{
	enum { ARG_VERSION = 0x100, ARG_RUNTIME_DIR, ARG_JSON, ARG_FORMAT };
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
		{ "json", no_argument, NULL, ARG_JSON },
		{ "format", required_argument, NULL, ARG_FORMAT },
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
			a.format = CTL_FORMAT_JSON;
			given |= OPT_JSON;
			break;
		case ARG_FORMAT:
			if (streq(optarg, "text"))
				a.format = CTL_FORMAT_TEXT;
			else if (streq(optarg, "json"))
				a.format = CTL_FORMAT_JSON;
			else if (streq(optarg, "prometheus"))
				a.format = CTL_FORMAT_PROMETHEUS;
			else {
				fprintf(stderr, "error: --format must be text, json or prometheus, not '%s'\n", optarg);
				return CTL_EXIT_USAGE;
			}
			a.json = a.format == CTL_FORMAT_JSON;
			given |= OPT_FORMAT;
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
		fprintf(stderr, "error: no command given (show, header, plan, check, status, reload). Try 'crash-hotplugctl --help'.\n");
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
