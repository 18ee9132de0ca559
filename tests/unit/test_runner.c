/*
 * test_runner.c - the runner: order, accounting, errors, shards, window,
 * and what is left on disk when a run fails.
 *
 * Each test writes its input into a fresh temporary directory, builds a
 * pipeline from a YAML string and runs it, then reads the output files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "runner.h"

static char tmpdir[256];

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/cfaug-test-runner-XXXXXX");
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
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *dir, const char *name)
{
	char path[512];
	FILE *f;
	long n;
	char *s;

	snprintf(path, sizeof path, "%s/%s/%s", tmpdir, dir, name);
	if (!(f = fopen(path, "rb")))
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* Write `count` JSONL reviews; every 7th is upper-case only (so `case:
 * upper` leaves it unchanged); every 3rd is five tokens long, the others
 * three (upper-casing changes 4/5 or 2/3 of the tokens). */
static void write_reviews(const char *name, int count)
{
	char path[512];
	FILE *f;
	int i;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 1; i <= count; i++)
		fprintf(f, "{\"id\":\"r%d\",\"text\":\"%s %d%s\",\"label\":\"%s\",\"extra\":[%d]}\n",
		        i, i % 7 ? "Review number" : "REVIEW NUMBER", i,
		        i % 3 ? "" : " is here", i % 2 ? "pos" : "neg", i);
	fclose(f);
}

/* Build and run a pipeline from YAML text (paths relative to tmpdir are
 * made absolute by the caller's %s).  Returns the run's code. */
