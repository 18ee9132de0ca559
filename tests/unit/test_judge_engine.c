/*
 * test_judge_engine.c - the judge engine (include/cfaug/sys/judge.h) and
 * the stage-API pieces that came with it: kinds found by name and alias
 * from the table, configuration errors with their location, what a remote
 * kind sends (fields, pairs, the llm's JSON request), the shared endpoint
 * defaults, optional numbers (CF_OPT_OPTNUM) and item annotations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cfaug/sys/judge.h"
#include "cfaug/sys/stage.h"
#include "endpoint_opts.h"

static char *lv[] = { "negative", "positive" };
static const cf_strlist L = { lv, 2 };
static char *fv[] = { "premise", "hypothesis" };
static const cf_strlist F2 = { fv, 2 };

/* Open a judge from YAML text and bind it to L and fields F (dry run: no
 * client).  Returns the code; *out the judge (free it), *c the conf. */
static int open_bind(const char *yaml, const cf_strlist *F, cf_judge **out,
                     cf_conf **c, cf_error *err)
{
	cf_judge_env env = { "j.yaml", F, "input.text_fields",
	                     "the stage's labels", 7, 7, 1 };
	int rc;

	*out = NULL;
	if ((rc = cf_conf_load_buffer(c, "j.yaml", yaml, strlen(yaml), err)) < 0)
		return rc;
	if ((rc = cf_judge_open(out, (*c)->root, "j.yaml", err)) < 0)
		return rc;
	return cf_judge_bind(*out, &L, &env, err);
}

static const char *text_of(void *ctx, const char *field, size_t *len)
{
	const char *v = !strcmp(field, "premise") ? "A man sleeps." :
	                !strcmp(field, "hypothesis") ? "Nobody sleeps." : NULL;

	(void)ctx;
	*len = v ? strlen(v) : 0;
	return v;
}

static void test_kinds_table(void **st)
{
	size_t k;

	(void)st;
	for (k = 0; cf_judge_kinds[k]; k++)
		assert_ptr_equal(cf_judge_kind_find(cf_judge_kinds[k]->name),
		                 cf_judge_kinds[k]);
	assert_int_equal(k, 4);
	assert_string_equal(cf_judge_kind_find("classify")->name, "vllm");
	assert_null(cf_judge_kind_find("oracle"));
	assert_string_equal(cf_judge_kinds[0]->name, "builtin");
}

static void test_unknown_kind_lists_the_table(void **st)
{
	cf_error err = { 0 };
	cf_judge *j = NULL;
	cf_conf *c = NULL;

	(void)st;
	assert_int_equal(open_bind("kind: oracle\nurl: x\n", &F2, &j, &c, &err),
	                 CF_ECONFIG);
	assert_string_equal(err.msg, "j.yaml:1:7: unknown judge kind 'oracle' "
	                    "(builtin, tei, vllm or llm)");
	cf_judge_free(&j);
	cf_conf_free(&c);
}

static void test_tei_sends_a_pair(void **st)
{
	cf_error err = { 0 };
	cf_judge *j = NULL;
	cf_conf *c = NULL;
	char *body;

	(void)st;
	assert_int_equal(open_bind("kind: tei\nurl: http://h/predict\n", &F2, &j,
	                           &c, &err), 0);
	assert_true(cf_judge_is_remote(j));
	assert_string_equal(j->endpoint, "http://h/predict");
	assert_string_equal(j->c.name, "http://h/predict");
	/* the shared endpoint defaults */
	assert_int_equal(j->c.concurrency, atol(CF_ENDPOINT_CONCURRENCY));
	assert_int_equal(j->c.max_retries, atol(CF_ENDPOINT_MAX_RETRIES));
	assert_true(j->c.timeout_s == atof(CF_ENDPOINT_TIMEOUT_S));
	body = j->kind->request_body(j, j->state, text_of, NULL, 0);
	assert_string_equal(body, "{\"inputs\":[[\"A man sleeps.\","
	                    "\"Nobody sleeps.\"]]}");
	free(body);
	cf_judge_free(&j);
	cf_conf_free(&c);
}

static void test_vllm_reads_one_field(void **st)
{
	cf_error err = { 0 };
	cf_judge *j = NULL;
	cf_conf *c = NULL;

	(void)st;
	assert_int_equal(open_bind("kind: vllm\nurl: u\nmodel: m\nlabels: {0: "
	                           "negative, 1: positive}\n", &F2, &j, &c, &err),
	                 CF_ECONFIG);
	assert_string_equal(err.msg, "j.yaml:1:1: a vllm judge reads one text "
	                    "field: set fields: [NAME]");
	cf_judge_free(&j);
	cf_conf_free(&c);
}

