/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config.h"
#include "elfcorehdr.h"
#include "path.h"
#include "trust.h"

#define LINE_MAX_BYTES (64 * 1024)

static const char *const loader_names[_LOADER_MAX] = {
	[LOADER_AUTO] = "auto",
	[LOADER_KERNEL] = "kernel",
	[LOADER_SEGMENTS] = "segments",
	[LOADER_FILE] = "file",
	[LOADER_KEXEC_TOOLS] = "kexec-tools",
	[LOADER_DRY_RUN] = "dry-run",
};

const char *loader_kind_to_string(LoaderKind k)
{
	if ((unsigned)k >= _LOADER_MAX)
		return NULL;
	return loader_names[k];
}

int loader_kind_from_string(const char *s)
{
	if (!s)
		return -EINVAL;
	for (unsigned i = 0; i < _LOADER_MAX; i++)
		if (streq(s, loader_names[i]))
			return (int)i;
	return -EINVAL;
}

void config_init(Config *c)
{
	*c = (Config){
		.max_phdrs = 0,
		.quiet_usec = CONFIG_DEFAULT_QUIET_USEC,
		.max_delay_usec = CONFIG_DEFAULT_MAX_DELAY_USEC,
		.loader = LOADER_AUTO,
		.load_on_start = true,
		.load_timeout_usec = CONFIG_DEFAULT_LOAD_TIMEOUT_USEC,
	};
}

void config_done(Config *c)
{
	if (!c)
		return;
	free(c->kernel);
	free(c->initrd);
	free(c->command_line);
	free(c->dry_run_output);
	config_init(c);
}

Config *config_free(Config *c)
{
	if (c) {
		config_done(c);
		free(c);
	}
	return NULL;
}

unsigned config_max_phdrs(const Config *c, unsigned n_possible)
{
	uint64_t n;

	if (c && c->max_phdrs > 0)
		return c->max_phdrs;
	/* Same sizing as the kernel's own hotplug-ready header: room for every possible CPU
	 * and CONFIG_CRASH_MAX_MEMORY_RANGES ranges, so hot-added memory fits without moving. */
	n = 2 + (uint64_t)CONFIG_DEFAULT_MEMORY_RANGES + n_possible;
	return n > ELFCOREHDR_MAX_PHDRS ? ELFCOREHDR_MAX_PHDRS : (unsigned)n;
}

const char *config_dry_run_output(const Config *c)
{
	return c->dry_run_output;
}

/* ---- values ---------------------------------------------------------------------------- */

static int parse_max_phdrs(const char *v, Config *c, char *why, size_t ws)
{
	unsigned long long n = 0;

	if (!*v) {
		c->max_phdrs = 0;
		return 0;
	}
	for (const char *p = v; *p; p++) {
		if (!isdigit((unsigned char)*p)) {
			snprintf(why, ws, "not a decimal number");
			return -EINVAL;
		}
		n = n * 10 + (unsigned)(*p - '0');
		if (n > UINT32_MAX) {
			snprintf(why, ws, "above %u: /proc/vmcore has no ELF extended numbering (PN_XNUM), "
				 "the crash kernel could not read a larger header", ELFCOREHDR_MAX_PHDRS);
			return -ERANGE;
		}
	}
	if (n > ELFCOREHDR_MAX_PHDRS) {
		snprintf(why, ws, "above %u: /proc/vmcore has no ELF extended numbering (PN_XNUM), "
			 "the crash kernel could not read a larger header", ELFCOREHDR_MAX_PHDRS);
		return -ERANGE;
	}
	if (n < CONFIG_MIN_PHDRS) {
		snprintf(why, ws, "below %u: a header needs one CPU note, VMCOREINFO, the kernel text "
			 "and one RAM range (leave empty for the default)", CONFIG_MIN_PHDRS);
		return -ERANGE;
	}
	c->max_phdrs = (unsigned)n;
	return 0;
}

/* "1", "1.5", "500ms", "2s", "250 us", "1min": a decimal number and an optional unit
 * (seconds when absent), the systemd time-span spelling for a single component. */
