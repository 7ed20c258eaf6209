/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reload-bench: the reload window (time inside the load syscall, while no crash kernel is
 * loaded) of four ways to reload the same crash kernel, in the running guest:
 *
 *   reload-bench [-n RELOADS] [-m METHODS] [--timer SO] [--kexec PATH] KERNEL INITRD CMDLINE
 *
 *   -n RELOADS   timed reloads per method after one untimed first load (default 11)
 *   -m METHODS   comma-separated, in this order by default: segments,file,kexec-s,kexec
 *   --timer SO   kexec-syscall-timer.so: preloaded under kexec-tools to time its syscall;
 *                without it the kexec-tools window is unknown and only the whole command is
 *                timed
 *   --kexec PATH kexec-tools' kexec (default: kexec in PATH)
 *
 * Methods:
 *   segments  Loader=segments through the lib's vtable: kexec_load of segments held in memory
 *   file      Loader=file through the lib's vtable: kexec_file_load of the held files
 *   kexec-s   `kexec -s -p KERNEL --initrd=INITRD --append=CMDLINE` (kexec_file_load)
 *   kexec     `kexec -p ...` (kexec_load, kexec-tools builds everything again)
 *
 * Each method's loads run back to back (a reload replaces the image its own previous load
 * left). For segments and file, every reload first reads the topology and builds the
 * elfcorehdr, as the daemon does; "prepare" is that time. "total" is the whole load: the
 * lib's own figure plus prepare for the lib loaders, posix_spawn to waitpid for kexec-tools.
 *
 * Output: "BENCH method=M i=N ..." per load, a table of medians, and one line
 * "BENCH-JSON {...}" with every sample, the medians and the ratios to "file". Exit status 0
 * if every load succeeded. */
#include <getopt.h>
#include <inttypes.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include "config.h"
#include "elfcorehdr.h"
#include "x86/loader-segments.h"
#include "topology.h"

#define MAX_RELOADS 1000

extern char **environ;

enum { M_SEGMENTS, M_FILE, M_KEXEC_S, M_KEXEC, N_METHODS };

static const char *const method_names[N_METHODS] = { "segments", "file", "kexec-s", "kexec" };

typedef struct Sample {
	int64_t window_usec;  /* inside the syscall; -1 unknown */
	int64_t total_usec;
	int64_t prepare_usec; /* topology + elfcorehdr, lib loaders only; -1 otherwise */
} Sample;

typedef struct Method {
	bool on;
	Sample s[MAX_RELOADS];
	unsigned n;
	bool failed;
	char note[sizeof(((LoadResult *)0)->detail)];
} Method;

typedef struct Bench {
	const char *kernel, *initrd, *cmdline, *timer, *kexec;
	unsigned reloads;
	Method m[N_METHODS];
	char syscall_log[64];
} Bench;

