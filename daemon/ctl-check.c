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

#include "ctl.h"
#include "loader.h"
#include "elfcorehdr.h"
#include "iomem.h"
#include "path.h"
#include "topology.h"
#include "kdump-tools.h"
#include "shellvars.h"
#include "trust.h"
#include "udev-mask.h"

typedef enum Level { LEVEL_OK, LEVEL_INFO, LEVEL_WARN, LEVEL_FAIL } Level;

typedef struct Check {
	const char *root;
	const Config *config;
	const char *runtime_dir; /* where the daemon runs: DryRunOutput's default is under it */
	unsigned fails, warns;
	int crash_hotplug; /* 1 both cpu and memory read 1, 0 otherwise, -1 unknown */
} Check;

_printf_(4, 5) static void report(Check *c, Level level, const char *what, const char *fmt, ...)
{
	static const char *const tags[] = { "ok", "info", "warn", "FAIL" };
	va_list ap;

	if (level == LEVEL_FAIL)
		c->fails++;
	else if (level == LEVEL_WARN)
		c->warns++;
	printf("%-5s %-18s ", tags[level], what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* What to do about the line just reported, indented under it. */
_printf_(1, 2) static void fix(const char *fmt, ...)
{
	va_list ap;

	printf("      %-18s ", "fix:");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
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
			fix("remove CaptureMemoryHotplug=yes");
	}
	/* What the distribution's kdump service loads when the daemon does not run. */
	if (hotplug && kdump_tools_load(c->root, &kt, &d) == 0 && kt.present &&
	    !cmdline_has(kt.cmdline_append.value ? kt.cmdline_append.value : KDUMP_TOOLS_DEFAULT_APPEND,
			 CONFIG_CAPTURE_NO_HOTPLUG)) {
		report(c, LEVEL_WARN, "kdump-tools", "KDUMP_CMDLINE_APPEND in /etc/default/kdump-tools lacks "
		       CONFIG_CAPTURE_NO_HOTPLUG ": its crash kernel (loaded before the daemon, or without it) "
		       "may write over hot-added memory");
		fix("add " CONFIG_CAPTURE_NO_HOTPLUG " to KDUMP_CMDLINE_APPEND in /etc/default/kdump-tools");
	}
	if (hotplug && shell_var(c, "/etc/sysconfig/kdump", "KDUMP_COMMANDLINE_APPEND", v, sizeof(v)) &&
	    !cmdline_has(v, CONFIG_CAPTURE_NO_HOTPLUG)) {
		report(c, LEVEL_WARN, "kdump-utils", "KDUMP_COMMANDLINE_APPEND in /etc/sysconfig/kdump lacks "
		       CONFIG_CAPTURE_NO_HOTPLUG);
		fix("add " CONFIG_CAPTURE_NO_HOTPLUG " to KDUMP_COMMANDLINE_APPEND in /etc/sysconfig/kdump, then "
		    "kdumpctl restart");
	}
}

static void check_kexec(Check *c)
{
	char v[64];
	int r;

	r = read_value(c, "/proc/sys/kernel/kexec_load_disabled", v, sizeof(v));
	if (r == -ENOENT) {
		report(c, LEVEL_FAIL, "kexec", "not available: no /proc/sys/kernel/kexec_load_disabled, the kernel "
		       "has no kexec support (CONFIG_KEXEC_CORE)");
		fix("boot a kernel built with CONFIG_KEXEC, CONFIG_KEXEC_FILE and CONFIG_CRASH_DUMP");
		return;
	}
	if (r < 0)
		report(c, LEVEL_WARN, "kexec", "cannot read /proc/sys/kernel/kexec_load_disabled: %s", strerror(-r));
	else if (streq(v, "1")) {
		report(c, LEVEL_FAIL, "kexec", "disabled until reboot (kernel.kexec_load_disabled=1): no crash kernel "
		       "can be loaded or reloaded");
		fix("remove kernel.kexec_load_disabled=1 from /etc/sysctl.d and reboot (it cannot be cleared at run time)");
	} else
		report(c, LEVEL_OK, "kexec", "kexec_load(2) and kexec_file_load(2) allowed (kernel.kexec_load_disabled=0)");

	/* Each load, even a failed one, consumes one from this budget (-1 is unlimited). */
	r = read_value(c, "/proc/sys/kernel/kexec_load_limit_panic", v, sizeof(v));
	if (r == 0 && !streq(v, "-1")) {
		if (streq(v, "0")) {
			report(c, LEVEL_FAIL, "kexec", "no crash kernel loads left (kernel.kexec_load_limit_panic=0)");
			fix("reboot; do not lower kernel.kexec_load_limit_panic, every hotplug reload uses one load");
		} else
			report(c, LEVEL_WARN, "kexec", "only %s more crash kernel loads allowed "
			       "(kernel.kexec_load_limit_panic); each reload after hotplug uses one", v);
	}
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
		if (n == 0) {
			report(c, LEVEL_FAIL, "crash memory", "none reserved: no \"Crash kernel\" in /proc/iomem");
			fix("boot with crashkernel=512M (for instance in GRUB_CMDLINE_LINUX_DEFAULT, then update-grub) and reboot");
		} else
			report(c, LEVEL_OK, "crash memory", "%s reserved in %u region%s", ctl_format_bytes(total, sz, sizeof(sz)),
			       n, n == 1 ? "" : "s");
		return;
	}

	/* Without CAP_SYS_ADMIN the kernel prints every iomem address as 0: ask sysfs instead. */
	if (read_value(c, "/sys/kernel/kexec_crash_size", v, sizeof(v)) == 0) {
		uint64_t bytes = strtoull(v, NULL, 10);

		if (bytes > 0)
			report(c, LEVEL_OK, "crash memory", "%s reserved (/sys/kernel/kexec_crash_size)",
			       ctl_format_bytes(bytes, sz, sizeof(sz)));
		else {
			report(c, LEVEL_FAIL, "crash memory", "none reserved (/sys/kernel/kexec_crash_size is 0)");
			fix("boot with crashkernel=512M and reboot");
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
		fix("set LoadOnStart=yes, or let the distribution's kdump service load it first");
	}
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
		fix("Loader=file (kexec_file_load(2) with a signed kernel) or Loader=auto");
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
		fix("Loader=auto");
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
			fix("run as root: /proc/iomem and cpuN/crash_notes are readable by root only");
		} else
			report(c, LEVEL_FAIL, "topology", "cannot read: %s; the daemon would stay UNPROTECTED",
			       diag_format(&d, msg, sizeof(msg)));
		return;
	}
	max = config_max_phdrs(c->config, t->n_possible);
	need = elfcorehdr_phdrs_needed(t);
	if (need > max) {
		report(c, LEVEL_FAIL, "capacity", "%zu program headers needed (%zu CPUs, %zu RAM ranges), MaxPhdrs=%u",
		       need, t->n_cpus, t->n_ram, max);
		fix("raise MaxPhdrs= (at most %u)", ELFCOREHDR_MAX_PHDRS);
	} else
		report(c, LEVEL_OK, "capacity", "%zu of %u program headers used (%zu CPUs, %zu RAM ranges, %s), header %zu bytes",
		       need, max, t->n_cpus, t->n_ram, ctl_format_bytes(topology_ram_bytes(t), sz, sizeof(sz)),
		       elfcorehdr_capacity(max));
	check_header(c, t, max);
	if (!t->kmap.from_kcore) {
		char cmdline[4096] = "";

		/* Guessed values are right only when the kernel was not randomised at boot. */
		(void)read_value(c, "/proc/cmdline", cmdline, sizeof(cmdline));
		report(c, cmdline_has(cmdline, "nokaslr") ? LEVEL_WARN : LEVEL_FAIL, "kernel map",
		       "/proc/kcore unreadable: PAGE_OFFSET 0x%" PRIx64 " and kernel text 0x%" PRIx64 " GUESSED, wrong "
		       "under KASLR%s; makedumpfile and crash would misread the dump",
		       t->kmap.page_offset, t->kmap.text_vaddr,
		       cmdline_has(cmdline, "nokaslr") ? " (booted with nokaslr: right here)" : "");
		fix("run as root with CAP_SYS_RAWIO, and without ProtectKernelTunables=yes in a unit (it hides /proc/kcore)");
	} else
		report(c, LEVEL_OK, "kernel map", "from /proc/kcore: PAGE_OFFSET 0x%" PRIx64 ", text 0x%" PRIx64 "%s",
		       t->kmap.page_offset, t->kmap.text_vaddr,
		       t->kmap.page_offset != KCORE_DEFAULT_PAGE_OFFSET ? " (KASLR active)" : "");

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