static int parse_time(const char *v, uint64_t *ret, char *why, size_t ws)
{
	static const struct {
		const char *suffix;
		uint64_t usec;
	} units[] = {
		{ "us", 1 },          { "usec", 1 },       { "ms", 1000 },         { "msec", 1000 },
		{ "s", 1000000 },     { "sec", 1000000 },  { "min", 60000000 },
	};
	uint64_t whole = 0, frac = 0, frac_div = 1, mult = 1000000, usec;
	const char *p = v;
	bool digits = false;

	for (; isdigit((unsigned char)*p); p++) {
		digits = true;
		if (whole > UINT64_MAX / 10) {
			snprintf(why, ws, "number too large");
			return -ERANGE;
		}
		whole = whole * 10 + (unsigned)(*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; isdigit((unsigned char)*p); p++) {
			digits = true;
			/* Digits past microseconds cannot matter; keep them from overflowing. */
			if (frac_div < 1000000000000ULL) {
				frac = frac * 10 + (unsigned)(*p - '0');
				frac_div *= 10;
			}
		}
	}
	if (!digits) {
		snprintf(why, ws, "expected a number of seconds, optionally with a unit (500ms, 2s, 1min)");
		return -EINVAL;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p) {
		size_t i;

		for (i = 0; i < ELEMENTSOF(units); i++)
			if (streq(p, units[i].suffix))
				break;
		if (i == ELEMENTSOF(units)) {
			snprintf(why, ws, "unknown unit \"%s\" (use us, ms, s or min)", p);
			return -EINVAL;
		}
		mult = units[i].usec;
	}
	if (whole > CONFIG_MAX_TIME_USEC / mult) {
		snprintf(why, ws, "more than %llu s", CONFIG_MAX_TIME_USEC / 1000000);
		return -ERANGE;
	}
	usec = whole * mult + frac * mult / frac_div;
	if (usec > CONFIG_MAX_TIME_USEC) {
		snprintf(why, ws, "more than %llu s", CONFIG_MAX_TIME_USEC / 1000000);
		return -ERANGE;
	}
	*ret = usec;
	return 0;
}

static int parse_quiet(const char *v, Config *c, char *why, size_t ws)
{
	if (!*v) {
		c->quiet_usec = CONFIG_DEFAULT_QUIET_USEC;
		return 0;
	}
	return parse_time(v, &c->quiet_usec, why, ws);
}

static int parse_max_delay(const char *v, Config *c, char *why, size_t ws)
{
	if (!*v) {
		c->max_delay_usec = CONFIG_DEFAULT_MAX_DELAY_USEC;
		return 0;
	}
	return parse_time(v, &c->max_delay_usec, why, ws);
}

static int parse_load_timeout(const char *v, Config *c, char *why, size_t ws)
{
	uint64_t usec;
	int r;

	if (!*v) {
		c->load_timeout_usec = CONFIG_DEFAULT_LOAD_TIMEOUT_USEC;
		return 0;
	}
	r = parse_time(v, &usec, why, ws);
	if (r < 0)
		return r;
	if (usec < 1000000) {
		snprintf(why, ws, "less than 1 s: kexec takes about that long on a slow machine without hanging");
		return -ERANGE;
	}
	c->load_timeout_usec = usec;
	return 0;
}

static int parse_loader(const char *v, Config *c, char *why, size_t ws)
{
	int k;

	if (!*v) {
		c->loader = LOADER_AUTO;
		return 0;
	}
	k = loader_kind_from_string(v);
	if (k < 0) {
		snprintf(why, ws, "expected auto, kernel, segments, file, kexec-tools or dry-run");
		return -EINVAL;
	}
	c->loader = (LoaderKind)k;
	return 0;
}