static int run_yaml(const char *yaml, const cf_run_opts *opts, json_t **report,
                    cf_error *err)
{
	cf_conf *conf = NULL;
	cf_pipeline *p = NULL;
	cf_run_opts o = { 0 };
	int rc;

	if (opts)
		o = *opts;
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

static long total(json_t *rep, const char *key)
{
	return (long)json_integer_value(json_object_get(json_object_get(rep, "totals"), key));
}

static void test_order_survives_async_stage(void **state)
{
	char yaml[2048];
	cf_error err = { 0 };
	json_t *rep = NULL;
	char *sync_aug, *async_aug, *sync_pairs, *async_pairs, *async_rej, *sync_rej;
	const char *fmt =
		"seed: 3\n"
		"input: {path: %s/in.jsonl, text_fields: [text], label_field: label,"
		" id_field: id}\n"
		"stages:\n"
		"  - {type: case, to: upper}\n"
		"%s"
		"  - {type: edit_filter, max_ratio: 0.7}\n"
		"output: {dir: %s/%s}\n";

	write_reviews("in.jsonl", 500);
	snprintf(yaml, sizeof yaml, fmt, tmpdir, "", tmpdir, "sync");
	assert_int_equal(run_yaml(yaml, NULL, &rep, &err), 0);
	json_decref(rep);
	snprintf(yaml, sizeof yaml, fmt, tmpdir, "  - {type: reorder, hold: 37}\n",
	         tmpdir, "async");
	assert_int_equal(run_yaml(yaml, NULL, &rep, &err), 0);

	/* the reorder stage really did finish records out of order */
	assert_true(json_integer_value(json_object_get(json_array_get(
	        json_object_get(rep, "stages"), 1), "overtaken")) > 50);
	/* every record's original comes out, in order, with its candidate */
	assert_int_equal(total(rep, "records_read"), 500);
	assert_int_equal(total(rep, "records_processed"), 500);
	/* unchanged: all-caps texts without the lower-case tail */
	assert_int_equal(total(rep, "candidates"), 500 - (500 / 7 - 500 / 21));
	/* 3-token texts pass (2/3 <= 0.7), 5-token ones do not (4/5) */
	assert_int_equal(total(rep, "rejected"), 500 / 3 - 500 / 21);
	assert_int_equal(total(rep, "accepted") + total(rep, "rejected"),
	                 total(rep, "candidates"));
	sync_aug = slurp("sync", "augmented.jsonl");
	async_aug = slurp("async", "augmented.jsonl");
	sync_pairs = slurp("sync", "pairs.jsonl");
	async_pairs = slurp("async", "pairs.jsonl");
	sync_rej = slurp("sync", "rejected.jsonl");
	async_rej = slurp("async", "rejected.jsonl");
	assert_non_null(async_aug);
	assert_string_equal(sync_aug, async_aug);
	assert_string_equal(sync_pairs, async_pairs);
	assert_string_equal(sync_rej, async_rej);
	assert_int_equal(count_lines(async_pairs), (size_t)total(rep, "accepted"));
	assert_int_equal(count_lines(async_aug), 500 + (size_t)total(rep, "accepted"));
	/* the first lines: r1 original, then its counterfactual */
	assert_non_null(strstr(async_aug, "{\"id\":\"r1\",\"text\":\"Review number 1\""));
	assert_non_null(strstr(async_aug, "\"text\":\"REVIEW NUMBER 1\""));
	assert_true(strstr(async_aug, "\"id\":\"r1\"") < strstr(async_aug, "\"id\":\"r2\""));
	assert_non_null(strstr(async_pairs, "\"pair_id\":\"r1#0.0\""));
	free(sync_aug);
	free(async_aug);
	free(sync_pairs);
	free(async_pairs);
	free(sync_rej);
	free(async_rej);
	json_decref(rep);
}

static void test_tiny_window_still_finishes(void **state)
{
	char yaml[1024];
	cf_error err = { 0 };
	cf_run_opts o = { .window = 2 };
	json_t *rep = NULL;
	char *aug;

	write_reviews("in.jsonl", 300);
	snprintf(yaml, sizeof yaml,
	         "input: {path: %s/in.jsonl, text_fields: [text]}\n"
	         "stages: [{type: reorder, hold: 64}, {type: case}]\n"
	         "output: {dir: %s/out}\n", tmpdir, tmpdir);
	assert_int_equal(run_yaml(yaml, &o, &rep, &err), 0);
	assert_int_equal(total(rep, "records_processed"), 300);
	aug = slurp("out", "augmented.jsonl");
	assert_int_equal(count_lines(aug), 600);
	free(aug);
	json_decref(rep);
}

static void test_bad_records_go_to_errors(void **state)
{
	char yaml[1024];
	cf_error err = { 0 };
	json_t *rep = NULL, *line;
	json_error_t je;
	char *errors, *aug, *s;
	long lines[8];
	int n = 0;

	write_file("in.jsonl",
	           "{\"text\":\"fine\",\"label\":\"pos\"}\n"          /* 1 ok */
	           "\n"                                                 /* 2 blank */
	           "{\"text\":\"broken\",\n"                            /* 3 malformed */
	           "{\"text\":\"odd\",\"label\":\"meh\"}\n"             /* 4 unknown label */
	           "{\"body\":\"no text\",\"label\":\"neg\"}\n"         /* 5 missing text */
	           "{\"text\":42,\"label\":\"neg\"}\n"                  /* 6 not a string */
	           "{\"text\":\"bad \xff byte\",\"label\":\"neg\"}\n"   /* 7 invalid UTF-8 */
	           "{\"text\":\"last\",\"label\":\"neg\"}\n");          /* 8 ok */
	snprintf(yaml, sizeof yaml,
	         "input: {path: %s/in.jsonl, text_fields: [text], label_field: label,"
	         " labels: [pos, neg]}\n"
	         "output: {dir: %s/out}\n", tmpdir, tmpdir);
	assert_int_equal(run_yaml(yaml, NULL, &rep, &err), 0);
	assert_int_equal(total(rep, "records_read"), 7);
	assert_int_equal(total(rep, "records_processed"), 2);
	assert_int_equal(total(rep, "records_errors"), 5);
	errors = slurp("out", "errors.jsonl");
	assert_int_equal(count_lines(errors), 5);
	for (s = errors; *s && n < 8; s = strchr(s, '\n') + 1) {
		line = json_loads(s, JSON_DISABLE_EOF_CHECK, &je);
		assert_non_null(line);
		lines[n++] = (long)json_integer_value(json_object_get(line, "line"));
		assert_non_null(json_string_value(json_object_get(line, "reason")));
		json_decref(line);
	}
	assert_int_equal(n, 5);
	assert_int_equal(lines[0], 3);
	assert_int_equal(lines[1], 4);
	assert_int_equal(lines[2], 5);
	assert_int_equal(lines[3], 6);
	assert_int_equal(lines[4], 7);
	assert_non_null(strstr(errors, "unknown label 'meh' (expected one of pos, neg)"));
	assert_non_null(strstr(errors, "missing text field 'text'"));
	assert_non_null(strstr(errors, "text field 'text' is not a string"));
	aug = slurp("out", "augmented.jsonl");
	assert_int_equal(count_lines(aug), 2);
	assert_non_null(strstr(aug, "\"last\""));
	assert_int_equal(json_integer_value(json_object_get(
	        json_object_get(rep, "errors_by_kind"), "unknown_label")), 1);
	free(errors);
	free(aug);
	json_decref(rep);
}

static int dir_has(const char *sub, const char *name_part)
{
	char path[512];
	struct dirent *e;
	DIR *d;
	int found = 0;

	snprintf(path, sizeof path, "%s/%s", tmpdir, sub);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d)))
		if (strstr(e->d_name, name_part))
			found = 1;
	closedir(d);
	return found;
}

