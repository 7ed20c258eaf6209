/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What was loaded, remembered across restarts; see loaded-record.h. */
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "loaded-record.h"
#include "loader.h"
#include "path.h"
#include "sha256.h"

static void json_putp(json_object **o)
{
	json_object_put(*o);
}

static int identity(Sha256 *s, const char *root, const char *what, const char *path)
{
	char full[PATH_MAX], line[PATH_MAX + 160];
	struct stat st;
	int n;

	if (!path[0]) {
		n = snprintf(line, sizeof(line), "%s=\n", what);
		sha256_update(s, line, (size_t)n);
		return 0;
	}
	if (path_join(root, path, full, sizeof(full)) < 0)
		return -ENAMETOOLONG;
	if (stat(full, &st) < 0)
		return negative_errno();
	n = snprintf(line, sizeof(line), "%s=%s %ju %ju %jd %jd.%09ld\n", what, path, (uintmax_t)st.st_dev,
		     (uintmax_t)st.st_ino, (intmax_t)st.st_size, (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -ENAMETOOLONG;
	sha256_update(s, line, (size_t)n);
	return 0;
}

int loaded_record_inputs(const char *root, const Config *c, LoaderKind kind, char ret[65])
{
	_cleanup_(freep) char *cmdline = NULL;
	char kernel[PATH_MAX], initrd[PATH_MAX], why[512], line[160];
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct utsname u;
	Sha256 s;
	int r, n;

	if (uname(&u) < 0)
		return negative_errno();
	r = loader_resolve_kernel(root, c, u.release, kernel, sizeof(kernel), why, sizeof(why));
	if (r >= 0)
		r = loader_resolve_initrd(root, c, u.release, initrd, sizeof(initrd), why, sizeof(why));
	if (r >= 0)
		r = loader_command_line(root, c, &cmdline, why, sizeof(why));
	if (r < 0)
		return r;
	sha256_init(&s);
	/* The daemon's version too: an upgrade may build the header differently. */
	n = snprintf(line, sizeof(line), "version=%s\nloader=%s\nmax_phdrs=%u\n", CRASH_HOTPLUGD_VERSION,
		     loader_kind_to_string(kind), c->max_phdrs);
	sha256_update(&s, line, (size_t)n);
	if ((r = identity(&s, root, "kernel", kernel)) < 0 || (r = identity(&s, root, "initrd", initrd)) < 0)
		return r;
	sha256_update(&s, "cmdline=", 8);
	sha256_update(&s, cmdline, strlen(cmdline));
	sha256_final(&s, digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(ret + 2 * i, 3, "%02x", digest[i]);
	return 0;
}

void loaded_record_boot_id(const char *root, char ret[40])
{
	if (path_read_line(root, "/proc/sys/kernel/random/boot_id", ret, 40, NULL) < 0)
		ret[0] = '\0';
}

int loaded_record_write(const char *runtime_dir, const LoadedRecord *r)
{
	_cleanup_(json_putp) json_object *o = json_object_new_object();
	char path[PATH_MAX], fp[17];
	const char *text;

	if (!o)
		return -ENOMEM;
	snprintf(fp, sizeof(fp), "%016" PRIx64, r->fingerprint);
	if (json_object_object_add(o, "loader", json_object_new_string(loader_kind_to_string(r->loader))) < 0 ||
	    json_object_object_add(o, "kernel_managed", json_object_new_boolean(r->kernel_managed)) < 0 ||
	    json_object_object_add(o, "fingerprint", json_object_new_string(fp)) < 0 ||
	    json_object_object_add(o, "capacity", json_object_new_uint64(r->capacity)) < 0 ||
	    json_object_object_add(o, "inputs", json_object_new_string(r->inputs)) < 0 ||
	    json_object_object_add(o, "boot_id", json_object_new_string(r->boot_id)) < 0 ||
	    json_object_object_add(o, "realtime_usec", json_object_new_uint64(r->realtime_usec)) < 0)
		return -ENOMEM;
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (!text)
		return -ENOMEM;
	if (snprintf(path, sizeof(path), "%s/" LOADED_RECORD_NAME, runtime_dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	/* The runtime directory is the daemon's own (it created it): no trust walk from /. */
	_cleanup_(closep) int dfd = open(runtime_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return negative_errno();
	return loader_write_atomic_at(dfd, LOADED_RECORD_NAME, text, strlen(text), 0600);
}

static bool get_string(json_object *o, const char *key, char *buf, size_t size)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) >= size)
		return false;
	memcpy(buf, json_object_get_string(v), (size_t)json_object_get_string_len(v) + 1);
	return true;
}

static bool get_uint(json_object *o, const char *key, uint64_t *ret)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*ret = json_object_get_uint64(v);
	return true;
}

int loaded_record_read(const char *runtime_dir, LoadedRecord *ret)
{
	_cleanup_(json_putp) json_object *o = NULL;
	_cleanup_(freep) char *text = NULL;
	char path[PATH_MAX], loader[32], fp[17];
	LoadedRecord r = {};
	json_object *managed;
	struct stat st;
	size_t size = 0;
	int fd, k;

	if (snprintf(path, sizeof(path), "%s/" LOADED_RECORD_NAME, runtime_dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -EINVAL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0022) ||
	    path_read_fd(fd, path, LOADED_RECORD_CAP, &text, &size, NULL) < 0) {
		close(fd);
		return -EINVAL;
	}
	close(fd);
	o = json_tokener_parse(text);
	if (!o || !json_object_is_type(o, json_type_object) || !get_string(o, "loader", loader, sizeof(loader)) ||
	    !get_string(o, "fingerprint", fp, sizeof(fp)) || !get_string(o, "inputs", r.inputs, sizeof(r.inputs)) ||
	    !get_string(o, "boot_id", r.boot_id, sizeof(r.boot_id)) || !get_uint(o, "capacity", &r.capacity) ||
	    !get_uint(o, "realtime_usec", &r.realtime_usec) ||
	    !json_object_object_get_ex(o, "kernel_managed", &managed) ||
	    !json_object_is_type(managed, json_type_boolean) || strlen(fp) != 16 ||
	    strspn(fp, "0123456789abcdef") != 16)
		return -EINVAL;
	k = loader_kind_from_string(loader);
	if (k < 0)
		return -EINVAL;
	r.loader = (LoaderKind)k;
	r.kernel_managed = json_object_get_boolean(managed);
	r.fingerprint = strtoull(fp, NULL, 16);
	*ret = r;
	return 0;
}

void loaded_record_remove(const char *runtime_dir)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/" LOADED_RECORD_NAME, runtime_dir) < (int)sizeof(path))
		(void)unlink(path);
}
