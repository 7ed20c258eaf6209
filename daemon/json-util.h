/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The few json-c idioms status.json and crash-hotplugctl's --json outputs share. */
#pragma once

#include <inttypes.h>
#include <json-c/json.h>

#include "util.h"

static inline void json_putp(json_object **o)
{
	json_object_put(*o);
}

/* Adds key: value to o, taking value (NULL: out of memory); false when out of memory. */
static inline bool json_add(json_object *o, const char *key, json_object *value)
{
	if (!value || json_object_object_add(o, key, value) < 0) {
		json_object_put(value);
		return false;
	}
	return true;
}

/* Appends value to the array a, taking it; false when out of memory. */
static inline bool json_append(json_object *a, json_object *value)
{
	if (!value || json_object_array_add(a, value) < 0) {
		json_object_put(value);
		return false;
	}
	return true;
}

/* o as one line of plain JSON (no "\/" escapes), without a newline; NULL when out of memory.
 * The text belongs to o. */
static inline const char *json_text(json_object *o, size_t *ret_len)
{
	return json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, ret_len);
}

/* "0x1f" as a JSON string: addresses are strings, sizes and counts numbers. */
static inline json_object *json_new_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

/* o and a newline on out: 0, -ENOMEM or -EIO. */
static inline int json_print(json_object *o, FILE *out)
{
	size_t len;
	const char *text = json_text(o, &len);

	if (!text)
		return -ENOMEM;
	if (fwrite(text, 1, len, out) != len || fputc('\n', out) == EOF)
		return -EIO;
	return 0;
}