static void fix_trust(const char *file)
{
	fix("chown root: %s && chmod go-w %s", file, file);
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
			fix_trust(d.file);
		else
			fix("write plain assignments in " KDUMP_TOOLS_DEFAULTS ", or set Kernel=, Initrd= and "
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
			fix("add " KDUMP_TOOLS_DUMP_UNIT " to CommandLine= in crash-hotplugd.conf, or unset CommandLine=");
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
			fix("systemctl restart crash-hotplugd: its unit masks %s while the daemon runs", name);
	fix("ln -s /dev/null /etc/udev/rules.d/%s && udevadm control --reload", name);
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

/* A kernel or initrd found (resolve r, path in buf): refused if not root's alone. */
static void check_trusted_file(Check *c, const char *what, int r, const char *path, const char *why)
{
	Diag d = {};

	if (r == -EPERM) {
		report(c, LEVEL_FAIL, what, "%s: the daemon would not load it", why);
		if (trust_check_path(c->root, path, &d) == -EPERM)
			fix_trust(d.file);
	} else if (r == 0 && path[0])
		report(c, LEVEL_OK, what, "%s: owned by root, writable by root only (and every directory to it)", path);
	else if (r == 0)
		report(c, LEVEL_INFO, what, "%s", why);
}

static void check_trust(Check *c)
{
	char path[PATH_MAX], why[512], def[PATH_MAX];
	const char *out = config_dry_run_output(c->config);
	struct utsname u;
	struct stat st;
	int r, fd = -1;
	Diag d = {};

	r = loader_resolve_kernel(c->root, c->config, uname(&u) == 0 ? u.release : "unknown", path, sizeof(path), why,
				  sizeof(why));
	check_trusted_file(c, "kernel", r, path, why);
	path[0] = '\0';
	r = loader_resolve_initrd(c->root, c->config, uname(&u) == 0 ? u.release : "unknown", path, sizeof(path), why,
				  sizeof(why));
	check_trusted_file(c, "initrd", r, path, why);

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
		fix("rm %s && mkdir -m 0755 %s (a directory of root's, not a link)", out, out);
	} else if (r == -EPERM) {
		report(c, LEVEL_FAIL, "dry-run output", "DryRunOutput=%s %s: the daemon would not write there", out,
		       d.reason);
		fix_trust(out);
	} else if (r < 0)
		report(c, c->config->loader == LOADER_DRY_RUN ? LEVEL_FAIL : LEVEL_WARN, "dry-run output",
		       "DryRunOutput=%s: %s", out, d.reason);
	else
		report(c, LEVEL_OK, "dry-run output", "%s: a directory of root's, writable by root only", out);
}

int ctl_check(const CtlArgs *a)
{
	_cleanup_(config_freep) Config *config = NULL;
	Check c = { .root = a->root, .runtime_dir = a->runtime_dir, .crash_hotplug = -1 };
	char quiet[32], delay[32];
	Diag d = {};
	int r, err = 0;

	r = ctl_load_config(a, &config, &d, &err);
	if (r != CTL_EXIT_OK && err == -EPERM) {
		report(&c, LEVEL_FAIL, "configuration", "refused: %s %s; the daemon would refuse to start, or keep its "
		       "previous configuration on reload", d.file, d.reason);
		fix_trust(d.file);
		return r;
	}
	if (r != CTL_EXIT_OK) {
		report(&c, LEVEL_FAIL, "configuration", "invalid (see above); the daemon would refuse to start, or keep "
		       "its previous configuration on reload");
		return r;
	}
	snprintf(quiet, sizeof(quiet), "%g s", (double)config->quiet_usec / 1e6);
	snprintf(delay, sizeof(delay), "%g s", (double)config->max_delay_usec / 1e6);
	report(&c, LEVEL_OK, "configuration", "valid: Loader=%s QuietPeriodSec=%s MaxDelaySec=%s MaxPhdrs=%s%u%s",
	       loader_kind_to_string(config->loader), quiet, delay, config->max_phdrs ? "" : "(default: ",
	       config->max_phdrs ? config->max_phdrs : 2 + CONFIG_DEFAULT_MEMORY_RANGES,
	       config->max_phdrs ? "" : " + possible CPUs)");
	c.config = config;

	check_kexec(&c);
	check_crash_region(&c);
	check_loaded(&c);
	check_lockdown(&c);
	check_crash_hotplug(&c);
	check_topology(&c);
	check_capture_cmdline(&c);
	check_kdump_tooling(&c);
	check_udev_rules(&c);
	check_trust(&c);

	printf("\n%u problem%s, %u warning%s.\n", c.fails, c.fails == 1 ? "" : "s", c.warns, c.warns == 1 ? "" : "s");
	return c.fails > 0 ? CTL_EXIT_PROBLEMS : CTL_EXIT_OK;
}