static int parse_bool(const char *v, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* A boolean key: empty restores def. */
static int parse_bool_key(const char *v, bool *field, bool def, char *why, size_t ws)
{
	if (!*v) {
		*field = def;
		return 0;
	}
	if (parse_bool(v, field) < 0) {
		snprintf(why, ws, "expected yes, no, true, false, on, off, 1 or 0");
		return -EINVAL;
	}
	return 0;
}

static int parse_load_on_start(const char *v, Config *c, char *why, size_t ws)
{
	return parse_bool_key(v, &c->load_on_start, true, why, ws);
}

static int parse_capture_memory_hotplug(const char *v, Config *c, char *why, size_t ws)
{
	return parse_bool_key(v, &c->capture_memory_hotplug, false, why, ws);
}

/* Replaces *field with a copy of v, or NULL (the default) when v is empty. */
static int set_string(char **field, const char *v)
{
	char *s = NULL;

	if (*v) {
		s = strdup(v);
		if (!s)
			return -ENOMEM;
	}
	free(*field);
	*field = s;
	return 0;
}

static int parse_path_value(char **field, const char *v, char *why, size_t ws)
{
	if (*v && v[0] != '/') {
		snprintf(why, ws, "not an absolute path");
		return -EINVAL;
	}
	if (strlen(v) >= PATH_MAX) {
		snprintf(why, ws, "longer than PATH_MAX");
		return -ENAMETOOLONG;
	}
	return set_string(field, v);
}

static int parse_kernel(const char *v, Config *c, char *why, size_t ws)
{
	return parse_path_value(&c->kernel, v, why, ws);
}

static int parse_initrd(const char *v, Config *c, char *why, size_t ws)
{
	return parse_path_value(&c->initrd, v, why, ws);
}

static int parse_dry_run_output(const char *v, Config *c, char *why, size_t ws)
{
	return parse_path_value(&c->dry_run_output, v, why, ws);
}

static int parse_command_line(const char *v, Config *c, char *why, size_t ws)
{
	if (strlen(v) > CONFIG_MAX_COMMAND_LINE) {
		snprintf(why, ws, "%zu bytes, more than %u: the x86_64 boot protocol allows 2047 and the "
			 "kernel keeps room for elfcorehdr=", strlen(v), CONFIG_MAX_COMMAND_LINE);
		return -E2BIG;
	}
	return set_string(&c->command_line, v);
}

static const struct {
	const char *key;
	int (*parse)(const char *value, Config *c, char *why, size_t why_size);
} daemon_keys[] = {
	{ "MaxPhdrs", parse_max_phdrs },
	{ "QuietPeriodSec", parse_quiet },
	{ "MaxDelaySec", parse_max_delay },
	{ "Loader", parse_loader },
	{ "Kernel", parse_kernel },
	{ "Initrd", parse_initrd },
	{ "CommandLine", parse_command_line },
	{ "LoadOnStart", parse_load_on_start },
	{ "CaptureMemoryHotplug", parse_capture_memory_hotplug },
	{ "DryRunOutput", parse_dry_run_output },
	{ "LoadTimeoutSec", parse_load_timeout },
};

/* ---- one file -------------------------------------------------------------------------- */

static char *strip(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	*end = '\0';
	return s;
}

_printf_(5, 6) static void warnf(config_warn_fn warn, void *userdata, const char *file, unsigned line,
				 const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn(userdata, file, line, msg);
}

static bool has_control_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return true;
	return false;
}

static int parse_line(Config *c, char *l, const char *name, unsigned line, bool *in_daemon, bool *in_section,
		      config_warn_fn warn, void *userdata, Diag *d)
{
	char why[256] = "", *eq, *key, *value;
	size_t k;
	int r;

	if (*l == '\0' || *l == '#' || *l == ';')
		return 0;

	if (*l == '[') {
		size_t len = strlen(l);

		if (len < 3 || l[len - 1] != ']')
			return diag_set(d, EINVAL, name, line, "bad section header \"%s\"", l);
		l[len - 1] = '\0';
		*in_section = true;
		*in_daemon = streq(l + 1, "Daemon");
		if (!*in_daemon)
			warnf(warn, userdata, name, line, "Unknown section [%s], ignoring its keys.", l + 1);
		return 0;
	}

	eq = strchr(l, '=');
	if (!eq)
		return diag_set(d, EINVAL, name, line, "expected Key=value, a [Section] or a comment, got \"%s\"", l);
	*eq = '\0';
	key = strip(l);
	value = strip(eq + 1);
	if (!*key)
		return diag_set(d, EINVAL, name, line, "assignment without a key");

	if (!*in_section) {
		warnf(warn, userdata, name, line, "%s= outside of a section, ignoring (put it under [Daemon]).", key);
		return 0;
	}
	if (!*in_daemon)
		return 0; /* already warned about the section */

	for (k = 0; k < ELEMENTSOF(daemon_keys); k++)
		if (streq(key, daemon_keys[k].key))
			break;
	if (k == ELEMENTSOF(daemon_keys)) {
		warnf(warn, userdata, name, line, "Unknown key %s= in section [Daemon], ignoring.", key);
		return 0;
	}

	if (has_control_chars(value))
		return diag_set(d, EINVAL, name, line, "%s=...: control characters in the value", key);
	r = daemon_keys[k].parse(value, c, why, sizeof(why));
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		/* Every bad value is one kind of error for the caller: the file is wrong. A long
		 * value is shortened so the reason still fits in the diagnostic. */
		return diag_set(d, EINVAL, name, line, "%s=%.*s%s: %s", key, 80, value, strlen(value) > 80 ? "..." : "",
				why);
	return 0;
}

