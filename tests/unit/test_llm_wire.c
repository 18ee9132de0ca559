/*
 * test_llm_wire.c - the llm stage's pre-encoded request bodies and cache
 * keys are byte-equal to the ones built with jansson (the way the stage
 * built them before): every shipped prompt and an inline one, several
 * records with escapes, control characters and Unicode, several parameter
 * sets, n and seeds; and a value that is not valid UTF-8 is refused like
 * cf_template_render refuses it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cfaug/conf.h"
#include "llm_wire.h"
#include "template.h"

static const char *const known[] = { "text", "label", "target_label", "labels", "id",
                                     "premise", "hypothesis", "attribute", "keep_fixed",
                                     "control_code", "to_value", NULL };

static const char *const texts[] = {
	"plain ascii text that is long enough to cross several eight-byte words",
	"quotes \" and backslashes \\ and a slash / here",
	"newline\nand tab\tand CR\r and form feed \f and backspace \b",
	"control \x01\x02\x1f and DEL \x7f",
	"Unicode: caf\xc3\xa9, na\xc3\xafve, \xe2\x80\x9cquoted\xe2\x80\x9d, \xe2\x80\xa8 LS, "
	"\xf0\x9f\x98\x80 emoji, \xe4\xb8\xad\xe6\x96\x87",
	"",
	"{{not a var}} <text>inner</text> \\u0041",
};

/* What the stage built with jansson: body and key text. */
static char *jansson_body(json_t *msgs, const char *model, json_t *params,
                          long long seed, int n)
{
	json_t *body = json_pack("{s:s, s:O, s:I}", "model", model, "messages", msgs,
	                         "seed", (json_int_t)seed);
	char *d;

	assert_non_null(body);
	assert_int_equal(json_object_update(body, params), 0);
	if (n > 1)
		json_object_set_new(body, "n", json_integer(n));
	d = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return d;
}

static void jansson_key(json_t *msgs, const char *url, const char *model,
                        json_t *params, long long seed, long long req_seed, int n,
                        int sample, char hex[65])
{
	json_t *k = json_pack("{s:i, s:s, s:s, s:O, s:O, s:I, s:I, s:i, s:i}", "v", 2,
	                      "base_url", url, "model", model, "messages", msgs,
	                      "params", params, "seed", (json_int_t)seed,
	                      "req_seed", (json_int_t)req_seed, "n", n, "sample", sample);
	char *d = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
	unsigned char dg[32];

	cf_sha256(d, strlen(d), dg);
	cf_sha256_hex(dg, hex);
	free(d);
	json_decref(k);
}

static json_t *params_set(int which)
{
	switch (which) {
	case 0:
		return json_object();
	case 1:
		return json_pack("{s:f, s:f, s:i}", "temperature", 0.7, "top_p", 0.95,
		                 "max_completion_tokens", 300);
	default:
		return json_pack("{s:f, s:i, s:[s, s], s:b, s:{s:s, s:{s:s, s:b, s:{s:s, "
		                 "s:{s:{s:s}}, s:[s], s:b}}}}",
		                 "temperature", 1.3, "max_tokens", 64, "stop", "</new>", "\n\"x\"",
		                 "logprobs", 1, "response_format", "type", "json_schema",
		                 "json_schema", "name", "counterfactual", "strict", 1, "schema",
		                 "type", "object", "properties", "text", "type", "string",
		                 "required", "text", "additionalProperties", 0);
	}
}

