/*
 * test_template.c - prompt templates (sections, variables, escapes, the
 * located errors), the shipped prompt library, and the response cache.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "cache.h"
#include "template.h"

static const char *const known[] = { "text", "label", "target_label", "labels",
                                     "premise", "hypothesis", NULL };

static cf_template *parse_ok(const char *src)
{
	cf_template *t = NULL;
	cf_error err = { 0 };

	if (cf_template_parse(&t, "prompts/x.txt", src, strlen(src), known, &err) != 0)
		fail_msg("parse failed: %s", err.msg);
	return t;
}

static void parse_bad(const char *src, const char *msg)
{
	cf_template *t = NULL;
	cf_error err = { 0 };

	assert_int_equal(cf_template_parse(&t, "prompts/x.txt", src, strlen(src), known,
	                                   &err), CF_ECONFIG);
	assert_null(t);
	if (!strstr(err.msg, msg))
		fail_msg("message '%s' lacks '%s'", err.msg, msg);
}

static void test_sections_and_render(void **unused)
{
	cf_template *t = parse_ok(
	        "### about\nfor people {{ignored}}\n\n"
	        "### system\n\nYou edit {{ label }} texts.\n\n"
	        "### user\nDemo in\n### assistant\nDemo out\n"
	        "### user\nEdit <text>{{text}}</text> to {{target_label}}; {{label}} again.\n");
	const char *vals[3];
	json_t *m;
	char *dump;

	assert_string_equal(cf_template_name(t), "x");
	assert_int_equal(strlen(cf_template_sha256(t)), 64);
	assert_int_equal(cf_template_nvars(t), 3);
	assert_string_equal(cf_template_var(t, 0), "label");
	assert_string_equal(cf_template_var(t, 1), "text");
	assert_string_equal(cf_template_var(t, 2), "target_label");
	vals[0] = "neg";
	vals[1] = "say \"hi\"\\\n\ttab ü";
	vals[2] = "pos";
	m = cf_template_render(t, vals);
	assert_non_null(m);
	dump = json_dumps(m, JSON_COMPACT);
	/* values go in as they are; JSON escaping is jansson's, at dump time */
	assert_string_equal(dump,
	        "[{\"role\":\"system\",\"content\":\"You edit neg texts.\"},"
	        "{\"role\":\"user\",\"content\":\"Demo in\"},"
	        "{\"role\":\"assistant\",\"content\":\"Demo out\"},"
	        "{\"role\":\"user\",\"content\":\"Edit <text>say \\\"hi\\\"\\\\\\n\\ttab \xc3\xbc"
	        "</text> to pos; neg again.\"}]");
	free(dump);
	json_decref(m);
	cf_template_free(&t);
	assert_null(t);
}

static void test_plain_file_and_escape(void **unused)
{
	cf_template *t = parse_ok("\n\nJust a user message: \\{{literal}} and {{text}}\n");
	const char *vals[] = { "T" };
	json_t *m = cf_template_render(t, vals);

	assert_int_equal(json_array_size(m), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "role")),
	                    "user");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "content")),
	                    "Just a user message: {{literal}} and T");
	json_decref(m);
	cf_template_free(&t);
}

static void test_errors_located(void **unused)
{
	parse_bad("### user\nok {{text}}\n  and {{nope}}\n",
	          "prompts/x.txt:3:7: unknown variable 'nope' (known: text, label,");
	parse_bad("### system\ns\n### user\nline\n\tx {{text\n",
	          "prompts/x.txt:5:4: '{{' without '}}'");
	parse_bad("### user\n{{bad name}}\n", "prompts/x.txt:2:1: bad variable name");
	parse_bad("### user\nq\n### system\ns\n", "prompts/x.txt:3:1: section 'system' out of order");
	/* found by fuzz_template: such a file loaded, then every record failed */
	parse_bad("### user\nok\nbad \xc3\x28 {{text}}\n", "prompts/x.txt:3:5: invalid UTF-8");
	parse_bad("### assistant\na\n### user\nq\n", "section 'assistant' out of order");
	parse_bad("### user\nq\n### user\nq2\n", "section 'user' out of order");
	parse_bad("### system\ns\n### user\nq\n### assistant\na\n",
	          "must end with a '### user' section");
	/* errors in demonstrations count too */
	parse_bad("### user\n{{premise}}\n### assistant\n{{oops}}\n### user\nq\n",
	          "prompts/x.txt:4:1: unknown variable 'oops'");
}

/* Every prompt shipped in prompts/ loads with the variables the llm stage
 * offers for a labelled pair input (text, premise, hypothesis) plus the
 * per-template extras documented in its about section. */
static void test_prompt_library(void **unused)
{
	static const char *const lib_known[] = { "text", "label", "target_label",
		"labels", "id", "premise", "hypothesis", "attribute", "keep_fixed",
		"control_code", "from_value", "to_value", NULL };
	static const char *const files[] = { "sentiment-flip", "nli-edit",
		"polyjuice", "attribute-change", "paraphrase", NULL };
	char path[512];
	cf_template *t;
	cf_error err;
	size_t i;

	for (i = 0; files[i]; i++) {
		memset(&err, 0, sizeof err);
		t = NULL;
		snprintf(path, sizeof path, "prompts/%s.txt", files[i]);
		if (cf_template_load(&t, path, lib_known, &err) != 0)
			fail_msg("%s: %s", path, err.msg);
		assert_string_equal(cf_template_name(t), files[i]);
		assert_true(cf_template_nvars(t) >= 1);
		cf_template_free(&t);
	}
}

static void test_cache_atomic_private(void **unused)
{
	char dir[] = "/tmp/cfaug-cache-test-XXXXXX", sub[600], *data = NULL;
	const char *key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	cf_cache *c = NULL;
	cf_error err = { 0 };
	struct stat sb;
	size_t len;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/a/b", dir);
	assert_int_equal(cf_cache_open(&c, sub, &err), 0);
	assert_int_equal(stat(sub, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(cf_cache_get(c, key, &data, &len), 0);
	assert_int_equal(cf_cache_put(c, key, "{\"a\":1}", 7, &err), 0);
	assert_int_equal(cf_cache_put(c, key, "{\"a\":2}", 7, &err), 0);
	assert_int_equal(cf_cache_get(c, key, &data, &len), 1);
	assert_int_equal(len, 7);
	assert_string_equal(data, "{\"a\":2}");
	free(data);
	snprintf(sub, sizeof sub, "%s/a/b/01/%s", dir, key);
	assert_int_equal(stat(sub, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* no temporary left behind */
	snprintf(sub, sizeof sub, "rm -rf '%s' && test ! -e '%s'", dir, dir);
	assert_int_equal(cf_cache_get(c, "../../etc/passwd", &data, &len), CF_EINTERNAL);
	{
		char cmd[700];
		snprintf(cmd, sizeof cmd, "test $(ls -A '%s/a/b/01' | wc -l) -eq 1", dir);
		assert_int_equal(system(cmd), 0);
	}
	cf_cache_close(&c);
	assert_null(c);
	assert_int_equal(system(sub), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections_and_render),
		cmocka_unit_test(test_plain_file_and_escape),
		cmocka_unit_test(test_errors_located),
		cmocka_unit_test(test_prompt_library),
		cmocka_unit_test(test_cache_atomic_private),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