static void test_label_map_checked(void **st)
{
	cf_error err = { 0 };
	cf_judge *j = NULL;
	cf_conf *c = NULL;

	(void)st;
	assert_int_equal(open_bind("kind: tei\nurl: u\nlabels: {LABEL_0: neutral}"
	                           "\n", &F2, &j, &c, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "j.yaml:3:9: labels maps 'LABEL_0' to "
	                    "'neutral', which is not one of the stage's labels");
	cf_judge_free(&j);
	cf_conf_free(&c);
}

static void test_llm_json_request(void **st)
{
	cf_error err = { 0 };
	cf_judge *j = NULL;
	cf_conf *c = NULL;
	char yaml[512], *body;
	json_t *b, *en;

	(void)st;
	snprintf(yaml, sizeof yaml, "kind: llm\nbase_url: http://h/v1/\nmodel: m\n"
	         "prompt: %s/prompts/judge-sentiment.txt\nfields: [premise]\n"
	         "labels: {neg: negative, pos: positive}\n", CFAUG_SRCDIR);
	assert_int_equal(open_bind(yaml, &F2, &j, &c, &err), 0);
	assert_string_equal(j->endpoint, "http://h/v1/chat/completions");
	assert_true(j->kind->flags & CF_JUDGE_SOURCES);
	/* logprobs first; the JSON form asks for {"label": L} over the judge's
	 * names, in the order of the caller's labels */
	body = j->kind->request_body(j, j->state, text_of, NULL, 0);
	b = json_loads(body, 0, NULL);
	assert_true(json_is_true(json_object_get(b, "logprobs")));
	assert_int_equal(json_integer_value(json_object_get(b, "seed")), 7);
	json_decref(b);
	free(body);
	body = j->kind->request_body(j, j->state, text_of, NULL, 1);
	b = json_loads(body, 0, NULL);
	assert_null(json_object_get(b, "logprobs"));
	en = json_object_get(json_object_get(json_object_get(json_object_get(
	     json_object_get(json_object_get(b, "response_format"), "json_schema"),
	     "schema"), "properties"), "label"), "enum");
	assert_int_equal(json_array_size(en), 2);
	assert_string_equal(json_string_value(json_array_get(en, 0)), "neg");
	assert_string_equal(json_string_value(json_array_get(en, 1)), "pos");
	json_decref(b);
	free(body);
	cf_judge_free(&j);
	cf_conf_free(&c);
}

typedef struct onum {
	cf_optnum t, s;
} onum;

static const cf_option onum_table[] = {
	{ .key = "t", .type = CF_OPT_OPTNUM, .offset = offsetof(onum, t),
	  .min = 0, .max = 2 },
	{ .key = "s", .type = CF_OPT_OPTNUM, .offset = offsetof(onum, s),
	  .flags = CF_OPT_INTEGER, .min = 0, .max = 100 },
	{ .key = NULL }
};

static int load_onum(const char *yaml, onum *o, cf_error *err)
{
	cf_conf *c = NULL;
	int rc;

	memset(o, 0, sizeof *o);
	memset(err, 0, sizeof *err);
	rc = cf_conf_load_buffer(&c, "o.yaml", yaml, strlen(yaml), err);
	if (rc == 0)
		rc = cf_options_load(onum_table, o, c->root, "o.yaml", NULL, err);
	cf_conf_free(&c);
	return rc;
}

static void test_optional_numbers(void **st)
{
	cf_error err;
	onum o;

	(void)st;
	assert_int_equal(load_onum("t: 0.7\n", &o, &err), 0);
	assert_true(o.t.set && o.t.v == 0.7 && !o.s.set);
	assert_int_equal(load_onum("t:\ns: 42\n", &o, &err), 0);
	assert_true(!o.t.set && o.s.set && o.s.v == 42);
	assert_int_equal(load_onum("t: 3\n", &o, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "o.yaml:1:4: 't' must be between 0 and 2, got 3");
	assert_int_equal(load_onum("s: 1.5\n", &o, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "o.yaml:1:4: 's' must be an integer, got '1.5'");
}

static void test_annotations_keep_order(void **st)
{
	cf_item it;
	const char *key;
	json_t *v;
	const char *keys[2];
	size_t n = 0;

	(void)st;
	memset(&it, 0, sizeof it);
	assert_int_equal(cf_item_annotate(&it, "teacher", json_integer(1)), 0);
	assert_int_equal(cf_item_annotate(&it, "audit", json_integer(2)), 0);
	assert_int_equal(cf_item_annotate(&it, "teacher", json_integer(3)), 0);
	json_object_foreach(it.notes, key, v)
		keys[n++] = key;
	assert_int_equal(n, 2);
	assert_string_equal(keys[0], "teacher");
	assert_string_equal(keys[1], "audit");
	assert_int_equal(json_integer_value(json_object_get(it.notes, "teacher")), 3);
	json_decref(it.notes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_table),
		cmocka_unit_test(test_unknown_kind_lists_the_table),
		cmocka_unit_test(test_tei_sends_a_pair),
		cmocka_unit_test(test_vllm_reads_one_field),
		cmocka_unit_test(test_label_map_checked),
		cmocka_unit_test(test_llm_json_request),
		cmocka_unit_test(test_optional_numbers),
		cmocka_unit_test(test_annotations_keep_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