static int64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Median of the known values of one field of the samples; -1 if none is known. */
static double median(const Method *m, size_t field_off)
{
	int64_t v[MAX_RELOADS];
	unsigned n = 0;

	for (unsigned i = 0; i < m->n; i++) {
		int64_t x = *(const int64_t *)((const char *)&m->s[i] + field_off);

		if (x >= 0)
			v[n++] = x;
	}
	if (n == 0)
		return -1;
	qsort(v, n, sizeof(v[0]), cmp_i64);
	return n % 2 ? (double)v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void report(const char *method, unsigned i, const Sample *s, int r, const char *detail)
{
	printf("BENCH method=%s i=%u r=%d window_usec=%" PRId64 " total_usec=%" PRId64 " prepare_usec=%" PRId64
	       "%s%s\n",
	       method, i, r, s->window_usec, s->total_usec, s->prepare_usec, detail && *detail ? " : " : "",
	       detail ? detail : "");
	fflush(stdout);
}

/* The lib loaders: a fresh topology and header per load, as the daemon does after a hotplug. */
static int bench_lib(Bench *b, int which)
{
	_cleanup_(topology_freep) Topology *t = NULL;
	_cleanup_(freep) uint8_t *hdr = NULL;
	Method *m = &b->m[which];
	SegmentsOptions so = {};
	unsigned max_phdrs;
	Loader *l = NULL;
	size_t cap = 0, used;
	Config c;
	Diag d = {};
	int r = 0;

	config_init(&c);
	c.kernel = strdup(b->kernel);
	c.initrd = strdup(b->initrd);
	c.command_line = strdup(b->cmdline);
	if (!c.kernel || !c.initrd || !c.command_line) {
		config_done(&c);
		return -ENOMEM;
	}
	r = which == M_SEGMENTS ? loader_segments_new_with("/", &c, &kexec_ops_real, &so, &l)
				: loader_file_vtable.new("/", &c, &kexec_ops_real, &l);
	if (r < 0) {
		snprintf(m->note, sizeof(m->note), "loader: %s", strerror(-r));
		goto out;
	}
	for (unsigned i = 0; i <= b->reloads; i++) {
		LoadResult res = {};
		LoadRequest req;
		Sample s;
		int64_t t0 = now_usec();

		topology_free(TAKE_PTR(t));
		r = topology_read("/", &t, &d);
		if (r < 0) {
			snprintf(m->note, sizeof(m->note), "topology: %s", strerror(-r));
			break;
		}
		max_phdrs = config_max_phdrs(&c, t->n_possible);
		if (!hdr) {
			/* The capacity is fixed for the loader's lifetime, as in the daemon. */
			cap = elfcorehdr_capacity(max_phdrs);
			hdr = malloc(cap);
			if (!hdr) {
				r = -ENOMEM;
				break;
			}
		}
		r = elfcorehdr_build(t, max_phdrs, hdr, cap, &used);
		if (r != 0) {
			r = r > 0 ? -ENOSPC : r;
			snprintf(m->note, sizeof(m->note), "elfcorehdr: %s", strerror(-r));
			break;
		}
		s.prepare_usec = now_usec() - t0;
		req = (LoadRequest){ .topology = t, .header = hdr, .header_used = used, .header_capacity = cap,
				     .reason = i ? "reload" : "initial load" };
		r = l->vtable->load(l, &req, &res);
		s.window_usec = (int64_t)res.syscall_usec;
		s.total_usec = (int64_t)res.total_usec + s.prepare_usec;
		report(method_names[which], i, &s, r, res.detail);
		if (r < 0) {
			snprintf(m->note, sizeof(m->note), "%s", res.detail);
			break;
		}
		if (i > 0)
			m->s[m->n++] = s;
	}
	l->vtable->free(l);
out:
	config_done(&c);
	return r < 0 ? r : 0;
}

/* The syscall time the preloaded timer logged for the last kexec-tools run, or -1. */
static int64_t timer_window(const Bench *b)
{
	char line[256], name[32];
	long ret;
	int err;
	long long usec;
	int64_t w = -1;
	FILE *f;

	if (!b->timer)
		return -1;
	f = fopen(b->syscall_log, "re");
	if (!f)
		return -1;
	/* One load syscall per run; should kexec-tools make several, the last one loads. */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %ld %d %lld", name, &ret, &err, &usec) == 4 && ret == 0)
			w = usec;
	fclose(f);
	return w;
}

static int bench_kexec(Bench *b, int which)
{
	Method *m = &b->m[which];
	char initrd_arg[PATH_MAX + 16], append_arg[4096], preload[PATH_MAX + 16], logvar[128];
	char *argv[8], **envp;
	size_t n_env = 0, k = 0;
	int r = 0;

	snprintf(initrd_arg, sizeof(initrd_arg), "--initrd=%s", b->initrd);
	snprintf(append_arg, sizeof(append_arg), "--append=%s", b->cmdline);
	argv[k++] = (char *)b->kexec;
	if (which == M_KEXEC_S)
		argv[k++] = (char *)"-s";
	argv[k++] = (char *)"-p";
	argv[k++] = (char *)b->kernel;
	argv[k++] = initrd_arg;
	argv[k++] = append_arg;
	argv[k] = NULL;

	while (environ[n_env])
		n_env++;
	envp = calloc(n_env + 3, sizeof(*envp));
	if (!envp)
		return -ENOMEM;
	k = 0;
	for (size_t i = 0; i < n_env; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) && strncmp(environ[i], "CHP_KEXEC_SYSCALL_LOG=", 22))
			envp[k++] = environ[i];
	if (b->timer) {
		snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", b->timer);
		snprintf(logvar, sizeof(logvar), "CHP_KEXEC_SYSCALL_LOG=%s", b->syscall_log);
		envp[k++] = preload;
		envp[k++] = logvar;
	}
	envp[k] = NULL;

	for (unsigned i = 0; i <= b->reloads; i++) {
		Sample s = { .prepare_usec = -1 };
		char detail[64] = "";
		int64_t t0;
		pid_t pid;
		int status;

		if (b->timer)
			(void)unlink(b->syscall_log);
		t0 = now_usec();
		r = posix_spawnp(&pid, b->kexec, NULL, NULL, argv, envp);
		if (r != 0) {
			snprintf(m->note, sizeof(m->note), "posix_spawn %s: %s", b->kexec, strerror(r));
			r = -r;
			break;
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR) {
				r = -errno;
				break;
			}
		s.total_usec = now_usec() - t0;
		s.window_usec = timer_window(b);
		if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			snprintf(detail, sizeof(detail), "kexec exited with %d",
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
			r = -EIO;
		}
		report(method_names[which], i, &s, r, detail);
		if (r < 0) {
			snprintf(m->note, sizeof(m->note), "%s", detail);
			break;
		}
		if (i > 0)
			m->s[m->n++] = s;
	}
	free(envp);
	return r;
}

