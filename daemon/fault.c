/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "fault.h"

#define FAULT_FOREVER UINT_MAX
#define FAULT_MAX_RULES 16
#define FAULT_HANG (-1) /* run: a real process group that never exits */

typedef enum FaultOp {
	FAULT_FILE_LOAD,
	FAULT_LOAD,
	FAULT_RUN,
} FaultOp;

typedef struct FaultRule {
	FaultOp op;
	int result;         /* errno, or exit status (or FAULT_HANG) for run */
	unsigned remaining; /* calls left to fail; FAULT_FOREVER */
} FaultRule;

struct FaultOps {
	KexecOps ops;
	FaultRule rules[FAULT_MAX_RULES];
	size_t n_rules;
	char *record_path, *status_path; /* fault_ops_record(); NULL: nothing recorded */
};

/* fault_ops_record()'s line for this call. Test builds only: a failure to record shows as a
 * missing line in the test that asked for it. */
static void record_call(const FaultOps *f, const char *op)
{
	char text[4096] = "", state[32] = "-";
	uint64_t since = 0;
	struct timespec now;
	const char *p;
	FILE *in, *out;

	if (!f->record_path)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	in = fopen(f->status_path, "re");
	if (in) {
		text[fread(text, 1, sizeof(text) - 1, in)] = '\0';
		fclose(in);
	}
	p = strstr(text, "\"state\":\"");
	if (p)
		(void)sscanf(p + strlen("\"state\":\""), "%31[^\"]", state);
	p = strstr(text, "\"state_since\":");
	if (p)
		(void)sscanf(p + strlen("\"state_since\":"), "%" SCNu64, &since);
	out = fopen(f->record_path, "ae");
	if (!out)
		return;
	fprintf(out, "%s %" PRIu64 " %s %" PRIu64 "\n", op, (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u,
		state, since);
	fclose(out);
}

/* The result scripted for the next call of op, 0 for success. */
static int next_fault(FaultOps *f, FaultOp op)
{
	for (size_t i = 0; i < f->n_rules; i++) {
		FaultRule *r = &f->rules[i];

		if (r->op != op || r->remaining == 0)
			continue;
		if (r->remaining != FAULT_FOREVER)
			r->remaining--;
		return r->result;
	}
	return 0;
}

static long fake_kexec_load(void *userdata, unsigned long entry, unsigned long nr_segments,
			    struct kexec_segment *segments, unsigned long flags)
{
	int e = next_fault(userdata, FAULT_LOAD);

	record_call(userdata, "load");
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

static long fake_kexec_file_load(void *userdata, int kernel_fd, int initrd_fd, unsigned long cmdline_len,
				 const char *cmdline, unsigned long flags)
{
	struct stat st;
	int e;

	/* What the kernel checks first, so fd bugs in the loader show in tests too. */
	if (fstat(kernel_fd, &st) < 0 || (initrd_fd >= 0 && fstat(initrd_fd, &st) < 0)) {
		errno = EBADF;
		return -1;
	}
	if (cmdline_len == 0 || cmdline[cmdline_len - 1] != '\0' || !(flags & KEXEC_FILE_ON_CRASH) ||
	    (initrd_fd < 0) != !!(flags & KEXEC_FILE_NO_INITRAMFS)) {
		errno = EINVAL;
		return -1;
	}
	record_call(userdata, "file_load");
	e = next_fault(userdata, FAULT_FILE_LOAD);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

static int fake_run(void *userdata, char *const argv[], uint64_t timeout_usec)
{
	/* A kexec that hangs, spawned for real so that the real timeout, signal and group kill
	 * are what is tested: a shell with a child of its own, both deaf to SIGTERM (ignored
	 * dispositions survive fork and exec), as a kexec stuck in the kernel would be. */
	static char *const hang[] = { (char *)"/bin/sh", (char *)"-c",
				      (char *)"trap '' TERM; sleep 1000 & sleep 1000; wait", NULL };
	int r = next_fault(userdata, FAULT_RUN);

	if (r == FAULT_HANG)
		return kexec_ops_real.run(NULL, hang, timeout_usec);
	return r;
}

static int parse_errno(const char *s)
{
	for (int e = 1; e < 134; e++) {
		const char *name = strerrorname_np(e);

		if (name && streq(name, s))
			return e;
	}
	return -EINVAL;
}

static int parse_rule(char *item, FaultRule *ret)
{
	char *colon = strchr(item, ':'), *star, *end;
	FaultRule r = { .remaining = FAULT_FOREVER };

	if (!colon)
		return -EINVAL;
	*colon = '\0';
	if (streq(item, "file_load"))
		r.op = FAULT_FILE_LOAD;
	else if (streq(item, "load"))
		r.op = FAULT_LOAD;
	else if (streq(item, "run"))
		r.op = FAULT_RUN;
	else
		return -EINVAL;
	star = strchr(colon + 1, '*');
	if (star) {
		*star = '\0';
		errno = 0;
		unsigned long n = strtoul(star + 1, &end, 10);
		if (errno || *end || end == star + 1 || n == 0 || n >= FAULT_FOREVER)
			return -EINVAL;
		r.remaining = (unsigned)n;
	}
	if (r.op == FAULT_RUN && streq(colon + 1, "hang"))
		r.result = FAULT_HANG;
	else if (r.op == FAULT_RUN) {
		errno = 0;
		long v = strtol(colon + 1, &end, 10);
		if (errno || *end || end == colon + 1 || v <= 0 || v > 255)
			return -EINVAL;
		r.result = (int)v;
	} else {
		r.result = parse_errno(colon + 1);
		if (r.result < 0)
			return -EINVAL;
	}
	*ret = r;
	return 0;
}

int fault_ops_new(const char *spec, FaultOps **ret)
{
	_cleanup_(fault_ops_freep) FaultOps *f = NULL;
	_cleanup_(freep) char *copy = NULL;
	char *item, *save = NULL;
	int r;

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->ops = (KexecOps){
		.kexec_load = fake_kexec_load,
		.kexec_file_load = fake_kexec_file_load,
		.run = fake_run,
		.userdata = f,
	};
	copy = strdup(spec ? spec : "");
	if (!copy)
		return -ENOMEM;
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (f->n_rules >= FAULT_MAX_RULES)
			return -E2BIG;
		r = parse_rule(item, &f->rules[f->n_rules]);
		if (r < 0)
			return r;
		f->n_rules++;
	}
	*ret = TAKE_PTR(f);
	return 0;
}

int fault_ops_record(FaultOps *f, const char *record_path, const char *status_path)
{
	free(f->record_path);
	free(f->status_path);
	f->record_path = strdup(record_path);
	f->status_path = strdup(status_path);
	return f->record_path && f->status_path ? 0 : -ENOMEM;
}

FaultOps *fault_ops_free(FaultOps *f)
{
	if (!f)
		return NULL;
	free(f->record_path);
	free(f->status_path);
	free(f);
	return NULL;
}

const KexecOps *fault_ops_get(FaultOps *f)
{
	return &f->ops;
}
