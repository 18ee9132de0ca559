/*
 * test_rules_stage.c - the `type: rules` stage through the runner: CDA and
 * CDS output, label maps, fields, provenance, the report, config errors.
 *
 * Each test writes its input into a fresh temporary directory, runs a
 * pipeline from a YAML string and reads the output files back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "runner.h"

static char tmpdir[256];

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/cfaug-test-rules-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[400];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

/* Lines of out/NAME as JSON values (a new array). */
static json_t *read_jsonl(const char *dir, const char *name)
{
	char path[512], line[8192];
	json_t *arr = json_array();
	FILE *f;

	snprintf(path, sizeof path, "%s/%s/%s", tmpdir, dir, name);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f)) {
		json_error_t je;
		json_t *v = json_loads(line, 0, &je);
		assert_non_null(v);
		json_array_append_new(arr, v);
	}
	fclose(f);
	return arr;
}

static int run_yaml(const char *yaml, json_t **report, cf_error *err)
{
	cf_conf *conf = NULL;
	cf_pipeline *p = NULL;
	cf_run_opts o = { 0 };
	int rc;

	o.quiet = 1;
	rc = cf_conf_load_buffer(&conf, "test.yaml", yaml, strlen(yaml), err);
	if (rc == 0)
		rc = cf_pipeline_new(&p, conf, err);
	if (rc == 0)
		rc = cf_pipeline_run(p, &o, report, err);
	cf_pipeline_free(&p);
	cf_conf_free(&conf);
	return rc;
}

static json_t *stage_report(json_t *rep)
{
	return json_array_get(json_object_get(rep, "stages"), 0);
}

static long long rint_of(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char reviews[] =
	"{\"id\":\"a\",\"text\":\"He loved her idea.\",\"label\":\"positive\"}\n"
	"{\"id\":\"b\",\"text\":\"A dull film about cats.\",\"label\":\"negative\"}\n"
	"{\"id\":\"c\",\"text\":\"James thanked her.\",\"label\":\"negative\"}\n";

static void test_cda_gender(void **state)
{
	char yaml[1024];
	cf_error err = { 0 };
	json_t *rep = NULL, *pairs, *p, *g, *e, *sr;

	write_file("in.jsonl", reviews);
	snprintf(yaml, sizeof yaml,
	         "input: {path: %s/in.jsonl, id_field: id, text_fields: [text],"
	         " label_field: label, labels: [negative, positive]}\n"
	         "stages:\n"
	         "  - {type: rules, name: gender-cda, packs: [gender, names]}\n"
	         "output: {dir: %s/out}\n", tmpdir, tmpdir);
	if (run_yaml(yaml, &rep, &err))
		fail_msg("%s", err.msg);
	pairs = read_jsonl("out", "pairs.jsonl");
	assert_int_equal(json_array_size(pairs), 2);   /* b: no edit, no pair */
	p = json_array_get(pairs, 0);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(p, "counterfactual"), "text")), "She loved his idea.");
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(p, "counterfactual"), "label")), "positive");
	g = json_object_get(p, "generator");
	assert_string_equal(json_string_value(json_object_get(g, "kind")), "rules");
	assert_string_equal(json_string_value(json_object_get(g, "stage")), "gender-cda");
	e = json_array_get(json_object_get(g, "edits"), 1);
	assert_string_equal(json_string_value(json_object_get(e, "from")), "her");
	assert_string_equal(json_string_value(json_object_get(e, "to")), "his");
	assert_string_equal(json_string_value(json_object_get(e, "decision")), "her->his");
	assert_int_equal(json_integer_value(json_array_get(json_object_get(e, "src"), 0)), 9);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(e, "dst"), 0)), 10);
	p = json_array_get(pairs, 1);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(p, "counterfactual"), "text")), "Mary thanked him.");

	sr = stage_report(rep);
	assert_int_equal(rint_of(sr, "records"), 3);
	assert_int_equal(rint_of(sr, "edited"), 2);
	assert_int_equal(rint_of(sr, "no_edit"), 1);
	assert_int_equal(rint_of(json_object_get(sr, "edits_by_rule"), "gender"), 3);
	assert_int_equal(rint_of(json_object_get(sr, "edits_by_rule"), "names"), 1);
	assert_int_equal(rint_of(json_object_get(sr, "her_his_decisions"), "her->him"), 1);
	assert_int_equal(rint_of(json_object_get(sr, "round_trip"), "exact"), 2);
	/* augment: every original is kept */
	assert_int_equal(rint_of(json_object_get(rep, "totals"), "originals_written"), 3);
	json_decref(pairs);
	json_decref(rep);
}