static void check_template(cf_template *t)
{
	size_t nv = cf_template_nvars(t), i, v;
	const char **vals = calloc(nv + 1, sizeof *vals);
	const char *url = "http://127.0.0.1:8000/v1/chat/completions";
	const char *model = "mo\"del/\xc3\xa9";
	int p, n, sorted;

	assert_non_null(vals);
	for (p = 0; p < 3; p++) {
		json_t *params = params_set(p);
		cf_llm_wire w;
		assert_int_equal(cf_llm_wire_init(&w, url, model, params, 12345), 0);
		for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
			cf_jbuf mb = { 0 }, sb = { 0 }, body = { 0 }, scratch = { 0 };
			json_t *msgs;
			char *want, *d, hex[65], whex[65];
			/* every variable gets a text, rotating, so each text meets each */
			for (v = 0; v < nv; v++)
				vals[v] = texts[(i + v) % (sizeof texts / sizeof texts[0])];
			msgs = cf_template_render(t, vals);
			assert_non_null(msgs);
			for (sorted = 0; sorted < 2; sorted++) {
				cf_jbuf *b = sorted ? &sb : &mb;
				assert_int_equal(cf_template_write_json(t, vals, sorted, b), 0);
				d = json_dumps(msgs, JSON_COMPACT | (sorted ? JSON_SORT_KEYS : 0));
				assert_int_equal(b->len, strlen(d));
				assert_memory_equal(b->p, d, b->len);
				free(d);
			}
			for (n = 1; n <= 3; n++) {
				long long seed = n == 2 ? 0 : 2147483646LL - (long long)i;
				body.len = 0;
				assert_int_equal(cf_llm_wire_body(&w, mb.p, mb.len, seed, n, &body), 0);
				want = jansson_body(msgs, model, params, seed, n);
				assert_int_equal(body.len, strlen(want));
				assert_memory_equal(body.p, want, body.len);
				free(want);
				assert_int_equal(cf_llm_wire_key(&w, sb.p, sb.len, seed, n, n - 1,
				                                 &scratch, hex), 0);
				jansson_key(msgs, url, model, params, 12345, seed, n, n - 1, whex);
				assert_string_equal(hex, whex);
				/* another request of the same record has another key */
				assert_int_equal(cf_llm_wire_key(&w, sb.p, sb.len, seed, n + 1, n - 1,
				                                 &scratch, whex), 0);
				assert_string_not_equal(hex, whex);
			}
			json_decref(msgs);
			cf_jbuf_free(&mb);
			cf_jbuf_free(&sb);
			cf_jbuf_free(&body);
			cf_jbuf_free(&scratch);
		}
		cf_llm_wire_free(&w);
		json_decref(params);
	}
	free(vals);
}

static void test_inline_template(void **st)
{
	static const char src[] =
		"### system\nYou edit \"texts\"\\ with\ttabs.\nLabels: {{labels}}\n\n"
		"### user\nA demo: caf\xc3\xa9 \xe2\x80\x94 <text>x</text>\n\n"
		"### assistant\n<new>y</new>\n\n"
		"### user\n{{label}} -> {{target_label}}\n<text>{{text}}</text> \\{{literal}}\n";
	cf_template *t = NULL;
	cf_error err = { 0 };

	(void)st;
	assert_int_equal(cf_template_parse(&t, "prompts/x.txt", src, strlen(src), known,
	                                   &err), 0);
	check_template(t);
	cf_template_free(&t);
}

static void test_prompt_library(void **st)
{
	static const char *const files[] = { "prompts/sentiment-flip.txt",
	        "prompts/nli-edit.txt", "prompts/polyjuice.txt", "prompts/attribute-change.txt",
	        "prompts/paraphrase.txt", NULL };
	size_t i, tried = 0;

	(void)st;
	for (i = 0; files[i]; i++) {
		cf_template *t = NULL;
		cf_error err = { 0 };
		if (cf_template_load(&t, files[i], known, &err) != 0) {
			if (err.code == CF_EIO)
				continue;     /* not shipped under that name */
			fail_msg("%s: %s", files[i], err.msg);
		}
		check_template(t);
		cf_template_free(&t);
		tried++;
	}
	assert_true(tried >= 1);
}

static void test_bad_utf8(void **st)
{
	static const char src[] = "### user\n<text>{{text}}</text>\n";
	const char *vals[2] = { "bad \xc3\x28 byte", NULL };
	cf_template *t = NULL;
	cf_error err = { 0 };
	cf_jbuf b = { 0 };

	(void)st;
	assert_int_equal(cf_template_parse(&t, "prompts/x.txt", src, strlen(src), known,
	                                   &err), 0);
	assert_null(cf_template_render(t, vals));
	assert_int_equal(cf_template_write_json(t, vals, 0, &b), 1);
	vals[0] = "surrogate \xed\xa0\x80";
	assert_null(cf_template_render(t, vals));
	b.len = 0;
	assert_int_equal(cf_template_write_json(t, vals, 1, &b), 1);
	cf_jbuf_free(&b);
	cf_template_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_template),
		cmocka_unit_test(test_prompt_library),
		cmocka_unit_test(test_bad_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
