/*
 * fuzz_template.c - libFuzzer target for the prompt-template parser and
 * renderer (pipeline/util/template.c).
 *
 * Input: the bytes of a template file, parsed with the llm stage's
 * built-in variables plus the fields and vars the shipped prompts use.  A failed parse must leave no
 * template and a message.  A successful one must render, and the result
 * is checked, not just survived:
 *   - messages are [system] (user assistant)* user, each content valid
 *     UTF-8;
 *   - with values holding no braces, no content contains "{{" unless the
 *     file has the escape "\{{" (no variable is left unreplaced);
 *   - each variable is one of the known names, listed once;
 *   - substitution is exact: giving variable i a value of n bytes more
 *     adds occ_i * n bytes to each message, where occ_i (counted with a
 *     1-byte value) is the same for a 256 KiB value ("huge values"), and
 *     the huge value appears verbatim;
 *   - a value that is not valid UTF-8 makes render fail, never produce a
 *     message, when the variable is used.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include "fuzz_util.h"
#include "template.h"

#define NKNOWN 11
#define HUGE_LEN (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const known[NKNOWN + 1] = {
	"text", "label", "target_label", "labels", "id", "premise", "hypothesis",
	"attribute", "control_code", "keep_fixed", "to_value", NULL
};

static size_t content_len(json_t *msgs, size_t m)
{
	return json_string_length(json_object_get(json_array_get(msgs, m), "content"));
}

/* Roles in order, contents valid UTF-8; returns the message count. */
static size_t check_shape(json_t *msgs)
{
	size_t i, n;
	const char *prev = NULL;

	CHECK(json_is_array(msgs));
	n = json_array_size(msgs);
	CHECK(n >= 1);
	for (i = 0; i < n; i++) {
		json_t *m = json_array_get(msgs, i), *c = json_object_get(m, "content");
		const char *role = json_string_value(json_object_get(m, "role"));
		CHECK(role && json_is_string(c));
		CHECK(utf8_ok(json_string_value(c), json_string_length(c)));
		if (!strcmp(role, "system"))
			CHECK(i == 0);
		else if (!strcmp(role, "user"))
			CHECK(!prev || strcmp(prev, "user") != 0);
		else if (!strcmp(role, "assistant"))
			CHECK(prev && !strcmp(prev, "user"));
		else
			CHECK(!"unknown role");
		prev = role;
	}
	CHECK(!strcmp(prev, "user"));
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *huge;
	const char *vals[NKNOWN];
	cf_template *t = NULL;
	cf_error err = { 0 };
	json_t *m0 = NULL, *m1;
	size_t nv, i, k, nmsg, occ[NKNOWN], total = 0;
	int rc, escaped;

	if (!huge) {
		/* "é" repeated: valid UTF-8, no braces */
		huge = malloc(HUGE_LEN + 1);
		for (i = 0; i < HUGE_LEN; i += 2)
			huge[i] = (char)0xC3, huge[i + 1] = (char)0xA9;
		huge[HUGE_LEN] = '\0';
	}
	rc = cf_template_parse(&t, "prompts/fuzz.txt", (const char *)data, size,
	                       known, &err);
	if (rc != 0) {
		CHECK(rc < 0 && !t && err.msg[0]);
		return 0;
	}
	CHECK(t);
	CHECK(strlen(cf_template_sha256(t)) == 64);
	nv = cf_template_nvars(t);
	CHECK(nv <= NKNOWN);
	for (i = 0; i < nv; i++) {
		const char *v = cf_template_var(t, i);
		for (k = 0; known[k] && strcmp(known[k], v); k++)
			;
		CHECK(known[k]);
		for (k = 0; k < i; k++)
			CHECK(strcmp(cf_template_var(t, k), v) != 0);
	}

	for (i = 0; i < NKNOWN; i++)
		vals[i] = "";
	m0 = cf_template_render(t, vals);
	CHECK(m0);   /* a template that loaded renders with valid values */
	nmsg = check_shape(m0);
	escaped = memmem(data, size, "\\{{", 3) != NULL;
	for (k = 0; k < nmsg && !escaped; k++)
		CHECK(!strstr(json_string_value(json_object_get(json_array_get(m0, k),
		                                                "content")), "{{"));

	/* occurrences of each variable, from a 1-byte value */
	for (i = 0; i < nv; i++) {
		vals[i] = "x";
		CHECK((m1 = cf_template_render(t, vals)));
		CHECK(json_array_size(m1) == nmsg);
		occ[i] = 0;
		for (k = 0; k < nmsg; k++) {
			CHECK(content_len(m1, k) >= content_len(m0, k));
			occ[i] += content_len(m1, k) - content_len(m0, k);
		}
		json_decref(m1);
		total += occ[i];
		CHECK(occ[i] > 0);   /* a listed variable is used somewhere */

		/* invalid UTF-8 in a used value: no messages */
		vals[i] = "a\xC0\x80";
		m1 = cf_template_render(t, vals);
		CHECK(!m1);
		vals[i] = "";
	}

	/* a huge value: the same occurrences, exact lengths, verbatim */
	if (nv && total <= 16) {
		size_t grown = 0;
		vals[0] = huge;
		CHECK((m1 = cf_template_render(t, vals)));
		CHECK(json_array_size(m1) == nmsg);
		for (k = 0; k < nmsg; k++) {
			size_t d = content_len(m1, k) - content_len(m0, k);
			CHECK(content_len(m1, k) >= content_len(m0, k) && d % HUGE_LEN == 0);
			grown += d / HUGE_LEN;
			if (d)
				CHECK(strstr(json_string_value(json_object_get(
				        json_array_get(m1, k), "content")), huge));
		}
		CHECK(grown == occ[0]);
		json_decref(m1);
		vals[0] = "";
	}
	json_decref(m0);
	cf_template_free(&t);
	CHECK(!t);
	return 0;
}
