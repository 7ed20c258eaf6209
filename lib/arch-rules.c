/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "arch-rules.h"

/* meson defines CHP_ARCH_NATIVE as the ArchRules of host_machine.cpu_family(). */
#ifndef CHP_ARCH_NATIVE
#error "CHP_ARCH_NATIVE is not set: lib/meson.build chooses it by host_machine.cpu_family()"
#endif

static const ArchRules *const known[] = {
	&arch_rules_x86_64,
	&arch_rules_arm64,
};

const ArchRules *arch_native(void)
{
	return &CHP_ARCH_NATIVE;
}

const ArchRules *arch_by_name(const char *name)
{
	if (streq(name, "amd64"))
		name = "x86_64";
	else if (streq(name, "aarch64"))
		name = "arm64";
	for (size_t i = 0; i < ELEMENTSOF(known); i++)
		if (streq(known[i]->name, name))
			return known[i];
	return NULL;
}

const ArchRules *arch_by_machine(uint16_t e_machine)
{
	for (size_t i = 0; i < ELEMENTSOF(known); i++)
		if (known[i]->e_machine == e_machine)
			return known[i];
	return NULL;
}
