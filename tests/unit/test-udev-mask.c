/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Masking kdump-tools' and kdump-utils' per-event reload rules, and giving them back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "path.h"
#include "scratch-root.h"
#include "udev-mask.h"

typedef struct Fixture {
	char root[PATH_MAX - 64];
} Fixture;

static void put(Fixture *f, const char *rel, const char *text)
{
	scratch_put(f->root, rel, text);
}

static bool exists(Fixture *f, const char *rel)
{
	char path[PATH_MAX];

	assert_int_equal(path_join(f->root, rel, path, sizeof(path)), 0);
	return access(path, F_OK) == 0;
}

static int setup(void **state)
{
	Fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	umask(022);
	snprintf(f->root, sizeof(f->root), "%s/test-udev-mask-XXXXXX", tmp && *tmp ? tmp : P_tmpdir);
	assert_non_null(mkdtemp(f->root));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	Fixture *f = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void test_nothing_installed(void **state)
{
	Fixture *f = *state;
	unsigned n = 99;
	Diag d = {};

	assert_int_equal(udev_mask_apply(f->root, &n, &d), 0);
	assert_int_equal(n, 0);
	assert_false(exists(f, "/run/udev")); /* nothing to mask: nothing created */
	assert_int_equal(udev_rule_state(f->root, "50-kdump-tools.rules", NULL), UDEV_RULE_ABSENT);
	assert_int_equal(udev_mask_release(f->root, &n, &d), 0);
	assert_int_equal(n, 0);
}

static void test_mask_and_release(void **state)
{
	Fixture *f = *state;
	char where[PATH_MAX];
	unsigned n = 0;
	Diag d = {};

	put(f, "/lib/udev/rules.d/50-kdump-tools.rules", "SUBSYSTEM==\"memory\", PROGRAM=\"reload\"\n");
	put(f, "/usr/lib/udev/rules.d/98-kexec.rules", "SUBSYSTEM==\"cpu\", RUN+=\"reload\"\n");
	assert_int_equal(udev_rule_state(f->root, "50-kdump-tools.rules", where), UDEV_RULE_ACTIVE);
	assert_string_equal(where, "/lib/udev/rules.d/50-kdump-tools.rules");

	assert_int_equal(udev_mask_apply(f->root, &n, &d), 0);
	assert_int_equal(n, 2);
	assert_int_equal(udev_rule_state(f->root, "50-kdump-tools.rules", NULL), UDEV_RULE_MASKED);
	assert_int_equal(udev_rule_state(f->root, "98-kexec.rules", where), UDEV_RULE_MASKED);
	assert_string_equal(where, "/usr/lib/udev/rules.d/98-kexec.rules");
	/* Applying again changes nothing. */
	assert_int_equal(udev_mask_apply(f->root, &n, &d), 0);
	assert_int_equal(n, 0);

	assert_int_equal(udev_mask_release(f->root, &n, &d), 0);
	assert_int_equal(n, 2);
	assert_false(exists(f, "/run/udev/rules.d/50-kdump-tools.rules"));
	assert_int_equal(udev_rule_state(f->root, "50-kdump-tools.rules", NULL), UDEV_RULE_ACTIVE);
}

/* The admin's files are never written over or removed; an /etc override cannot be masked. */
static void test_admin_files_untouched(void **state)
{
	Fixture *f = *state;
	char where[PATH_MAX];
	unsigned n = 0;
	Diag d = {};

	put(f, "/lib/udev/rules.d/50-kdump-tools.rules", "packaged\n");
	put(f, "/lib/udev/rules.d/98-kexec.rules", "packaged\n");
	put(f, "/etc/udev/rules.d/50-kdump-tools.rules", "SUBSYSTEM==\"memory\", PROGRAM=\"admin's\"\n");
	put(f, "/run/udev/rules.d/98-kexec.rules", "# admin's own mask\n");
	assert_int_equal(udev_rule_state(f->root, "50-kdump-tools.rules", where), UDEV_RULE_MASKED_ADMIN);
	assert_string_equal(where, "/etc/udev/rules.d/50-kdump-tools.rules");
	assert_int_equal(udev_rule_state(f->root, "98-kexec.rules", where), UDEV_RULE_MASKED_ADMIN);
	assert_string_equal(where, "/run/udev/rules.d/98-kexec.rules");

	assert_int_equal(udev_mask_apply(f->root, &n, &d), 0);
	assert_int_equal(n, 0);
	assert_false(exists(f, "/run/udev/rules.d/50-kdump-tools.rules"));
	assert_int_equal(udev_mask_release(f->root, &n, &d), 0);
	assert_int_equal(n, 0);
	assert_true(exists(f, "/run/udev/rules.d/98-kexec.rules"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_installed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mask_and_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_files_untouched, setup, teardown),
	};

	return cmocka_run_group_tests_name("udev-mask", tests, NULL, NULL);
}