static void test_label_flip_and_unmapped(void **state)
{
	char yaml[1024];
	cf_error err = { 0 };
	json_t *rep = NULL, *pairs, *p;

	write_file("in.jsonl",
	           "{\"id\":\"a\",\"text\":\"A good film.\",\"label\":\"positive\"}\n"
	           "{\"id\":\"b\",\"text\":\"A bad film.\",\"label\":\"negative\"}\n"
	           "{\"id\":\"c\",\"text\":\"A good day.\",\"label\":\"mixed\"}\n");
	snprintf(yaml, sizeof yaml,
	         "input: {path: %s/in.jsonl, id_field: id, text_fields: [text],"
	         " label_field: label}\n"
	         "stages:\n"
	         "  - type: rules\n"
	         "    packs: [antonyms]\n"
	         "    label: {positive: negative, negative: positive}\n"
	         "output: {dir: %s/out}\n", tmpdir, tmpdir);
	if (run_yaml(yaml, &rep, &err))
		fail_msg("%s", err.msg);
	pairs = read_jsonl("out", "pairs.jsonl");
	assert_int_equal(json_array_size(pairs), 2);
	p = json_object_get(json_array_get(pairs, 0), "counterfactual");
	assert_string_equal(json_string_value(json_object_get(p, "text")), "A bad film.");
	assert_string_equal(json_string_value(json_object_get(p, "label")), "negative");
	p = json_object_get(json_array_get(pairs, 1), "counterfactual");
	assert_string_equal(json_string_value(json_object_get(p, "label")), "positive");
	assert_int_equal(rint_of(stage_report(rep), "label_unmapped"), 1);
	assert_int_equal(rint_of(json_object_get(rep, "rejected_by_reason"),
	                         "label_unmapped"), 1);
	json_decref(pairs);
	json_decref(rep);
}

static void test_nli_fields(void **state)
{
	char yaml[1024];
	cf_error err = { 0 };
	json_t *rep = NULL, *pairs, *p;

	write_file("in.jsonl",
	           "{\"premise\":\"The man is here.\",\"hypothesis\":\"The man is tall.\","
	           "\"label\":\"neutral\"}\n"
	           "{\"premise\":\"It is red.\",\"hypothesis\":\"It is red.\","
	           "\"label\":\"entailment\"}\n");
	snprintf(yaml, sizeof yaml,
	         "input: {path: %s/in.jsonl, text_fields: [premise, hypothesis],"
	         " label_field: label, labels: [entailment, neutral, contradiction]}\n"
	         "stages:\n"
	         "  - type: rules\n"
	         "    packs: [negation]\n"
	         "    fields: [hypothesis]\n"
	         "    label: {entailment: contradiction, contradiction: entailment,"
	         " neutral: neutral}\n"
	         "output: {dir: %s/out}\n", tmpdir, tmpdir);
	if (run_yaml(yaml, &rep, &err))
		fail_msg("%s", err.msg);
	pairs = read_jsonl("out", "pairs.jsonl");
	assert_int_equal(json_array_size(pairs), 2);
	p = json_object_get(json_array_get(pairs, 0), "counterfactual");
	assert_string_equal(json_string_value(json_object_get(p, "premise")), "The man is here.");
	assert_string_equal(json_string_value(json_object_get(p, "hypothesis")),
	                    "The man is not tall.");
	p = json_object_get(json_array_get(pairs, 1), "counterfactual");
	assert_string_equal(json_string_value(json_object_get(p, "premise")), "It is red.");
	assert_string_equal(json_string_value(json_object_get(p, "hypothesis")),
	                    "It is not red.");
	assert_string_equal(json_string_value(json_object_get(p, "label")), "contradiction");
	json_decref(pairs);
	json_decref(rep);
}