int config_parse_stream(Config *c, FILE *f, const char *name, config_warn_fn warn, void *userdata, Diag *d)
{
	_cleanup_(freep) char *buf = NULL;
	bool in_daemon = false, in_section = false;
	size_t cap = 0;
	unsigned line = 0;
	ssize_t n;

	errno = 0;
	while ((n = getline(&buf, &cap, f)) >= 0) {
		int r;

		line++;
		if ((size_t)n > LINE_MAX_BYTES)
			return diag_set(d, EINVAL, name, line, "line longer than %u bytes", LINE_MAX_BYTES);
		if (strlen(buf) != (size_t)n)
			return diag_set(d, EINVAL, name, line, "NUL byte in the line");
		/* A UTF-8 byte order mark some editors write would hide the first key. */
		r = parse_line(c, strip(line == 1 && startswith(buf, "\xef\xbb\xbf") ? buf + 3 : buf), name, line,
			       &in_daemon, &in_section, warn, userdata, d);
		if (r < 0)
			return r;
		errno = 0;
	}
	if (errno == ENOMEM)
		return diag_set(d, ENOMEM, name, line, "out of memory");
	if (ferror(f))
		return diag_set(d, EIO, name, line, "read error");
	return 0;
}

/* ---- the set of files ------------------------------------------------------------------ */

/* Highest priority first: a drop-in here masks the same name further down. */
static const char *const dropin_dirs[] = {
	"/etc/" CONFIG_DROPIN_DIR_NAME,
	"/run/" CONFIG_DROPIN_DIR_NAME,
	"/usr/local/lib/" CONFIG_DROPIN_DIR_NAME,
	"/usr/lib/" CONFIG_DROPIN_DIR_NAME,
};

typedef struct Dropin {
	char *name;  /* basename: the sort and masking key */
	char *path;  /* under root, as diagnostics name it */
	bool masked; /* /dev/null: hides the same name below, read as nothing */
} Dropin;

typedef struct DropinList {
	Dropin *items;
	size_t n, cap;
} DropinList;

static void dropin_list_done(DropinList *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].path);
	}
	free(l->items);
	*l = (DropinList){};
}

static bool dropin_list_has(const DropinList *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (streq(l->items[i].name, name))
			return true;
	return false;
}

static int dropin_list_add(DropinList *l, const char *dir, const char *name, bool masked)
{
	_cleanup_(freep) char *n = NULL, *p = NULL;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		Dropin *items = reallocarray(l->items, cap, sizeof(*items));

		if (!items)
			return -ENOMEM;
		l->items = items;
		l->cap = cap;
	}
	n = strdup(name);
	if (!n || asprintf(&p, "%s/%s", dir, name) < 0) {
		p = NULL;
		return -ENOMEM;
	}
	l->items[l->n++] = (Dropin){ .name = TAKE_PTR(n), .path = TAKE_PTR(p), .masked = masked };
	return 0;
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

/* A symlink that cannot be followed is an error, as in systemd: skipping it would let the
 * lower file of the same name apply, which is what the admin replaced. */
static int broken_symlink(int dfd, const char *name, const char *path, int err, Diag *d)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);

	if (n < 0)
		snprintf(target, sizeof(target), "?");
	else
		target[n] = '\0';
	if (err == ENOENT || err == ENOTDIR)
		return diag_set(d, ENOENT, path, 0,
				"dangling symlink to %s (link it to /dev/null to mask the file, or remove it)", target);
	if (err == ELOOP)
		return diag_set(d, ELOOP, path, 0, "symlink loop (to %s): %s", target, strerror(err));
	return diag_set(d, err, path, 0, "cannot follow the symlink to %s: %s", target, strerror(err));
}

