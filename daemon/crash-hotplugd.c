/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crash-hotplugd: keeps the loaded crash kernel's ELF core header right across CPU and
 * memory hotplug, with one reload per burst. */
#include <getopt.h>
#include <sys/stat.h>

#include "log.h"
#include "manager.h"
#include "udev-mask.h"
#ifdef CRASH_HOTPLUGD_TEST_BUILD
#include "fault.h"
#endif

/* LSB "program is not configured": Restart=on-failure does not loop on a bad file
 * (RestartPreventExitStatus=6 in the unit). */
#define EXIT_NOT_CONFIGURED 6
#define EXIT_USAGE 2

#define DEFAULT_RUNTIME_DIR "/run/crash-hotplugd"

static void help(void)
{
	printf("Usage: crash-hotplugd [OPTION]...\n"
	       "Keep the kdump crash kernel's ELF core header right across CPU and memory hotplug.\n"
	       "\n"
	       "  -c, --config=FILE         main configuration file (default /etc/crash-hotplugd.conf\n"
	       "                            under the root, plus crash-hotplugd.conf.d/ drop-ins)\n"
	       "      --root=DIR            read /proc, /sys, /boot under DIR instead of / (tests)\n"
	       "      --monitor=udev|kernel udev events (default; needs udevd and the rules file)\n"
	       "                            or raw kernel uevents (systems without udevd)\n"
	       "      --runtime-dir=DIR     where status.json is written (default %s)\n"
	       "      --log-target=auto|console|journal\n"
	       "                            auto: the journal when started by systemd\n"
	       "      --log-level=LEVEL     err, warning, notice, info (default) or debug\n"
	       "      --loader=NAME         override Loader=: auto, kernel, segments, file,\n"
	       "                            kexec-tools, dry-run\n"
	       "      --mask-rules          mask the distribution's per-event reload udev rules\n"
	       "                            (kdump-tools, kdump-utils) under /run/udev/rules.d and\n"
	       "                            exit (the unit's ExecStartPre=)\n"
	       "      --unmask-rules        remove those masks and exit (ExecStopPost=)\n"
#ifdef CRASH_HOTPLUGD_TEST_BUILD
	       "      --fault=SPEC          test build: fake kexec calls, failing as SPEC says\n"
	       "      --fault-record=FILE   test build: each faked call, with what status.json said\n"
#endif
	       "  -h, --help                show this help\n"
	       "      --version             show the version\n"
	       "\n"
	       "SIGHUP re-reads the configuration (a bad one keeps the old), SIGTERM stops\n"
	       "without unloading the crash kernel. See crash-hotplugd(8).\n",
	       DEFAULT_RUNTIME_DIR);
}

/* --mask-rules, --unmask-rules: one line per rule, exit 0, or 1 with the reason. */
static int rules_mode(const char *root, bool mask)
{
	char where[PATH_MAX], buf[PATH_MAX + 600];
	unsigned n = 0;
	Diag d = {};
	int r;

	/* The unit's UMask= would make a created /run/udev/rules.d 0700: udev's directories are 0755. */
	umask(022);
	r = mask ? udev_mask_apply(root, &n, &d) : udev_mask_release(root, &n, &d);
	if (r < 0) {
		log_error("%s udev rules: %s", mask ? "cannot mask" : "cannot unmask", diag_format(&d, buf, sizeof(buf)));
		return EXIT_FAILURE;
	}
	for (const UdevMaskRule *rule = udev_mask_rules; rule->name; rule++) {
		UdevRuleState s = udev_rule_state(root, rule->name, where);

		if (s == UDEV_RULE_MASKED && mask)
			log_info("masked %s of %s while the daemon runs (%s/%s)", where, rule->tooling, UDEV_MASK_DIR,
				 rule->name);
		else if (s == UDEV_RULE_MASKED_ADMIN && mask)
			log_warning("cannot mask %s of %s: %s overrides it; if that file reloads the crash kernel on "
				    "events, it does so over the daemon's loads",
				    rule->name, rule->tooling, where);
		else if (s == UDEV_RULE_ACTIVE && !mask && n > 0)
			log_info("%s of %s is active again", where, rule->tooling);
	}
	if (!mask && n == 0)
		log_debug("no udev rule masks to remove");
	return EXIT_SUCCESS;
}