/* CDS: each record replaced with probability p, the same way every run. */
static void test_substitute_is_deterministic(void **state)
{
	char yaml[1024], line[512];
	cf_error err = { 0 };
	json_t *rep = NULL, *aug1, *aug2;
	FILE *f;
	int i;
	long long replaced;

	snprintf(line, sizeof line, "%s/in.jsonl", tmpdir);
	assert_non_null(f = fopen(line, "w"));
	for (i = 0; i < 400; i++)
		fprintf(f, "{\"id\":\"r%d\",\"text\":\"he said %d\"}\n", i, i);
	fclose(f);
	for (i = 0; i < 2; i++) {
		snprintf(yaml, sizeof yaml,
		         "seed: 7\n"
		         "input: {path: %s/in.jsonl, id_field: id, text_fields: [text]}\n"
		         "stages: [{type: rules, packs: [gender], mode: substitute, p: 0.3}]\n"
		         "output: {dir: %s/out%d}\n", tmpdir, tmpdir, i);
		if (run_yaml(yaml, &rep, &err))
			fail_msg("%s", err.msg);
		replaced = rint_of(json_object_get(rep, "totals"), "originals_replaced");
		assert_int_equal(rint_of(stage_report(rep), "substituted"), replaced);
		/* 400 draws at p = 0.3: far outside 60..180 would mean p is ignored */
		assert_true(replaced > 60 && replaced < 180);
		json_decref(rep);
		rep = NULL;
	}
	aug1 = read_jsonl("out0", "augmented.jsonl");
	aug2 = read_jsonl("out1", "augmented.jsonl");
	assert_int_equal(json_array_size(aug1), 400);   /* replaced, not added */
	assert_true(json_equal(aug1, aug2));
	json_decref(aug1);
	json_decref(aug2);
}

static void expect_config_error(const char *stage_yaml, const char *want)
{
	char yaml[1024];
	cf_error err = { 0 };

	write_file("in.jsonl", reviews);
	snprintf(yaml, sizeof yaml,
	         "input: {path: %s/in.jsonl, text_fields: [text], label_field: label}\n"
	         "stages:\n"
	         "%s"
	         "output: {dir: %s/out}\n", tmpdir, stage_yaml, tmpdir);
	assert_int_equal(run_yaml(yaml, NULL, &err), CF_ECONFIG);
	if (!strstr(err.msg, want))
		fail_msg("want '%s' in: %s", want, err.msg);
}

static void test_config_errors(void **state)
{
	expect_config_error("  - type: rules\n"
	                    "    patterns:\n"
	                    "      - {match: 'ab(c', replace: x}\n",
	                    "test.yaml:5:17: bad pattern: missing closing parenthesis "
	                    "at offset 4");
	expect_config_error("  - type: rules\n"
	                    "    patterns:\n"
	                    "      - {match: '(a)', replace: '$2'}\n",
	                    "test.yaml:5:33: bad replacement: replacement refers to group 2");
	expect_config_error("  - {type: rules, packs: [klingon]}\n",
	                    "test.yaml:3:26: rules: no built-in pack 'klingon'");
	expect_config_error("  - {type: rules, lexicons: [/nonexistent/x.tsv]}\n",
	                    "cannot open lexicon");
	expect_config_error("  - {type: rules, packs: [gender], label: flip}\n",
	                    "'label' must be 'keep' or a mapping");
	expect_config_error("  - {type: rules}\n", "needs at least one of packs");
	expect_config_error("  - {type: rules, packs: [gender], fields: [title]}\n",
	                    "'title' is not one of input.text_fields");
	expect_config_error("  - {type: rules, packs: [gender], mode: swap}\n", "mode");
}

