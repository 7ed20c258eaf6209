/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `crash-hotplugctl check`: is the configuration valid, and can this machine be protected?
 * Reads only files (under --root); never calls kexec, which would consume a load from
 * kernel.kexec_load_limit_panic. */
#include <dirent.h>
#include <elf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "ctl-status.h"
#include "ctl.h"
#include "json-util.h"
#include "loader.h"
#include "elfcorehdr.h"
#include "iomem.h"
#include "path.h"
#include "reload.h"
#include "topology.h"
#include "kdump-tools.h"
#include "shellvars.h"
#include "trust.h"
#include "udev-mask.h"
#if defined(__x86_64__)
#include "x86/purgatory.h"
#endif

typedef enum Level { LEVEL_OK, LEVEL_INFO, LEVEL_WARN, LEVEL_FAIL, _LEVEL_MAX } Level;

static const char *const level_tags[_LEVEL_MAX] = { "ok", "info", "warn", "FAIL" };
static const char *const level_names[_LEVEL_MAX] = { "ok", "info", "warn", "fail" };

/* One line of the report: printed at the end, as text or as JSON. */
typedef struct CheckItem {
	Level level;
	const char *topic; /* a literal */
	char *message;
	char *fix;         /* NULL: nothing to do */
} CheckItem;

typedef struct Check {
	const char *root;
	const Config *config;
	const char *runtime_dir; /* where the daemon runs: DryRunOutput's default is under it */
	CheckItem *items;
	size_t n_items, cap_items;
	unsigned counts[_LEVEL_MAX];
	bool oom;          /* an item was lost: the report is incomplete, exit CTL_EXIT_FAILURE */
	int crash_hotplug; /* 1 both cpu and memory read 1, 0 otherwise, -1 unknown */
	/* What the size checks need, found by the earlier checks (0: unknown). */
	uint64_t kernel_bytes, initrd_bytes, header_bytes, crash_bytes, ram_bytes;
} Check;

static void check_done(Check *c)
{
	for (size_t i = 0; i < c->n_items; i++) {
		free(c->items[i].message);
		free(c->items[i].fix);
	}
	free(c->items);
	c->items = NULL;
	c->n_items = c->cap_items = 0;
}

_printf_(4, 5) static void report(Check *c, Level level, const char *what, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	c->counts[level]++;
	if (c->n_items == c->cap_items) {
		size_t cap = c->cap_items ? c->cap_items * 2 : 32;
		CheckItem *items = reallocarray(c->items, cap, sizeof(*items));

		if (!items) {
			c->oom = true;
			return;
		}
		c->items = items;
		c->cap_items = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		c->oom = true;
		return;
	}
	c->items[c->n_items++] = (CheckItem){ .level = level, .topic = what, .message = msg };
}

/* What to do about the item just reported; called again, another way to do it (alternatives
 * are kept one per line). */
_printf_(2, 3) static void fix(Check *c, const char *fmt, ...)
{
	CheckItem *last = c->n_items > 0 ? &c->items[c->n_items - 1] : NULL;
	char *text = NULL;
	va_list ap;
	int n;

	if (!last)
		return;
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		c->oom = true;
		return;
	}
	if (last->fix) {
		char *both = NULL;

		if (asprintf(&both, "%s\n%s", last->fix, text) < 0) {
			c->oom = true;
			free(text);
			return;
		}
		free(text);
		text = both;
		free(last->fix);
	}
	last->fix = text;
}

/* "fail" if anything failed, "warn" if anything warned, else "ok". */
static Level check_verdict(const Check *c)
{
	return c->counts[LEVEL_FAIL] ? LEVEL_FAIL : c->counts[LEVEL_WARN] ? LEVEL_WARN : LEVEL_OK;
}

static void check_print_text(const Check *c)
{
	for (size_t i = 0; i < c->n_items; i++) {
		printf("%-5s %-18s %s\n", level_tags[c->items[i].level], c->items[i].topic, c->items[i].message);
		for (const char *f = c->items[i].fix; f && *f;) {
			size_t n = strcspn(f, "\n");

			printf("      %-18s %.*s\n", "fix:", (int)n, f);
			f += n + (f[n] == '\n');
		}
	}
	printf("\n%u problem%s, %u warning%s.\n", c->counts[LEVEL_FAIL], c->counts[LEVEL_FAIL] == 1 ? "" : "s",
	       c->counts[LEVEL_WARN], c->counts[LEVEL_WARN] == 1 ? "" : "s");
}

/* {"verdict":"warn","counts":{"ok":9,"info":1,"warn":1,"fail":0},"items":[{...}]} */
static int check_print_json(const Check *c)
{
	_cleanup_(json_putp) json_object *o = json_object_new_object(), *counts = json_object_new_object(),
					 *items = json_object_new_array();

	if (!o || !counts || !items)
		return -ENOMEM;
	for (size_t l = 0; l < _LEVEL_MAX; l++)
		if (!json_add(counts, level_names[l], json_object_new_uint64(c->counts[l])))
			return -ENOMEM;
	for (size_t i = 0; i < c->n_items; i++) {
		json_object *item = json_object_new_object();

		if (!json_append(items, item) ||
		    !json_add(item, "level", json_object_new_string(level_names[c->items[i].level])) ||
		    !json_add(item, "topic", json_object_new_string(c->items[i].topic)) ||
		    !json_add(item, "message", json_object_new_string(c->items[i].message)) ||
		    (c->items[i].fix ? !json_add(item, "fix", json_object_new_string(c->items[i].fix))
				     : json_object_object_add(item, "fix", NULL) < 0)) /* NULL is JSON's null */
			return -ENOMEM;
	}
	if (!json_add(o, "verdict", json_object_new_string(level_names[check_verdict(c)])) ||
	    !json_add(o, "complete", json_object_new_boolean(!c->oom)) || !json_add(o, "counts", TAKE_PTR(counts)) ||
	    !json_add(o, "items", TAKE_PTR(items)))
		return -ENOMEM;
	return json_print(o, stdout);
}

/* A one-line file under the root: 0 and buf, or -ENOENT/-EACCES/... */
static int read_value(const Check *c, const char *path, char *buf, size_t size)
{
	Diag d;

	return path_read_line(c->root, path, buf, size, &d);
}

/* True if the command line holds the parameter name (alone or as name=...). */
static bool cmdline_has(const char *cmdline, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = cmdline; (p = strstr(p, name)); p += n)
		if ((p == cmdline || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '='))
			return true;
	return false;
}

/* The value of key in a shell defaults file (/etc/sysconfig/kdump), read as plain assignments
 * (shellvars.h); false when the file is missing, unreadable or leaves key unset or unknown. */