static void print_json(const Bench *b)
{
	double file_w = median(&b->m[M_FILE], offsetof(Sample, window_usec));

	printf("BENCH-JSON {\"reloads\":%u,\"kernel\":\"%s\",\"initrd\":\"%s\",\"timer\":%s,\"methods\":{", b->reloads,
	       b->kernel, b->initrd, b->timer ? "true" : "false");
	for (int i = 0, first = 1; i < N_METHODS; i++) {
		const Method *m = &b->m[i];
		double w = median(m, offsetof(Sample, window_usec));

		if (!m->on)
			continue;
		printf("%s\"%s\":{\"ok\":%s,\"n\":%u,\"median_window_usec\":%.1f,\"median_total_usec\":%.1f,"
		       "\"median_prepare_usec\":%.1f,\"window_to_file\":",
		       first ? "" : ",", method_names[i], m->failed ? "false" : "true", m->n, w,
		       median(m, offsetof(Sample, total_usec)), median(m, offsetof(Sample, prepare_usec)));
		if (w >= 0 && file_w > 0)
			printf("%.4f", w / file_w);
		else
			printf("null");
		printf(",\"note\":\"");
		for (const char *p = m->note; *p; p++)
			if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
				putchar(*p);
		printf("\",\"samples\":[");
		for (unsigned j = 0; j < m->n; j++)
			printf("%s{\"window_usec\":%" PRId64 ",\"total_usec\":%" PRId64 ",\"prepare_usec\":%" PRId64 "}",
			       j ? "," : "", m->s[j].window_usec, m->s[j].total_usec, m->s[j].prepare_usec);
		printf("]}");
		first = 0;
	}
	printf("}}\n");
}

static void print_table(const Bench *b)
{
	double file_w = median(&b->m[M_FILE], offsetof(Sample, window_usec));

	printf("%-9s %4s %14s %14s %10s\n", "method", "n", "window ms", "total ms", "window/file");
	for (int i = 0; i < N_METHODS; i++) {
		const Method *m = &b->m[i];
		double w = median(m, offsetof(Sample, window_usec)), t = median(m, offsetof(Sample, total_usec));

		if (!m->on)
			continue;
		printf("%-9s %4u %14.2f %14.2f ", method_names[i], m->n, w / 1000.0, t / 1000.0);
		if (w >= 0 && file_w > 0)
			printf("%10.3f\n", w / file_w);
		else
			printf("%10s\n", "-");
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reloads", required_argument, NULL, 'n' },
		{ "methods", required_argument, NULL, 'm' },
		{ "timer", required_argument, NULL, 't' },
		{ "kexec", required_argument, NULL, 'k' },
		{},
	};
	Bench *b;
	char *list = NULL, *item, *save = NULL;
	int opt, rc = 0;

	b = calloc(1, sizeof(*b));
	if (!b)
		return 1;
	b->reloads = 11;
	b->kexec = "kexec";
	while ((opt = getopt_long(argc, argv, "n:m:", opts, NULL)) >= 0) {
		switch (opt) {
		case 'n':
			b->reloads = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			list = optarg;
			break;
		case 't':
			b->timer = optarg;
			break;
		case 'k':
			b->kexec = optarg;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 3 || b->reloads == 0 || b->reloads > MAX_RELOADS) {
		fprintf(stderr, "usage: reload-bench [-n RELOADS] [-m segments,file,kexec-s,kexec] [--timer SO] "
				"[--kexec PATH] KERNEL INITRD CMDLINE\n");
		return 2;
	}
	b->kernel = argv[optind];
	b->initrd = argv[optind + 1];
	b->cmdline = argv[optind + 2];
	snprintf(b->syscall_log, sizeof(b->syscall_log), "/tmp/reload-bench.%d.syscalls", (int)getpid());
	if (b->timer && access(b->timer, R_OK) < 0) {
		fprintf(stderr, "reload-bench: %s: %s\n", b->timer, strerror(errno));
		return 2;
	}
	if (!list) {
		for (int i = 0; i < N_METHODS; i++)
			b->m[i].on = true;
	} else {
		for (item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
			int i;

			for (i = 0; i < N_METHODS && strcmp(item, method_names[i]); i++)
				;
			if (i == N_METHODS) {
				fprintf(stderr, "reload-bench: unknown method %s\n", item);
				return 2;
			}
			b->m[i].on = true;
		}
	}

	for (int i = 0; i < N_METHODS; i++) {
		int r;

		if (!b->m[i].on)
			continue;
		r = i == M_SEGMENTS || i == M_FILE ? bench_lib(b, i) : bench_kexec(b, i);
		if (r < 0) {
			b->m[i].failed = true;
			fprintf(stderr, "reload-bench: %s failed: %s\n", method_names[i], b->m[i].note);
			rc = 1;
		}
	}
	if (b->timer)
		(void)unlink(b->syscall_log);
	print_table(b);
	print_json(b);
	free(b);
	return rc;
}