static void test_user_patterns_and_lexicon(void **state)
{
	char yaml[1024];
	cf_error err = { 0 };
	json_t *rep = NULL, *pairs, *p;

	write_file("in.jsonl", "{\"text\":\"The colour of the cat.\"}\n");
	write_file("extra.tsv", "cat\tdog\n");
	snprintf(yaml, sizeof yaml,
	         "input: {path: %s/in.jsonl, text_fields: [text]}\n"
	         "stages:\n"
	         "  - type: rules\n"
	         "    lexicons: [%s/extra.tsv]\n"
	         "    patterns:\n"
	         "      - {match: '\\b(colou?r)\\b', replace: 'shade ($1)', name: colour}\n"
	         "output: {dir: %s/out}\n", tmpdir, tmpdir, tmpdir);
	if (run_yaml(yaml, &rep, &err))
		fail_msg("%s", err.msg);
	pairs = read_jsonl("out", "pairs.jsonl");
	p = json_object_get(json_array_get(pairs, 0), "counterfactual");
	assert_string_equal(json_string_value(json_object_get(p, "text")),
	                    "The shade (colour) of the dog.");
	assert_int_equal(rint_of(json_object_get(stage_report(rep), "edits_by_rule"),
	                         "colour"), 1);
	json_decref(pairs);
	json_decref(rep);
}

/* provenance: rules keeps the rule list (first-fired order) and the count,
 * none keeps only stage and kind; the counterfactual is the same */
static void test_provenance_levels(void **state)
{
	static const char *const levels[] = { "full", "rules", "none" };
	char yaml[1024];
	cf_error err = { 0 };
	size_t k;

	(void)state;
	write_file("in.jsonl", reviews);
	for (k = 0; k < 3; k++) {
		json_t *rep = NULL, *pairs, *g, *names;
		snprintf(yaml, sizeof yaml,
		         "input: {path: %s/in.jsonl, id_field: id, text_fields: [text],"
		         " label_field: label, labels: [negative, positive]}\n"
		         "stages:\n"
		         "  - {type: rules, packs: [gender, names], provenance: %s}\n"
		         "output: {dir: %s/out}\n", tmpdir, levels[k], tmpdir);
		if (run_yaml(yaml, &rep, &err))
			fail_msg("%s", err.msg);
		pairs = read_jsonl("out", "pairs.jsonl");
		assert_int_equal(json_array_size(pairs), 2);
		g = json_object_get(json_array_get(pairs, 1), "generator");
		assert_string_equal(json_string_value(json_object_get(
			json_object_get(json_array_get(pairs, 1), "counterfactual"), "text")),
			"Mary thanked him.");
		assert_string_equal(json_string_value(json_object_get(g, "kind")), "rules");
		names = json_object_get(g, "rules");
		assert_int_equal(json_object_get(g, "edits") != NULL, k == 0);
		assert_int_equal(names != NULL, k < 2);
		assert_int_equal(json_object_get(g, "n_edits") != NULL, k < 2);
		if (k < 2) {
			assert_int_equal(json_array_size(names), 2);
			/* in the order of the configuration, not of firing */
			assert_string_equal(json_string_value(json_array_get(names, 0)), "gender");
			assert_string_equal(json_string_value(json_array_get(names, 1)), "names");
			assert_int_equal(rint_of(g, "n_edits"), 2);
		}
		json_decref(pairs);
		json_decref(rep);
	}
	expect_config_error("  - {type: rules, packs: [gender], provenance: some}\n",
	                    "provenance");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cda_gender, setup, teardown),
		cmocka_unit_test_setup_teardown(test_label_flip_and_unmapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nli_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_substitute_is_deterministic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_patterns_and_lexicon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_provenance_levels, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