static bool shell_var(const Check *c, const char *path, const char *key, char *buf, size_t size)
{
	_cleanup_(shellvars_done) ShellVars v = {};
	_cleanup_(freep) char *text = NULL;
	const ShellVar *var;
	size_t n = 0;
	Diag d;

	buf[0] = '\0';
	if (path_read_file(c->root, path, READ_CAP_CONFIG, 0, &text, &n, &d) < 0 ||
	    shellvars_parse(text, n, path, &v, &d) < 0)
		return false;
	var = shellvars_get(&v, key);
	if (!var || !var->value)
		return false;
	snprintf(buf, size, "%s", var->value);
	return true;
}

/* ---- crash kernel memory ------------------------------------------------------------- */

typedef enum Distro { DISTRO_UNKNOWN, DISTRO_DEBIAN, DISTRO_FEDORA } Distro;

/* Which family's tools the fix hints name, from the files each family ships under the root. */
static Distro distro_family(const Check *c)
{
	static const struct {
		const char *file;
		Distro family;
	} marks[] = {
		{ "/etc/debian_version", DISTRO_DEBIAN },
		{ "/etc/default/kdump-tools", DISTRO_DEBIAN },
		{ "/etc/fedora-release", DISTRO_FEDORA },
		{ "/etc/redhat-release", DISTRO_FEDORA },
		{ "/etc/sysconfig/kdump", DISTRO_FEDORA },
	};
	char full[PATH_MAX];

	for (size_t i = 0; i < ELEMENTSOF(marks); i++)
		if (path_join(c->root, marks[i].file, full, sizeof(full)) == 0 && access(full, F_OK) == 0)
			return marks[i].family;
	return DISTRO_UNKNOWN;
}

/* The fix for a reservation that is missing or too small: crashkernel=<mib>M the way the
 * machine's distribution sets it (both ways when it cannot tell). */
static void fix_crashkernel(Check *c, uint64_t mib)
{
	char debian[320], fedora[224];

	snprintf(debian, sizeof(debian), "Debian/Ubuntu: set crashkernel=%" PRIu64 "M in GRUB_CMDLINE_LINUX_DEFAULT "
		 "(/etc/default/grub, or kdump-tools' /etc/default/grub.d/kdump-tools.cfg), run update-grub, reboot, "
		 "then kdump-config show", mib);
	snprintf(fedora, sizeof(fedora), "Fedora/RHEL: grubby --update-kernel=ALL --args=crashkernel=%" PRIu64 "M, "
		 "reboot, then kdumpctl estimate", mib);
	switch (distro_family(c)) {
	case DISTRO_DEBIAN:
		fix(c, "%s", debian);
		break;
	case DISTRO_FEDORA:
		fix(c, "%s", fedora);
		break;
	default:
		fix(c, "%s; %s", debian, fedora);
		break;
	}
}

/* The capture kernel must not hot-add memory: the DIMMs its e820 lacks would get their
 * memmap written over the pages being dumped. */
static void check_capture_cmdline(Check *c)
{
	_cleanup_(kdump_tools_done) KdumpTools kt = {};
	_cleanup_(freep) char *cmdline = NULL;
	char why[512] = "", v[4096];
	Diag d = {};
	char dir[PATH_MAX];
	bool hotplug = path_join(c->root, "/sys/devices/system/memory", dir, sizeof(dir)) == 0 && access(dir, F_OK) == 0;

	if (loader_command_line(c->root, c->config, &cmdline, why, sizeof(why)) < 0)
		report(c, LEVEL_FAIL, "capture cmdline", "cannot be made: %s", why);
	else if (cmdline_has(cmdline, CONFIG_CAPTURE_NO_HOTPLUG))
		report(c, LEVEL_OK, "capture cmdline", "%s", cmdline);
	else {
		report(c, hotplug ? LEVEL_WARN : LEVEL_INFO, "capture cmdline",
		       "%s: no " CONFIG_CAPTURE_NO_HOTPLUG " (CaptureMemoryHotplug=yes)%s", cmdline,
		       hotplug ? "; the capture kernel may write over hot-added memory it dumps" : "");
		if (hotplug)
			fix(c, "remove CaptureMemoryHotplug=yes");
	}
	/* What the distribution's kdump service loads when the daemon does not run. */
	if (hotplug && kdump_tools_load(c->root, &kt, &d) == 0 && kt.present &&
	    !cmdline_has(kt.cmdline_append.value ? kt.cmdline_append.value : KDUMP_TOOLS_DEFAULT_APPEND,
			 CONFIG_CAPTURE_NO_HOTPLUG)) {
		report(c, LEVEL_WARN, "kdump-tools", "KDUMP_CMDLINE_APPEND in /etc/default/kdump-tools lacks "
		       CONFIG_CAPTURE_NO_HOTPLUG ": its crash kernel (loaded before the daemon, or without it) "
		       "may write over hot-added memory");
		fix(c, "add " CONFIG_CAPTURE_NO_HOTPLUG " to KDUMP_CMDLINE_APPEND in /etc/default/kdump-tools");
	}
	if (hotplug && shell_var(c, "/etc/sysconfig/kdump", "KDUMP_COMMANDLINE_APPEND", v, sizeof(v)) &&
	    !cmdline_has(v, CONFIG_CAPTURE_NO_HOTPLUG)) {
		report(c, LEVEL_WARN, "kdump-utils", "KDUMP_COMMANDLINE_APPEND in /etc/sysconfig/kdump lacks "
		       CONFIG_CAPTURE_NO_HOTPLUG);
		fix(c, "add " CONFIG_CAPTURE_NO_HOTPLUG " to KDUMP_COMMANDLINE_APPEND in /etc/sysconfig/kdump, then "
		    "kdumpctl restart");
	}
}