/* Adds the *.conf entries of dir not masked by a higher directory. Follows symlinks: a link
 * to /dev/null (or /dev/null itself) is recorded as masked, a directory is skipped, a link
 * that cannot be followed is an error; anything else (a FIFO, a device) is listed and then
 * refused by the read. */
static int collect_dir(const char *root, const char *dir, DropinList *l, Diag *d)
{
	_cleanup_(closedirp) DIR *dh = NULL;
	char full[PATH_MAX];
	struct dirent *de;
	bool any = false;
	int r;

	r = path_join(root, dir, full, sizeof(full));
	if (r < 0)
		return diag_set(d, -r, dir, 0, "path too long under the root");
	dh = opendir(full);
	if (!dh) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return diag_set(d, errno, dir, 0, "cannot open directory: %s", strerror(errno));
	}

	for (errno = 0; (de = readdir(dh)); errno = 0) {
		size_t len = strlen(de->d_name);
		char path[PATH_MAX];
		struct stat st;

		if (de->d_name[0] == '.' || len <= 5 || !streq(de->d_name + len - 5, ".conf"))
			continue;
		if (dropin_list_has(l, de->d_name))
			continue; /* masked by a higher directory */
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (fstatat(dirfd(dh), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* removed since the listing */
			return diag_set(d, errno, path, 0, "cannot stat: %s", strerror(errno));
		}
		if (S_ISLNK(st.st_mode) && fstatat(dirfd(dh), de->d_name, &st, 0) < 0)
			return broken_symlink(dirfd(dh), de->d_name, path, errno, d);
		if (S_ISDIR(st.st_mode))
			continue;
		r = dropin_list_add(l, dir, de->d_name, is_dev_null(&st));
		if (r < 0)
			return r;
		any = true;
	}
	if (errno != 0)
		return diag_set(d, errno, dir, 0, "cannot read directory: %s", strerror(errno));
	/* A directory that takes part (masks included: removing a mask changes what applies)
	 * must be trusted itself; each file is checked again when it is read. */
	if (any)
		return trust_check_path(root, dir, d);
	return 0;
}

static int dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const Dropin *)a)->name, ((const Dropin *)b)->name);
}

/* root NULL: path is taken as it is (a file the user named), otherwise it is under root.
 * Read through path_open_stream(): a regular file of at most READ_CAP_CONFIG bytes, or
 * /dev/null (empty); a FIFO or another device is an error, nothing blocks. missing_ok: a file
 * that does not exist is skipped, a dangling symlink is not (see broken_symlink()). */
static int parse_file(Config *c, const char *root, const char *path, bool missing_ok, config_warn_fn warn,
		      void *userdata, Diag *d)
{
	_cleanup_(fclosep) FILE *f = NULL;
	int r;

	r = path_open_stream(root, path, READ_CAP_CONFIG, PATH_READ_DEV_NULL | PATH_READ_TRUSTED, &f, d);
	if (r == -ENOENT && missing_ok) {
		char full[PATH_MAX];
		struct stat st;

		if (path_join(root, path, full, sizeof(full)) < 0 || lstat(full, &st) < 0 || !S_ISLNK(st.st_mode))
			return 0;
		return broken_symlink(AT_FDCWD, full, path, ENOENT, d);
	}
	if (r < 0)
		return r;
	return config_parse_stream(c, f, path, warn, userdata, d);
}

int config_load(const char *root, const char *path, config_warn_fn warn, void *userdata, Config **ret, Diag *d)
{
	_cleanup_(dropin_list_done) DropinList l = {};
	_cleanup_(config_freep) Config *c = NULL;
	int r;

	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	config_init(c);

	if (path)
		r = parse_file(c, NULL, path, false, warn, userdata, d);
	else
		r = parse_file(c, root ? root : "/", CONFIG_MAIN_FILE, true, warn, userdata, d);
	if (r < 0)
		return r;

	for (size_t i = 0; i < ELEMENTSOF(dropin_dirs); i++) {
		r = collect_dir(root, dropin_dirs[i], &l, d);
		if (r < 0)
			return r;
	}
	if (l.n > 1)
		qsort(l.items, l.n, sizeof(*l.items), dropin_cmp);
	for (size_t i = 0; i < l.n; i++) {
		if (l.items[i].masked)
			continue;
		/* Removed since the listing: it no longer takes part, as if never there. */
		r = parse_file(c, root ? root : "/", l.items[i].path, true, warn, userdata, d);
		if (r < 0)
			return r;
	}

	*ret = TAKE_PTR(c);
	return 0;
}