int main(int argc, char *argv[])
{
	enum {
		ARG_ROOT = 0x100,
		ARG_MONITOR,
		ARG_RUNTIME_DIR,
		ARG_LOG_TARGET,
		ARG_LOG_LEVEL,
		ARG_LOADER,
		ARG_VERSION,
		ARG_FAULT,
		ARG_FAULT_RECORD,
		ARG_MASK_RULES,
		ARG_UNMASK_RULES,
	};
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, ARG_ROOT },
		{ "monitor", required_argument, NULL, ARG_MONITOR },
		{ "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
		{ "log-target", required_argument, NULL, ARG_LOG_TARGET },
		{ "log-level", required_argument, NULL, ARG_LOG_LEVEL },
		{ "loader", required_argument, NULL, ARG_LOADER },
		{ "mask-rules", no_argument, NULL, ARG_MASK_RULES },
		{ "unmask-rules", no_argument, NULL, ARG_UNMASK_RULES },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
#ifdef CRASH_HOTPLUGD_TEST_BUILD
		{ "fault", required_argument, NULL, ARG_FAULT },
		{ "fault-record", required_argument, NULL, ARG_FAULT_RECORD },
#endif
		{}
	};
	ManagerOptions o = {
		.root = "/",
		.runtime_dir = DEFAULT_RUNTIME_DIR,
		.monitor = MONITOR_UDEV,
		.loader_override = -1,
		.ops = &kexec_ops_real,
	};
	_cleanup_(manager_freep) Manager *m = NULL;
	LogTarget target = LOG_TARGET_AUTO;
	int level = LOG_INFO, c, r, rules = 0;
#ifdef CRASH_HOTPLUGD_TEST_BUILD
	_cleanup_(fault_ops_freep) FaultOps *faults = NULL;
	const char *fault_spec = NULL, *fault_record = NULL;
#endif

	while ((c = getopt_long(argc, argv, "c:h", options, NULL)) >= 0) {
		switch (c) {
		case 'c':
			o.config_path = optarg;
			break;
		case ARG_ROOT:
			o.root = optarg;
			break;
		case ARG_MONITOR:
			r = monitor_kind_from_string(optarg);
			if (r < 0) {
				fprintf(stderr, "crash-hotplugd: --monitor must be udev or kernel, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o.monitor = (MonitorKind)r;
			break;
		case ARG_RUNTIME_DIR:
			o.runtime_dir = optarg;
			break;
		case ARG_LOG_TARGET:
			r = log_target_from_string(optarg);
			if (r < 0) {
				fprintf(stderr, "crash-hotplugd: --log-target must be auto, console or journal\n");
				return EXIT_USAGE;
			}
			target = (LogTarget)r;
			break;
		case ARG_LOG_LEVEL:
			level = log_level_from_string(optarg);
			if (level < 0) {
				fprintf(stderr, "crash-hotplugd: --log-level must be err, warning, notice, info or debug\n");
				return EXIT_USAGE;
			}
			break;
		case ARG_LOADER:
			r = loader_kind_from_string(optarg);
			if (r < 0) {
				fprintf(stderr, "crash-hotplugd: unknown loader '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o.loader_override = r;
			break;
#ifdef CRASH_HOTPLUGD_TEST_BUILD
		case ARG_FAULT:
			fault_spec = optarg;
			break;
		case ARG_FAULT_RECORD:
			fault_record = optarg;
			break;
#endif
		case ARG_MASK_RULES:
		case ARG_UNMASK_RULES:
			rules = c;
			break;
		case 'h':
			help();
			return EXIT_SUCCESS;
		case ARG_VERSION:
			printf("crash-hotplugd %s\n", CRASH_HOTPLUGD_VERSION);
			return EXIT_SUCCESS;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "crash-hotplugd: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	log_setup(target, level);
	if (rules)
		return rules_mode(o.root, rules == ARG_MASK_RULES);

#ifdef CRASH_HOTPLUGD_TEST_BUILD
	/* The test build never calls the real kexec syscalls, faults or not. */
	r = fault_ops_new(fault_spec, &faults);
	if (r < 0) {
		fprintf(stderr, "crash-hotplugd: bad --fault spec '%s'\n", fault_spec);
		return EXIT_USAGE;
	}
	if (fault_record) {
		_cleanup_(freep) char *status = NULL;

		if (asprintf(&status, "%s/status.json", o.runtime_dir) < 0 ||
		    fault_ops_record(faults, fault_record, status) < 0)
			return EXIT_FAILURE;
	}
	o.ops = fault_ops_get(faults);
#endif

	r = manager_new(&o, &m);
	if (r == MANAGER_BAD_CONFIG) {
		log_error("bad configuration: not starting");
		return EXIT_NOT_CONFIGURED;
	}
	if (r < 0) {
		log_error("cannot start: %s", strerror(-r));
		return EXIT_FAILURE;
	}
	r = manager_start(m);
	if (r < 0) {
		notify("STOPPING=1");
		return EXIT_FAILURE;
	}
	return manager_run(m);
}