/* The reloads the running daemon made, from its status.json: -errno when there is none. */
static int daemon_reloads(const Check *c, uint64_t *ret)
{
	char path[PATH_MAX];
	CtlStatus s;
	int r;

	if (!c->runtime_dir || snprintf(path, sizeof(path), "%s/status.json", c->runtime_dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = ctl_status_read(path, &s, NULL, 0);
	if (r < 0)
		return r;
	*ret = s.reloads + s.failures;
	return 0;
}

/* Each load, even a failed one, consumes one from kernel.kexec_load_limit_panic (-1 is
 * unlimited; the file exists since Linux 6.7). A burst the daemon cannot coalesce costs at
 * most CHECK_LOADS_PER_STORM loads in a row before its rate limit slows it down. */
#define CHECK_LOADS_PER_STORM 10
static void check_load_limit(Check *c)
{
	char v[64], used[96] = "", *end;
	uint64_t reloads;
	long long left;

	if (read_value(c, "/proc/sys/kernel/kexec_load_limit_panic", v, sizeof(v)) < 0)
		return;
	if (daemon_reloads(c, &reloads) == 0)
		snprintf(used, sizeof(used), "; the running daemon has made %" PRIu64 " load attempt%s since it started",
			 reloads, reloads == 1 ? "" : "s");
	errno = 0;
	left = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end || left < -1) {
		report(c, LEVEL_WARN, "kexec", "unexpected kernel.kexec_load_limit_panic \"%s\"", v);
		return;
	}
	if (left == -1)
		report(c, LEVEL_OK, "kexec", "crash kernel loads unlimited (kernel.kexec_load_limit_panic=-1)%s", used);
	else if (left == 0) {
		report(c, LEVEL_FAIL, "kexec", "no crash kernel loads left (kernel.kexec_load_limit_panic=0)%s: no reload "
		       "after hotplug can succeed", used);
		fix(c, "reboot; do not lower kernel.kexec_load_limit_panic, every hotplug reload uses one load");
	} else if (left < CHECK_LOADS_PER_STORM) {
		report(c, LEVEL_WARN, "kexec", "only %lld more crash kernel loads allowed (kernel.kexec_load_limit_panic), "
		       "fewer than one hotplug storm may take (%d)%s; each reload after hotplug uses one", left,
		       CHECK_LOADS_PER_STORM, used);
		fix(c, "leave kernel.kexec_load_limit_panic at -1 (sysctl.d); a lowered limit can only be reset by a reboot");
	} else
		report(c, LEVEL_OK, "kexec", "%lld more crash kernel loads allowed (kernel.kexec_load_limit_panic)%s",
		       left, used);
}

static void check_kexec(Check *c)
{
	char v[64];
	int r;

	r = read_value(c, "/proc/sys/kernel/kexec_load_disabled", v, sizeof(v));
	if (r == -ENOENT) {
		report(c, LEVEL_FAIL, "kexec", "not available: no /proc/sys/kernel/kexec_load_disabled, the kernel "
		       "has no kexec support (CONFIG_KEXEC_CORE)");
		fix(c, "boot a kernel built with CONFIG_KEXEC, CONFIG_KEXEC_FILE and CONFIG_CRASH_DUMP");
		return;
	}
	if (r < 0)
		report(c, LEVEL_WARN, "kexec", "cannot read /proc/sys/kernel/kexec_load_disabled: %s", strerror(-r));
	else if (streq(v, "1")) {
		report(c, LEVEL_FAIL, "kexec", "disabled until reboot (kernel.kexec_load_disabled=1): no crash kernel "
		       "can be loaded or reloaded");
		fix(c, "remove kernel.kexec_load_disabled=1 from /etc/sysctl.d and reboot (it cannot be cleared at run time)");
	} else
		report(c, LEVEL_OK, "kexec", "kexec_load(2) and kexec_file_load(2) allowed (kernel.kexec_load_disabled=0)");

	check_load_limit(c);
}

static void check_crash_region(Check *c)
{
	_cleanup_(iomem_freep) Iomem *m = NULL;
	uint64_t total = 0;
	unsigned n = 0;
	char v[64], sz[32];
	Diag d = {};
	int r;

	r = iomem_parse_file(c->root, &m, &d);
	if (r == 0) {
		for (size_t i = 0; i < m->n_entries; i++)
			if (streq(m->entries[i].name, "Crash kernel")) {
				total += m->entries[i].end - m->entries[i].start + 1;
				n++;
			}
		c->crash_bytes = total;
		if (n == 0) {
			report(c, LEVEL_FAIL, "crash memory", "none reserved: no \"Crash kernel\" in /proc/iomem");
			fix_crashkernel(c, 512);
		} else
			report(c, LEVEL_OK, "crash memory", "%s reserved in %u region%s", format_bytes(total, sz, sizeof(sz)),
			       n, n == 1 ? "" : "s");
		return;
	}

	/* Without CAP_SYS_ADMIN the kernel prints every iomem address as 0: ask sysfs instead. */
	if (read_value(c, "/sys/kernel/kexec_crash_size", v, sizeof(v)) == 0) {
		uint64_t bytes = strtoull(v, NULL, 10);

		c->crash_bytes = bytes;
		if (bytes > 0)
			report(c, LEVEL_OK, "crash memory", "%s reserved (/sys/kernel/kexec_crash_size)",
			       format_bytes(bytes, sz, sizeof(sz)));
		else {
			report(c, LEVEL_FAIL, "crash memory", "none reserved (/sys/kernel/kexec_crash_size is 0)");
			fix_crashkernel(c, 512);
		}
		return;
	}
	{
		char msg[sizeof(d.file) + sizeof(d.reason) + 16];

		report(c, LEVEL_WARN, "crash memory", "cannot tell: %s", diag_format(&d, msg, sizeof(msg)));
	}
}

static void check_loaded(Check *c)
{
	char v[16];
	int r = read_value(c, "/sys/kernel/kexec_crash_loaded", v, sizeof(v));

	if (r < 0)
		report(c, LEVEL_INFO, "crash kernel", "cannot tell whether one is loaded (/sys/kernel/kexec_crash_loaded: %s)",
		       strerror(-r));
	else if (streq(v, "1"))
		report(c, LEVEL_OK, "crash kernel", "loaded");
	else if (c->config->load_on_start && c->config->loader != LOADER_DRY_RUN)
		report(c, LEVEL_WARN, "crash kernel", "not loaded now; crash-hotplugd loads one when it starts (LoadOnStart=yes)");
	else {
		report(c, LEVEL_FAIL, "crash kernel", "not loaded, and nothing will load one (LoadOnStart=no or Loader=dry-run)");
		fix(c, "set LoadOnStart=yes, or let the distribution's kdump service load it first");
	}
}

/* What the running daemon says of this machine, so that check and status never disagree: a
 * daemon that reports UNPROTECTED is a problem. One that does not run is only noted: check
 * is also what to run before starting it. */
static void check_daemon(Check *c, const CtlArgs *a)
{
	char why[PATH_MAX + 1280], msg[CTL_ESCAPED_SIZE(sizeof(((StatusRecord *)0)->message))],
		cerr[CTL_ESCAPED_SIZE(sizeof(((StatusRecord *)0)->config_error))];
	StatusRecord s;
	bool running;
	int r = ctl_daemon_read(a, &s, &running, why, sizeof(why));

	if (r != CTL_EXIT_OK || !running) {
		report(c, LEVEL_INFO, "daemon", "not running (%s): nothing reloads the crash kernel after a hotplug", why);
		return;
	}
	ctl_escape(s.message, msg, sizeof(msg));
	if (daemon_state_is_protected(s.state))
		report(c, LEVEL_OK, "daemon", "pid %" PRId64 ": %s", s.pid, msg);
	else if (streq(s.state, "unprotected"))
		report(c, LEVEL_FAIL, "daemon", "pid %" PRId64 " reports %s", s.pid, msg);
	else
		report(c, LEVEL_INFO, "daemon", "pid %" PRId64 " is %s: %s", s.pid, s.state, msg);
	if (s.config_error[0])
		report(c, LEVEL_WARN, "daemon config", "the last reload of the configuration was refused, the daemon "
		       "runs with the previous one: %s", ctl_escape(s.config_error, cerr, sizeof(cerr)));
}

static void check_lockdown(Check *c)
{
	char v[128];
	const char *open_b, *close_b;
	int r = read_value(c, "/sys/kernel/security/lockdown", v, sizeof(v));
	bool needs_kexec_load = c->config->loader == LOADER_SEGMENTS || c->config->loader == LOADER_KEXEC_TOOLS;

	if (r < 0) {
		report(c, LEVEL_INFO, "lockdown", "unknown (no /sys/kernel/security/lockdown: securityfs not mounted or "
		       "no lockdown LSM); assuming none");
		return;
	}
	/* "none [integrity] confidentiality": the active mode is the bracketed one. */
	open_b = strchr(v, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (!open_b || !close_b) {
		report(c, LEVEL_WARN, "lockdown", "unexpected /sys/kernel/security/lockdown: \"%s\"", v);
		return;
	}
	*(char *)close_b = '\0';
	if (streq(open_b + 1, "none")) {
		report(c, LEVEL_OK, "lockdown", "none: every loader can work");
		return;
	}
	if (needs_kexec_load) {
		report(c, LEVEL_FAIL, "lockdown", "%s: kexec_load(2) is refused (EPERM), Loader=%s cannot load",
		       open_b + 1, loader_kind_to_string(c->config->loader));
		fix(c, "Loader=file (kexec_file_load(2) with a signed kernel) or Loader=auto");
	} else
		report(c, LEVEL_INFO, "lockdown", "%s: only kexec_file_load(2) with a kernel signed by a trusted key works; "
		       "Loader=auto uses it", open_b + 1);
}

static int read_flag(Check *c, const char *path)
{
	char v[16];

	if (read_value(c, path, v, sizeof(v)) < 0)
		return -1;
	return streq(v, "1");
}

static void check_crash_hotplug(Check *c)
{
	int cpu = read_flag(c, "/sys/devices/system/cpu/crash_hotplug");
	int mem = read_flag(c, "/sys/devices/system/memory/crash_hotplug");
	LoaderKind l = c->config->loader;

	if (cpu < 0 && mem < 0) {
		c->crash_hotplug = -1;
		report(c, LEVEL_OK, "crash_hotplug", "kernel without CONFIG_CRASH_HOTPLUG: the header must be rebuilt from "
		       "userspace after hotplug, which is what crash-hotplugd does");
		return;
	}
	c->crash_hotplug = cpu == 1 && mem == 1;
	if (c->crash_hotplug) {
		if (l == LOADER_AUTO || l == LOADER_KERNEL)
			report(c, LEVEL_OK, "crash_hotplug", "cpu=1 memory=1: the kernel updates the loaded header itself; "
			       "crash-hotplugd only watches (Loader=kernel)");
		else
			report(c, LEVEL_WARN, "crash_hotplug", "cpu=1 memory=1: the kernel updates the loaded header itself, "
			       "Loader=%s reloads for nothing", loader_kind_to_string(l));
		return;
	}
	if (l == LOADER_KERNEL) {
		report(c, LEVEL_FAIL, "crash_hotplug", "cpu=%d memory=%d but Loader=kernel: nobody updates the header after "
		       "hotplug", cpu, mem);
		fix(c, "Loader=auto");
		return;
	}
	/* 0 also when no image is loaded yet: the kernel reports the loaded image's support. */
	report(c, LEVEL_OK, "crash_hotplug", "cpu=%d memory=%d: the loaded image is not updated by the kernel; "
	       "crash-hotplugd reloads it", cpu, mem);
}

/* The header as the daemon would build it: one it would refuse to load is a FAIL. */
static void check_header(Check *c, const Topology *t, unsigned max)
{
	_cleanup_(freep) void *buf = NULL;
	size_t cap = elfcorehdr_capacity(max), used = 0;
	char reason[256];
	int r;

	buf = cap ? malloc(cap) : NULL;
	if (!buf)
		return;
	r = elfcorehdr_build(t, max, buf, cap, &used);
	if (r != 0) /* over capacity is reported above; nothing else to say about a header */
		return;
	if (elfcorehdr_validate(buf, cap, NULL, reason, sizeof(reason)) < 0)
		report(c, LEVEL_FAIL, "header", "the header built from this topology is not valid: %s; the daemon "
		       "refuses to load it", reason);
}

static void check_topology(Check *c)
{
	_cleanup_(topology_freep) Topology *t = NULL;
	unsigned max;
	size_t need;
	char v[64], sz[32];
	Diag d = {};
	int r;

	r = topology_read(c->root, &t, &d);
	if (r < 0) {
		char msg[sizeof(d.file) + sizeof(d.reason) + 16];

		/* The daemon reads the same files: without a topology it builds no header and
		 * stays UNPROTECTED. Only a reader without root's rights cannot tell. */
		if (r == -EACCES || r == -EPERM) {
			report(c, LEVEL_WARN, "topology", "cannot read as this user: %s", diag_format(&d, msg, sizeof(msg)));
			fix(c, "run as root: /proc/iomem and cpuN/crash_notes are readable by root only");
		} else
			report(c, LEVEL_FAIL, "topology", "cannot read: %s; the daemon would stay UNPROTECTED",
			       diag_format(&d, msg, sizeof(msg)));
		return;
	}
	max = config_max_phdrs(c->config, t->n_possible);
	need = elfcorehdr_phdrs_needed(t);
	c->header_bytes = elfcorehdr_capacity(max);
	/* RAM present, as the estimators count it: System RAM, the crash region inside it too. */
	c->ram_bytes = topology_ram_bytes(t);
	for (size_t i = 0; i < t->n_crash; i++)
		c->ram_bytes += t->crash[i].end - t->crash[i].start + 1;
	if (need > max) {
		report(c, LEVEL_FAIL, "capacity", "%zu program headers needed (%zu CPUs, %zu RAM ranges), MaxPhdrs=%u",
		       need, t->n_cpus, t->n_ram, max);
		fix(c, "raise MaxPhdrs= (at most %u)", ELFCOREHDR_MAX_PHDRS);
	} else
		report(c, LEVEL_OK, "capacity", "%zu of %u program headers used (%zu CPUs, %zu RAM ranges, %s), header %zu bytes",
		       need, max, t->n_cpus, t->n_ram, format_bytes(topology_ram_bytes(t), sz, sizeof(sz)),
		       elfcorehdr_capacity(max));
	check_header(c, t, max);
	if (t->ram_driver_managed > 0 && (t->arch ? t->arch : arch_native())->kexec_tools_drops_driver_managed &&
	    ctl_plan_loader(c->root, c->config) == LOADER_KEXEC_TOOLS) {
		report(c, LEVEL_WARN, "ram left out", "%s of driver-managed RAM (\"System RAM (virtio_mem)\", \"(kmem)\") "
		       "will not be in the crash header: Loader=%s resolves to kexec-tools, whose %s header leaves it out, "
		       "so a dump misses it", format_bytes(t->ram_driver_managed, sz, sizeof(sz)),
		       loader_kind_to_string(c->config->loader), (t->arch ? t->arch : arch_native())->name);
		fix(c, "Loader=segments or Loader=auto (crash-hotplugd's own header has it)");
	}
	if (!t->kmap.from_kcore) {
		char cmdline[4096] = "";

		/* Guessed values are right only when the kernel was not randomised at boot. */
		(void)read_value(c, "/proc/cmdline", cmdline, sizeof(cmdline));
		report(c, cmdline_has(cmdline, "nokaslr") ? LEVEL_WARN : LEVEL_FAIL, "kernel map",
		       "/proc/kcore unreadable: PAGE_OFFSET 0x%" PRIx64 " and kernel text 0x%" PRIx64 " GUESSED, wrong "
		       "under KASLR%s; makedumpfile and crash would misread the dump",
		       t->kmap.page_offset, t->kmap.text_vaddr,
		       cmdline_has(cmdline, "nokaslr") ? " (booted with nokaslr: right here)" : "");
		fix(c, "run as root with CAP_SYS_RAWIO, and without ProtectKernelTunables=yes in a unit (it hides /proc/kcore)");
	} else
		report(c, LEVEL_OK, "kernel map", "from /proc/kcore: PAGE_OFFSET 0x%" PRIx64 ", text 0x%" PRIx64 "%s",
		       t->kmap.page_offset, t->kmap.text_vaddr,
		       t->arch && t->kmap.text_vaddr != t->arch->text_vaddr_unrandomised ? " (KASLR active)" : "");

	/* With CONFIG_CRASH_HOTPLUG the kernel's own header has a fixed room too (phdrs only). */
	if (read_value(c, "/sys/kernel/crash_elfcorehdr_size", v, sizeof(v)) == 0) {
		uint64_t room = strtoull(v, NULL, 0) / sizeof(Elf64_Phdr);
		size_t kneed = loader_kernel_phdrs_needed(t);

		if (room < kneed)
			report(c, LEVEL_WARN, "kernel header", "the kernel's hotplug header has room for %" PRIu64
			       " program headers, %zu are needed now (one per possible CPU): crash-hotplugd loads its own",
			       room, kneed);
		else
			report(c, LEVEL_INFO, "kernel header", "room for %" PRIu64 " program headers (/sys/kernel/crash_elfcorehdr_size)",
			       room);
	}
}

/* ---- the distribution's kdump tooling ------------------------------------------------- */

static void fix_trust(Check *c, const char *file)
{
	fix(c, "chown root: %s && chmod go-w %s", file, file);
}

/* Which tooling is installed, and what the daemon takes from it. */
static void check_kdump_tooling(Check *c)
{
	_cleanup_(kdump_tools_done) KdumpTools kt = {};
	_cleanup_(freep) char *cmdline = NULL;
	char buf[PATH_MAX + 600], why[512] = "";
	Diag d = {};
	int r;

	r = kdump_tools_load(c->root, &kt, &d);
	if (r < 0) {
		report(c, LEVEL_FAIL, "kdump-tools", "%s: the daemon cannot take the kernel, initrd and command line "
		       "from it and loads nothing", diag_format(&d, buf, sizeof(buf)));
		if (r == -EPERM)
			fix_trust(c, d.file);
		else
			fix(c, "write plain assignments in " KDUMP_TOOLS_DEFAULTS ", or set Kernel=, Initrd= and "
			    "CommandLine= in crash-hotplugd.conf");
	} else if (kt.present) {
		const char *taken[3];
		size_t n = 0;
		char list[128] = "";

		if (!c->config->kernel)
			taken[n++] = "kernel";
		if (!c->config->initrd)
			taken[n++] = "initrd";
		if (!c->config->command_line)
			taken[n++] = "capture command line";
		for (size_t i = 0; i < n; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
				 taken[i]);
		if (n > 0)
			report(c, LEVEL_OK, "kdump-tools", KDUMP_TOOLS_DEFAULTS " found: the daemon loads its %s, as kdump-config "
			       "computes them; kdump-tools' udev rule is masked while the daemon runs", list);
		else
			report(c, LEVEL_OK, "kdump-tools", KDUMP_TOOLS_DEFAULTS " found; Kernel=, Initrd= and CommandLine= set "
			       "in crash-hotplugd.conf override it");
		if (loader_command_line(c->root, c->config, &cmdline, why, sizeof(why)) == 0 &&
		    !cmdline_has(cmdline, "systemd.unit")) {
			report(c, LEVEL_WARN, "kdump-tools", "the capture command line lacks " KDUMP_TOOLS_DUMP_UNIT
			       ": the capture kernel boots the default target instead of saving the dump to "
			       "KDUMP_COREDIR");
			fix(c, "add " KDUMP_TOOLS_DUMP_UNIT " to CommandLine= in crash-hotplugd.conf, or unset CommandLine=");
		}
	}
	if (path_join(c->root, "/etc/sysconfig/kdump", buf, sizeof(buf)) == 0 && access(buf, F_OK) == 0)
		report(c, LEVEL_INFO, "kdump-utils", "/etc/sysconfig/kdump found: the daemon does not read it (set "
		       "Kernel=, Initrd= and CommandLine= to what kdumpctl loads); its udev rule is masked while the "
		       "daemon runs");
}

/* ---- distribution udev rules that reload over the daemon -------------------------------- */

/* Highest priority first, as udev reads them: a name in a higher directory hides lower ones. */
static const char *const udev_rule_dirs[] = {
	"/etc/udev/rules.d",
	"/run/udev/rules.d",
	"/usr/local/lib/udev/rules.d",
	"/usr/lib/udev/rules.d",
	"/lib/udev/rules.d",
};

static const struct {
	const char *name, *package, *action;
} known_rules[] = {
	{ "98-kexec.rules", "kdump-utils (Fedora, RHEL, CentOS)",
	  "runs kdumpctl reload (through kdump-udev-throttler) on CPU and memory events" },
	{ "50-kdump-tools.rules", "kdump-tools (Debian, Ubuntu)", "runs kdump-config try-reload on CPU and memory events" },
	{ "60-kdump-tools.rules", "kdump-tools (Debian, Ubuntu)", "runs kdump-config try-reload on CPU and memory events" },
	{ "70-kdump.rules", "kdump (SUSE)", "restarts the kdump service on memory events" },
};

/* What distribution rules run to reload: found in a rule of another name, it is a conflict too. */
static const char *const reload_markers[] = {
	"kdump-udev-throttler", "kdumpctl reload", "kdump-config try-reload", "kdump-config reload",
	"try-restart kdump",
};

typedef struct RuleSeen {
	char name[NAME_MAX + 1];
} RuleSeen;

static bool file_contains_marker(const char *path, const char **ret_marker)
{
	_cleanup_(fclosep) FILE *f = path_fopen(NULL, path, "re"); /* no FIFO, no device */
	_cleanup_(freep) char *line = NULL;
	size_t cap = 0;

	if (!f)
		return false;
	while (getline(&line, &cap, f) >= 0) {
		const char *p = line + strspn(line, " \t");

		if (*p == '#')
			continue;
		for (size_t i = 0; i < ELEMENTSOF(reload_markers); i++)
			if (strstr(p, reload_markers[i])) {
				*ret_marker = reload_markers[i];
				return true;
			}
	}
	return false;
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Masked the udev way: the file that wins is a symlink to /dev/null, or empty. */
static bool rule_masked(const char *full)
{
	char target[PATH_MAX];
	ssize_t n = readlink(full, target, sizeof(target) - 1);
	struct stat st;

	if (n > 0) {
		target[n] = '\0';
		if (streq(target, "/dev/null"))
			return true;
	}
	return stat(full, &st) == 0 && (S_ISCHR(st.st_mode) || st.st_size == 0);
}

static void report_conflict(Check *c, const char *dir, const char *name, const char *package, const char *action)
{
	/* The kdump-utils rule steps aside while the kernel updates the header itself. */
	Level level = c->crash_hotplug == 1 ? LEVEL_WARN : LEVEL_FAIL;

	report(c, level, "udev rule", "%s/%s from %s %s, reloading the crash kernel over crash-hotplugd (a window "
	       "without a crash kernel per event)%s", dir, name, package, action,
	       level == LEVEL_WARN ? "; harmless only while the kernel handles hotplug" : "");
	for (const UdevMaskRule *rule = udev_mask_rules; rule->name; rule++)
		if (streq(rule->name, name) && !streq(dir, "/etc/udev/rules.d"))
			fix(c, "systemctl restart crash-hotplugd: its unit masks %s while the daemon runs", name);
	fix(c, "ln -s /dev/null /etc/udev/rules.d/%s && udevadm control --reload", name);
}

static void check_udev_rules(Check *c)
{
	_cleanup_(freep) RuleSeen *seen = NULL;
	size_t n_seen = 0, cap_seen = 0;
	unsigned conflicts = 0, masked = 0;

	for (size_t k = 0; k < ELEMENTSOF(udev_rule_dirs); k++) {
		_cleanup_(closedirp) DIR *dh = NULL;
		char dir[PATH_MAX];
		struct dirent *de;

		if (path_join(c->root, udev_rule_dirs[k], dir, sizeof(dir)) < 0)
			continue;
		dh = opendir(dir);
		if (!dh)
			continue;
		while ((de = readdir(dh))) {
			char full[PATH_MAX * 2];
			const char *marker = NULL, *package = NULL, *action = NULL;
			size_t len = strlen(de->d_name);
			bool hidden = false;

			if (len < 7 || !streq(de->d_name + len - 6, ".rules") || len > NAME_MAX)
				continue;
			for (size_t i = 0; i < n_seen; i++)
				if (streq(seen[i].name, de->d_name))
					hidden = true;
			if (hidden)
				continue; /* a higher directory's file of this name is the one udev reads */
			if (n_seen == cap_seen) {
				RuleSeen *s;

				cap_seen = cap_seen ? cap_seen * 2 : 64;
				s = reallocarray(seen, cap_seen, sizeof(*seen));
				if (!s)
					return;
				seen = s;
			}
			snprintf(seen[n_seen++].name, sizeof(seen->name), "%s", de->d_name);
			/* Our own rule mentions none of the markers; skip it anyway. */
			if (strstr(de->d_name, "crash-hotplugd"))
				continue;

			snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
			for (size_t i = 0; i < ELEMENTSOF(known_rules); i++)
				if (streq(de->d_name, known_rules[i].name)) {
					package = known_rules[i].package;
					action = known_rules[i].action;
				}
			if (!package && !file_contains_marker(full, &marker))
				continue;
			if (streq(udev_rule_dirs[k], UDEV_MASK_DIR) &&
			    udev_rule_state(c->root, de->d_name, NULL) == UDEV_RULE_MASKED) {
				masked++;
				report(c, LEVEL_OK, "udev rule", "%s of %s is masked by crash-hotplugd while it runs (%s/%s, "
				       "removed when it stops)", de->d_name, package ? package : "another package",
				       UDEV_MASK_DIR, de->d_name);
				continue;
			}
			if (rule_masked(full)) {
				masked++;
				report(c, LEVEL_OK, "udev rule", "%s/%s is masked", udev_rule_dirs[k], de->d_name);
				continue;
			}
			conflicts++;
			if (package)
				report_conflict(c, udev_rule_dirs[k], de->d_name, package, action);
			else {
				char what[128];

				snprintf(what, sizeof(what), "runs \"%s\" on events", marker);
				report_conflict(c, udev_rule_dirs[k], de->d_name, "another package", what);
			}
		}
	}
	if (conflicts == 0 && masked == 0)
		report(c, LEVEL_OK, "udev rules", "no distribution rule reloads the crash kernel on hotplug");
}

/* ---- trust: what the root daemon loads and writes ------------------------------------ */

/* What stands at root + path when the resolver did not find a regular file there. */
static const char *missing_reason(const Check *c, const char *path)
{
	char full[PATH_MAX];
	struct stat st;

	if (path_join(c->root, path, full, sizeof(full)) < 0)
		return "path too long";
	if (stat(full, &st) < 0)
		return errno == ENOENT ? "does not exist" : strerror(errno);
	if (S_ISDIR(st.st_mode))
		return "is a directory, not a file";
	return S_ISREG(st.st_mode) ? "cannot be read" : "is not a regular file (a FIFO, device or socket)";
}

/* Kernel= or Initrd= as the loaders resolve it (r and path from loader_resolve_*()): it must
 * exist, be a regular file this user can open and, for the root daemon, be root's alone.
 * configured: the key is set (Initrd= unset with no kdump initrd found loads without one).
 * The file's size goes into *ret_size for the room check. */
static void check_input_file(Check *c, const char *what, const char *key, const char *configured, int r,
			     const char *path, const char *why, uint64_t *ret_size)
{
	_cleanup_(closep) int fd = -1;
	char sz[32];
	struct stat st;
	Diag d = {};

	if (r == 0 && !path[0]) {
		/* The resolver's plan is a load without an initrd (none configured or found). */
		report(c, LEVEL_INFO, what, "%s: the crash kernel is loaded without an initrd", why);
		return;
	}
	if (r == -ENOENT || r == -ENAMETOOLONG) {
		const char *p = configured ? configured : path[0] ? path : NULL;

		if (p)
			report(c, LEVEL_FAIL, what, "%s=%s %s%s: no crash kernel can be loaded", key, p,
			       r == -ENAMETOOLONG ? "is too long" : missing_reason(c, p), configured ? "" : " (the default)");
		else
			report(c, LEVEL_FAIL, what, "%s: no crash kernel can be loaded", why);
		fix(c, "set %s= to an existing file (crash-hotplugd.conf(5))", key);
		return;
	}
	if (r == -EPERM) {
		report(c, LEVEL_FAIL, what, "%s: the daemon would not load it", why);
		if (trust_check_path(c->root, path, &d) == -EPERM)
			fix_trust(c, d.file);
		return;
	}
	if (r < 0) {
		report(c, LEVEL_FAIL, what, "%s: %s", why[0] ? why : path, strerror(-r));
		return;
	}
	/* Readable: the loaders open it the same way (no FIFO, nothing that blocks). */
	r = path_open_regular(c->root, path, 0, &fd, &st, &d);
	if (r < 0) {
		char msg[sizeof(d.file) + sizeof(d.reason) + 16];

		report(c, r == -EACCES && geteuid() != 0 ? LEVEL_WARN : LEVEL_FAIL, what, "%s",
		       diag_format(&d, msg, sizeof(msg)));
		if (r == -EACCES)
			fix(c, "run as root, or make %s readable by root", path);
		return;
	}
	if (st.st_size == 0) {
		report(c, LEVEL_FAIL, what, "%s is empty: no crash kernel can be loaded from it", path);
		fix(c, "set %s= to the right file, or reinstall it", key);
		return;
	}
	*ret_size = (uint64_t)st.st_size;
	report(c, LEVEL_OK, what, "%s (%s): owned by root, writable by root only (and every directory to it)", path,
	       format_bytes((uint64_t)st.st_size, sz, sizeof(sz)));
}

static void check_inputs(Check *c)
{
	char path[PATH_MAX] = "", why[512] = "";
	struct utsname u;
	const char *release = uname(&u) == 0 ? u.release : "unknown";
	int r;

	r = loader_resolve_kernel(c->root, c->config, release, path, sizeof(path), why, sizeof(why));
	check_input_file(c, "kernel", "Kernel", c->config->kernel, r, path, why, &c->kernel_bytes);
	path[0] = why[0] = '\0';
	r = loader_resolve_initrd(c->root, c->config, release, path, sizeof(path), why, sizeof(why));
	check_input_file(c, "initrd", "Initrd", c->config->initrd, r, path, why, &c->initrd_bytes);
}

/* What kdump-utils recommends for this much RAM (kdump-lib.sh, kdump_get_arch_recommend_crashkernel()
 * and get_system_size(), x86_64 and s390x): System RAM rounded up to 128 MiB, in whole GiB;
 * 2G-64G:256M, 64G-:512M, nothing below 2 GiB (64 MiB more under AMD SME/SEV, not detected
 * here). 0: no figure. */
uint64_t ctl_recommended_crash_mib(uint64_t ram_bytes)
{
	uint64_t gib = (ram_bytes / (1024 * 1024) + 127) / 128 * 128 / 1024;

	if (gib < 2)
		return 0;
	return gib < 64 ? 256 : 512;
}

/* The reservation: /sys/kernel/kexec_crash_size, else what /proc/iomem showed (0: none). */
static uint64_t crash_size(const Check *c)
{
	char v[64];

	if (read_value(c, "/sys/kernel/kexec_crash_size", v, sizeof(v)) == 0 && strtoull(v, NULL, 10) > 0)
		return strtoull(v, NULL, 10);
	return c->crash_bytes;
}

/* Does everything a load places fit in the reservation? */
static void check_room(Check *c)
{
	uint64_t crash = crash_size(c), need, purgatory = 0;
	char s_need[32], s_crash[32], s_k[32], s_i[32], s_h[32];

	if (crash == 0 || c->kernel_bytes == 0)
		return; /* reported above: nothing reserved, or no kernel */
#if defined(__x86_64__)
	purgatory = purgatory_memsz;
#endif
	need = c->kernel_bytes + c->initrd_bytes + c->header_bytes + purgatory;
	format_bytes(need, s_need, sizeof(s_need));
	format_bytes(crash, s_crash, sizeof(s_crash));
	format_bytes(c->kernel_bytes, s_k, sizeof(s_k));
	format_bytes(c->initrd_bytes, s_i, sizeof(s_i));
	format_bytes(c->header_bytes, s_h, sizeof(s_h));
	if (need > crash) {
		report(c, LEVEL_FAIL, "crash room", "kernel %s + initrd %s + header %s + purgatory = %s, more than the %s "
		       "reserved: every load fails (EADDRNOTAVAIL or ENOMEM)", s_k, s_i, s_h, s_need, s_crash);
		/* Twice what is placed, for the capture kernel to run in, in 64 MiB steps. */
		fix_crashkernel(c, ALIGN_UP(2 * need, 64ULL << 20) >> 20);
	} else
		report(c, LEVEL_OK, "crash room", "kernel %s + initrd %s + header %s + purgatory = %s of the %s reserved",
		       s_k, s_i, s_h, s_need, s_crash);
}

/* Is the reservation what the distribution's estimator asks for the RAM present now? Hot-added
 * memory raises the figure, the reservation stays what the boot made it. */
static void check_estimate(Check *c)
{
	uint64_t crash = crash_size(c), mib;
	char s_crash[32], s_ram[32];

	if (crash == 0 || c->ram_bytes == 0)
		return;
	mib = ctl_recommended_crash_mib(c->ram_bytes);
	format_bytes(crash, s_crash, sizeof(s_crash));
	format_bytes(c->ram_bytes, s_ram, sizeof(s_ram));
	if (mib == 0)
		report(c, LEVEL_INFO, "crash estimate", "%s of RAM: below 2 GiB kdump-utils recommends no size", s_ram);
	else if (crash < (mib << 20)) {
		report(c, LEVEL_WARN, "crash estimate", "%s reserved, kdump-utils' estimate for the %s of RAM present now "
		       "is %" PRIu64 " MiB: the capture kernel may run out of memory while it saves the dump", s_crash,
		       s_ram, mib);
		fix_crashkernel(c, mib);
	} else
		report(c, LEVEL_OK, "crash estimate", "%s reserved, at least kdump-utils' estimate of %" PRIu64 " MiB for "
		       "the %s of RAM present now", s_crash, mib, s_ram);
}

static void check_dry_run_output(Check *c)
{
	char def[PATH_MAX];
	const char *out = config_dry_run_output(c->config);
	struct stat st;
	int r, fd = -1;
	Diag d = {};

	/* Unset: the daemon writes under its runtime directory. */
	if (!out) {
		snprintf(def, sizeof(def), "%s/dry-run", c->runtime_dir ? c->runtime_dir : "/run/crash-hotplugd");
		out = def;
	}
	/* DryRunOutput is not under the root: the admin's path as it is. Only if it exists
	 * (the loader creates a missing one) or the dry-run loader is chosen. */
	if (lstat(out, &st) < 0) {
		if (c->config->loader == LOADER_DRY_RUN)
			report(c, LEVEL_INFO, "dry-run output", "%s does not exist yet: the loader creates it (0755)", out);
		return;
	}
	r = trust_open_dir(out, &fd, &d);
	if (fd >= 0)
		close(fd);
	if (r == -ELOOP) {
		report(c, LEVEL_FAIL, "dry-run output", "DryRunOutput=%s %s", out, d.reason);
		fix(c, "rm %s && mkdir -m 0755 %s (a directory of root's, not a link)", out, out);
	} else if (r == -EPERM) {
		report(c, LEVEL_FAIL, "dry-run output", "DryRunOutput=%s %s: the daemon would not write there", out,
		       d.reason);
		fix_trust(c, out);
	} else if (r < 0)
		report(c, c->config->loader == LOADER_DRY_RUN ? LEVEL_FAIL : LEVEL_WARN, "dry-run output",
		       "DryRunOutput=%s: %s", out, d.reason);
	else
		report(c, LEVEL_OK, "dry-run output", "%s: a directory of root's, writable by root only", out);
}

/* Configuration warnings (unknown keys, keys outside [Daemon]) are report lines too: a file the
 * daemon partly ignores is not "ok". Printed on stderr as well, as every command does. */
static void config_warning(void *userdata, const char *file, unsigned line, const char *msg)
{
	Check *c = userdata;

	ctl_print_config_warning(NULL, file, line, msg);
	report(c, LEVEL_WARN, "configuration", "%s:%u: %s", file, line, msg);
	fix(c, "correct or remove line %u of %s (every key belongs under [Daemon], see crash-hotplugd.conf(5))", line,
	    file);
}

/* The configuration as the daemon would load it, reported: 0, or the exit code. */
static int check_config(Check *c, const CtlArgs *a, Config **ret)
{
	_cleanup_(config_freep) Config *config = NULL;
	char quiet[32], delay[32], msg[sizeof(((Diag *)0)->file) + sizeof(((Diag *)0)->reason) + 16];
	Diag d = {};
	int r;

	r = config_load(a->root, a->config, config_warning, c, &config, &d);
	if (r == -EPERM) {
		report(c, LEVEL_FAIL, "configuration", "refused: %s %s; the daemon would refuse to start, or keep its "
		       "previous configuration on reload", d.file, d.reason);
		fix_trust(c, d.file);
	} else if (r < 0)
		report(c, LEVEL_FAIL, "configuration", "invalid: %s; the daemon would refuse to start, or keep its "
		       "previous configuration on reload", diag_format(&d, msg, sizeof(msg)));
	if (r < 0) {
		fprintf(stderr, "error: %s\n", diag_format(&d, msg, sizeof(msg)));
		return CTL_EXIT_CONFIG;
	}
	snprintf(quiet, sizeof(quiet), "%g s", (double)config->quiet_usec / 1e6);
	snprintf(delay, sizeof(delay), "%g s", (double)config->max_delay_usec / 1e6);
	/* The warnings were reported as they came: this line says the file is still usable. */
	report(c, LEVEL_OK, "configuration", "valid%s: Loader=%s QuietPeriodSec=%s MaxDelaySec=%s MaxPhdrs=%s%u%s",
	       c->counts[LEVEL_WARN] ? ", but see the warnings above" : "", loader_kind_to_string(config->loader),
	       quiet, delay, config->max_phdrs ? "" : "(default: ",
	       config->max_phdrs ? config->max_phdrs : 2 + CONFIG_DEFAULT_MEMORY_RANGES,
	       config->max_phdrs ? "" : " + possible CPUs)");
	*ret = TAKE_PTR(config);
	return CTL_EXIT_OK;
}

int ctl_check(const CtlArgs *a)
{
	_cleanup_(config_freep) Config *config = NULL;
	_cleanup_(check_done) Check c = { .root = a->root, .runtime_dir = a->runtime_dir, .crash_hotplug = -1 };
	int r, exit_code;

	r = check_config(&c, a, &config);
	if (r == CTL_EXIT_OK) {
		c.config = config;
		check_kexec(&c);
		check_crash_region(&c);
		check_loaded(&c);
		check_daemon(&c, a);
		check_lockdown(&c);
		check_crash_hotplug(&c);
		check_topology(&c);
		check_inputs(&c);
		check_room(&c);
		check_estimate(&c);
		check_capture_cmdline(&c);
		check_kdump_tooling(&c);
		check_udev_rules(&c);
		check_dry_run_output(&c);
		exit_code = check_verdict(&c) == LEVEL_FAIL ? CTL_EXIT_PROBLEMS
			    : check_verdict(&c) == LEVEL_WARN ? CTL_EXIT_WARNINGS
							     : CTL_EXIT_OK;
	} else {
		check_daemon(&c, a); /* what the running daemon does meanwhile, with its previous one */
		exit_code = r;
	}

	if (a->json) {
		if (check_print_json(&c) < 0)
			return CTL_EXIT_FAILURE;
	} else
		check_print_text(&c);
	if (c.oom) {
		fprintf(stderr, "error: out of memory: the report is incomplete\n");
		return CTL_EXIT_FAILURE;
	}
	return fflush(stdout) == 0 ? exit_code : CTL_EXIT_FAILURE;
}