/* ---- crash kernel command line --------------------------------------------------------- */

/* Kernel parameter names treat '-' and '_' alike ("log-buf-len" is "log_buf_len"). */
static bool param_name_eq(const char *tok, size_t len, const char *name)
{
	size_t i;

	for (i = 0; i < len && name[i]; i++) {
		char a = tok[i] == '-' ? '_' : tok[i], b = name[i] == '-' ? '_' : name[i];

		if (a != b)
			return false;
	}
	return i == len && name[i] == '\0';
}

/* The name of a parameter: up to the first '=' (a quoted name is not one of ours). */
static size_t param_name_len(const char *tok, size_t len)
{
	size_t n = 0;

	while (n < len && tok[n] != '=')
		n++;
	return n;
}

static bool param_in(const char *tok, size_t len, const char *const *names, size_t n_names)
{
	size_t name_len = param_name_len(tok, len);

	for (size_t i = 0; i < n_names; i++)
		if (param_name_eq(tok, name_len, names[i]))
			return true;
	return false;
}

static bool param_dropped(const char *tok, size_t len)
{
	static const char *const dropped[] = {
		"crashkernel", "elfcorehdr", "BOOT_IMAGE", "initrd", "hugepages", "hugepagesz",
		"default_hugepagesz", "cma", "hugetlb_cma", "slub_debug", "log_buf_len", "swiotlb",
		"nr_cpus", "maxcpus", "irqpoll", "reset_devices", "abm",
	};

	return param_in(tok, len, dropped, ELEMENTSOF(dropped));
}

/* Memory hotplug in the capture kernel: onlining policy, the module's parameters, and ours
 * (appended once). */
static bool param_memory_hotplug(const char *tok, size_t len)
{
	static const char *const dropped[] = { "memhp_default_state", "acpi_no_memhotplug" };
	static const char prefix[] = "memory_hotplug.";
	size_t name_len = param_name_len(tok, len);

	if (name_len > sizeof(prefix) - 1 && param_name_eq(tok, sizeof(prefix) - 1, prefix))
		return true;
	return param_in(tok, len, dropped, ELEMENTSOF(dropped));
}

/* in without the parameters drop() matches, then append (may be ""), in a new string of at
 * most CONFIG_MAX_COMMAND_LINE bytes. -E2BIG, -EINVAL (unterminated quote), -ENOMEM. */
static int cmdline_filter(const char *in, bool (*drop)(const char *tok, size_t len), const char *append,
			  char **ret)
{
	_cleanup_(freep) char *out = NULL;
	size_t len = 0, append_len = strlen(append);
	const char *p = in;

	out = malloc(strlen(in) + append_len + 2);
	if (!out)
		return -ENOMEM;

	for (;;) {
		const char *tok;
		bool quoted = false;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		tok = p;
		/* As the kernel's next_arg(): spaces inside double quotes do not split. */
		for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n')); p++)
			if (*p == '"')
				quoted = !quoted;
		if (quoted)
			return -EINVAL;
		if (drop(tok, (size_t)(p - tok)))
			continue;
		memcpy(out + len, tok, (size_t)(p - tok));
		len += (size_t)(p - tok);
		out[len++] = ' ';
	}
	memcpy(out + len, append, append_len + 1);
	len += append_len;
	/* No trailing space when nothing was appended. */
	while (len > 0 && out[len - 1] == ' ')
		out[--len] = '\0';
	if (len > CONFIG_MAX_COMMAND_LINE)
		return -E2BIG;
	*ret = TAKE_PTR(out);
	return 0;
}

int config_base_cmdline(const char *proc_cmdline, const char *append, char **ret)
{
	return cmdline_filter(proc_cmdline, param_dropped, append, ret);
}

int config_default_cmdline(const char *proc_cmdline, char **ret)
{
	return config_base_cmdline(proc_cmdline, CONFIG_DEFAULT_APPEND, ret);
}

int config_capture_cmdline(const char *cmdline, char **ret)
{
	return cmdline_filter(cmdline, param_memory_hotplug, CONFIG_CAPTURE_NO_HOTPLUG, ret);
}