static void test_on_error_fail_leaves_nothing(void **state)
{
	char yaml[1024];
	cf_error err = { 0 };
	json_t *rep = NULL;

	write_file("in.jsonl", "{\"text\":\"a\"}\n{\"text\":\"b\"}\nnot json\n");
	snprintf(yaml, sizeof yaml,
	         "input: {path: %s/in.jsonl, text_fields: [text], on_error: fail}\n"
	         /* the async stage still holds records when the run fails:
	          * freeing them must not touch freed groups (ASan checks) */
	         "stages: [{type: reorder, hold: 64}]\n"
	         "output: {dir: %s/out}\n", tmpdir, tmpdir);
	assert_int_equal(run_yaml(yaml, NULL, &rep, &err), CF_EDATA);
	assert_null(rep);
	assert_non_null(strstr(err.msg, "in.jsonl:3: record 3: "));
	/* no half files that look whole, and no partial files either */
	assert_false(dir_has("out", "augmented"));
	assert_false(dir_has("out", "report"));
	assert_false(dir_has("out", ".part"));
}

/* Lines of a file, sorted, joined: for order-insensitive comparison. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *sorted_lines(char *s)
{
	char *v[4096], *out, *p;
	size_t n = 0, i, len = strlen(s);

	for (p = strtok(s, "\n"); p && n < 4096; p = strtok(NULL, "\n"))
		v[n++] = p;
	qsort(v, n, sizeof *v, cmp_str);
	out = malloc(len + 2);
	assert_non_null(out);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		strcat(out, v[i]);
		strcat(out, "\n");
	}
	return out;
}

static void test_shards_partition_the_run(void **state)
{
	char yaml[1024], dir[32], *all, *one, *joined, *a, *b;
	cf_error err = { 0 };
	cf_run_opts o = { 0 };
	json_t *rep = NULL;
	long sum = 0, n;
	unsigned k;

	write_reviews("in.jsonl", 400);
	for (k = 0; k <= 4; k++) {
		snprintf(dir, sizeof dir, "s%u", k);
		snprintf(yaml, sizeof yaml,
		         "input: {path: %s/in.jsonl, text_fields: [text], id_field: id}\n"
		         "stages: [{type: case}]\n"
		         "output: {dir: %s/%s}\n", tmpdir, tmpdir, dir);
		o.shard_k = k;
		o.shard_n = k ? 4 : 0;
		assert_int_equal(run_yaml(yaml, &o, &rep, &err), 0);
		n = total(rep, "records_read");
		if (k) {
			assert_true(n > 40 && n < 160);   /* a fair share, not all or none */
			assert_int_equal(n + total(rep, "records_other_shards"), 400);
			sum += n;
		}
		json_decref(rep);
	}
	assert_int_equal(sum, 400);
	all = slurp("s0", "augmented.jsonl");
	joined = calloc(1, strlen(all) + 1);
	assert_non_null(joined);
	for (k = 1; k <= 4; k++) {
		snprintf(dir, sizeof dir, "s%u", k);
		one = slurp(dir, "augmented.jsonl");
		strcat(joined, one);
		free(one);
	}
	a = sorted_lines(all);
	b = sorted_lines(joined);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(all);
	free(joined);
}

static void expect_config_error(const char *yaml, const char *msg)
{
	cf_error err = { 0 };
	json_t *rep = NULL;

	assert_int_equal(run_yaml(yaml, NULL, &rep, &err), CF_ECONFIG);
	if (!strstr(err.msg, msg))
		fail_msg("expected '%s' in '%s'", msg, err.msg);
}

static void test_config_errors_have_locations(void **state)
{
	expect_config_error(
	        "input: {path: x.jsonl, text_fields: [text]}\n"
	        "stages:\n"
	        "  - type: nosuch\n"
	        "output: {dir: out}\n",
	        "test.yaml:3:11: unknown stage type 'nosuch' (known: passthrough");
	expect_config_error(
	        "input: {path: x.jsonl, text_fields: [text]}\n"
	        "stages:\n"
	        "  - type: case\n"
	        "    too: upper\n"
	        "output: {dir: out}\n",
	        "test.yaml:4:5: unknown key 'too'");
	expect_config_error(
	        "input: {path: x.jsonl, text_fields: [text], labels: [a, b]}\n"
	        "output: {dir: out}\n",
	        "test.yaml:1:53: 'labels' needs 'label_field'");
	expect_config_error(
	        "input: {path: x.txt, text_fields: [text]}\n"
	        "output: {dir: out}\n",
	        "cannot tell the format of 'x.txt'");
	expect_config_error(
	        "input: {path: x.jsonl, text_fields: [text]}\n",
	        "missing required key 'output'");
	expect_config_error(
	        "input: {path: x.jsonl, text_fields: [text]}\n"
	        "stages:\n"
	        "  - {type: case, name: a}\n"
	        "  - {type: case, name: a}\n"
	        "output: {dir: out}\n",
	        "test.yaml:4:24: stage name 'a' is used twice");
	expect_config_error(
	        "input: {path: x.jsonl, text_fields: [text]}\n"
	        "stages: {type: case}\n"
	        "output: {dir: out}\n",
	        "test.yaml:2:9: 'stages' must be a sequence");
}

static void test_tsv_and_multi_field_pairs(void **state)
{
	char yaml[1024];
	cf_error err = { 0 };
	json_t *rep = NULL, *pair;
	json_error_t je;
	char *pairs;

	write_file("nli.tsv",
	           "premise\thypothesis\tgold\n"
	           "A Man sleeps.\t\"A man, \"\"tired\"\",\nsleeps.\"\tentailment\n");
	snprintf(yaml, sizeof yaml,
	         "input: {path: %s/nli.tsv, text_fields: [premise, hypothesis],"
	         " label_field: gold}\n"
	         "stages: [{type: case, fields: [hypothesis], to: upper}]\n"
	         "output: {dir: %s/out}\n", tmpdir, tmpdir);
	assert_int_equal(run_yaml(yaml, NULL, &rep, &err), 0);
	pairs = slurp("out", "pairs.jsonl");
	pair = json_loads(pairs, JSON_DISABLE_EOF_CHECK, &je);
	assert_non_null(pair);
	assert_string_equal(json_string_value(json_object_get(json_object_get(pair,
	        "counterfactual"), "hypothesis")), "A MAN, \"TIRED\",\nSLEEPS.");
	/* the field not edited stays as it was */
	assert_string_equal(json_string_value(json_object_get(json_object_get(pair,
	        "counterfactual"), "premise")), "A Man sleeps.");
	assert_string_equal(json_string_value(json_object_get(json_object_get(pair,
	        "original"), "label")), "entailment");
	assert_string_equal(json_string_value(json_object_get(pair, "orig_id")), "1");
	json_decref(pair);
	free(pairs);
	json_decref(rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_survives_async_stage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiny_window_still_finishes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_records_go_to_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_on_error_fail_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shards_partition_the_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_errors_have_locations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tsv_and_multi_field_pairs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
