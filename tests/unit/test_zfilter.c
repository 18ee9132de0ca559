/*
 * test_zfilter.c - the zfilter stage on a hand-worked dataset.
 *
 * Eight originals "<word> film", four pos and four neg.  A rules stage
 * turns "film" into "wow film" and maps neg -> pos only, so the four
 * candidates (from r2, r4, r6, r8) are positive and the only ones with
 * "wow".  With min_count 2, worked by hand (z = (k/n - p0) / sqrt(p0 (1 -
 * p0) / n)):
 *   before: 12 documents, p0(pos) = 2/3; wow n=4 k=4: z = sqrt(2) = 1.414;
 *           the neg originals' words (n=2, one neg) lean neg with z 0.5.
 *   objective (tokens above tau, their excess z - tau): (1, 0.414).
 *   drop a wow candidate: 11 documents, p0(pos) = 7/11, wow n=3:
 *           z = (4/11) / sqrt((7/11)(4/11)/3) = 1.309: (1, 0.309), better;
 *   drop another: 10 documents, p0 = 0.6, wow n=2: z = 0.4/sqrt(0.12) =
 *           1.155: (1, 0.155), better;
 *   drop a third: wow n=1 < min_count: (0, 0); nothing above tau: done.
 *   after:  the survivor's word (one neg original, one pos candidate):
 *           z = (1/2 - 4/9) / sqrt((5/9)(4/9)/2) = 0.1581; film z = 0.
 * Which candidate survives: the drop order is the seeded order
 * cf_record_rand(stage, record, salt), smallest first; with seed 0 the test
 * computes it itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "runner.h"
#include "eval_metrics.h"
#include "cfaug/sys/stage.h"

static char tmpdir[256];
static const char *input_name = "in.jsonl";   /* under tmpdir */

static int setup(void **state)
{
	FILE *f;
	char path[512];
	static const char *const words[] = { "alpha", "bravo", "charlie", "delta",
	                                     "echo", "foxtrot", "golf", "hotel" };
	int i;

	strcpy(tmpdir, "/tmp/cfaug-test-zfilter-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof path, "%s/in.jsonl", tmpdir);
	assert_non_null(f = fopen(path, "w"));
	for (i = 0; i < 8; i++)
		fprintf(f, "{\"id\":\"r%d\",\"text\":\"%s film\",\"label\":\"%s\"}\n",
		        i + 1, words[i], i % 2 ? "neg" : "pos");
	fclose(f);
	input_name = "in.jsonl";
	return 0;
}

static int teardown(void **state)
{
	char cmd[400];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Run the wow pipeline with the given seed and zfilter options into
 * tmpdir/outdir.  Returns the run's code. */
static int run(long seed, const char *zopts, const char *outdir,
               const cf_run_opts *opts, json_t **report, cf_error *err)
{
	char yaml[2048];
	cf_conf *conf = NULL;
	cf_pipeline *p = NULL;
	cf_run_opts o = { 0 };
	int rc;

	snprintf(yaml, sizeof yaml,
	         "seed: %ld\n"
	         "input: {path: %s/%s, text_fields: [text], label_field: label,"
	         " id_field: id, labels: [pos, neg]}\n"
	         "stages:\n"
	         "  - type: rules\n"
	         "    patterns: [{match: '\\bfilm\\b', replace: 'wow film'}]\n"
	         "    label: {neg: pos}\n"
	         "  - {type: zfilter, %s}\n"
	         "output: {dir: %s/%s}\n", seed, tmpdir, input_name, zopts, tmpdir,
	         outdir);
	if (opts)
		o = *opts;
	o.quiet = 1;
	if (report)
		*report = NULL;
	rc = cf_conf_load_buffer(&conf, "test.yaml", yaml, strlen(yaml), err);
	if (rc == 0)
		rc = cf_pipeline_new(&p, conf, err);
	if (rc == 0)
		rc = cf_pipeline_run(p, &o, report, err);
	cf_pipeline_free(&p);
	cf_conf_free(&conf);
	return rc;
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
	assert_non_null(s = malloc((size_t)n + 1));
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* The lines of a JSONL file as a JSON array (new reference). */
static json_t *load_lines(const char *dir, const char *name)
{
	char *text = slurp(dir, name), *line, *save = NULL;
	json_t *arr = json_array();

	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL);

		assert_non_null(j);
		json_array_append_new(arr, j);
	}
	free(text);
	return arr;
}

static json_t *zf_report(json_t *rep)
{
	json_t *st = json_array_get(json_object_get(rep, "stages"), 1);

	assert_string_equal(json_string_value(json_object_get(st, "type")), "zfilter");
	return st;
}

static double num(json_t *o, const char *a, const char *b)
{
	json_t *x = json_object_get(o, a);

	if (b)
		x = json_object_get(x, b);
	assert_true(json_is_number(x));
	return json_number_value(x);
}

static void test_drops_exactly_the_shortcut(void **state)
{
	static const char *const cand_ids[] = { "r2", "r4", "r6", "r8" };
	static const double zs[] = { 1.4142135623730951, 1.3093073414159542,
	                             1.1547005383792515 };
	uint64_t prio[4];
	size_t order[4] = { 0, 1, 2, 3 }, i, j, nspur = 0;
	cf_error err = { 0 };
	json_t *rep, *z, *rej, *aug, *line;
	cf_zstats *zs_out = NULL;
	cf_ztoken *rank = NULL;
	size_t nrank = 0;

	/* the seeded drop order, as the stage computes it (seed 0, rules is
	 * stage 0, each record's first candidate) */
	for (i = 0; i < 4; i++) {
		cf_record rec = { .id = cand_ids[i] };
		prio[i] = cf_record_rand(NULL, &rec, 0x7a66696c746572ULL);
	}
	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++)
			if (prio[order[j]] < prio[order[i]]) {
				size_t t = order[i];
				order[i] = order[j];
				order[j] = t;
			}

	assert_int_equal(run(0, "tau: 1.0, min_count: 2", "out", NULL, &rep, &err), 0);
	z = zf_report(rep);
	assert_int_equal((long)num(z, "candidates_dropped", NULL), 3);
	assert_int_equal((long)num(z, "emitted", NULL), 9);   /* 8 originals + 1 */
	assert_int_equal((long)num(z, "before", "tokens_above_tau"), 1);
	assert_float_equal(num(z, "before", "max_z"), sqrt(2.0), 1e-9);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	        json_object_get(json_object_get(z, "before"), "top"), 0), "token")), "wow");
	assert_float_equal(num(z, "before", "excess"), sqrt(2.0) - 1, 1e-6);
	assert_int_equal((long)num(z, "after", "tokens_above_tau"), 0);
	assert_float_equal(num(z, "after", "excess"), 0, 1e-9);
	assert_float_equal(num(z, "after", "max_z"),
	                   (0.5 - 4.0 / 9) / sqrt((5.0 / 9) * (4.0 / 9) / 2), 1e-9);

	/* rejected: the three first in seeded order, with the z they had */
	rej = load_lines("out", "rejected.jsonl");
	json_array_foreach(rej, i, line) {
		const char *id = json_string_value(json_object_get(line, "orig_id"));
		json_t *d = json_object_get(line, "detail");

		if (strcmp(json_string_value(json_object_get(line, "reason")), "spurious_token"))
			continue;
		nspur++;
		assert_string_equal(json_string_value(json_object_get(d, "token")), "wow");
		assert_string_equal(json_string_value(json_object_get(d, "label")), "pos");
		for (j = 0; j < 3 && strcmp(cand_ids[order[j]], id); j++)
			;
		assert_true(j < 3);   /* the survivor (order[3]) is never dropped */
		assert_float_equal(json_number_value(json_object_get(d, "z_before")), zs[j], 1e-6);
	}
	assert_int_equal(nspur, 3);

	/* the output, counted independently by cfaug eval's statistics: every
	 * original is there, one candidate (the survivor), and max z <= tau */
	aug = load_lines("out", "augmented.jsonl");
	assert_int_equal(json_array_size(aug), 9);
	assert_int_equal(cf_zstats_new(&zs_out), 0);
	json_array_foreach(aug, i, line) {
		const char *text = json_string_value(json_object_get(line, "text"));
		const char *src = json_string_value(json_object_get(line, "source"));

		if (!strcmp(src, "counterfactual"))
			assert_string_equal(json_string_value(json_object_get(line, "id")),
			                    cand_ids[order[3]]);
		assert_int_equal(cf_zstats_add(zs_out, &text, NULL, 1, json_string_value(
		        json_object_get(line, "label")), &err), 0);
	}
	assert_int_equal(cf_zstats_rank(zs_out, 2, &rank, &nrank), 0);
	assert_true(nrank > 0);
	assert_true(fabs(rank[0].z) <= 1.0);
	assert_float_equal(fabs(rank[0].z), num(z, "after", "max_z"), 1e-9);
	free(rank);
	cf_zstats_free(&zs_out);
	json_decref(aug);
	json_decref(rej);
	json_decref(rep);
}

/*
 * A case where dropping by the largest z makes things worse (worked by
 * hand; p0 = p0(pos)).  Originals: 3 neg "x film", 2 pos "p", 1 pos "x";
 * the rules make 3 pos candidates "x wow film".  tau 1.05, min_count 2.
 *   all 9 documents, p0 = 2/3: wow (n 3, all pos) z = 1.225 is the only
 *   token above tau (p: n 2, z 1.0; film: n 6, 3 neg, z 0.866; x: n 7,
 *   3 neg, z 0.535): objective (1, 0.175).
 *   drop one wow candidate: 8 documents, p0 = 5/8: wow n 2: z = 1.095,
 *   p: z = 1.095 (film: n 5, 3 neg: z = (0.6 - 0.375)/sqrt(0.234/5) =
 *   1.039): (2, 0.09).  Worse, so nothing is dropped.
 * The old filter (shares fixed during a pass) dropped two wow candidates
 * and ended with p (z 1.225) and film (1.299) above tau instead of wow.
 */
static void test_never_worsens(void **state)
{
	cf_error err = { 0 };
	json_t *rep, *z, *rej, *line;
	char path[512];
	FILE *f;
	size_t i;
	int k;

	snprintf(path, sizeof path, "%s/worse.jsonl", tmpdir);
	assert_non_null(f = fopen(path, "w"));
	for (k = 0; k < 3; k++)
		fprintf(f, "{\"id\":\"n%d\",\"text\":\"x film\",\"label\":\"neg\"}\n", k);
	for (k = 0; k < 2; k++)
		fprintf(f, "{\"id\":\"p%d\",\"text\":\"p\",\"label\":\"pos\"}\n", k);
	fprintf(f, "{\"id\":\"q\",\"text\":\"x\",\"label\":\"pos\"}\n");
	fclose(f);
	input_name = "worse.jsonl";

	assert_int_equal(run(0, "tau: 1.05, min_count: 2", "out", NULL, &rep, &err), 0);
	z = zf_report(rep);
	assert_int_equal((long)num(z, "in_candidates", NULL), 3);
	assert_int_equal((long)num(z, "before", "tokens_above_tau"), 1);
	assert_int_equal((long)num(z, "after", "tokens_above_tau"), 1);
	assert_int_equal((long)num(z, "candidates_dropped", NULL), 0);
	assert_float_equal(num(z, "before", "excess"), sqrt(1.5) - 1.05, 1e-6);
	assert_float_equal(num(z, "after", "excess"), sqrt(1.5) - 1.05, 1e-6);
	rej = load_lines("out", "rejected.jsonl");
	json_array_foreach(rej, i, line)
		assert_string_not_equal(json_string_value(json_object_get(line, "reason")),
		                        "spurious_token");
	json_decref(rej);
	json_decref(rep);
}

/* max_held_mb: 1000 records of ~200 text bytes and the 500 candidates of
 * the neg ones are estimated at 1500 x (1 KB + 6 x ~200 bytes) = 3.2 MB. */
static void test_max_held_mb_stops_the_run(void **state)
{
	cf_error err = { 0 };
	char path[512];
	FILE *f;
	int i;

	snprintf(path, sizeof path, "%s/big.jsonl", tmpdir);
	assert_non_null(f = fopen(path, "w"));
	for (i = 0; i < 1000; i++)
		fprintf(f, "{\"id\":\"b%d\",\"text\":\"%0190d film\",\"label\":\"%s\"}\n",
		        i, i, i % 2 ? "neg" : "pos");
	fclose(f);
	input_name = "big.jsonl";
	assert_int_equal(run(0, "tau: 1.0, max_held_mb: 2", "out", NULL, NULL, &err),
	                 CF_ELIMIT);
	assert_non_null(strstr(err.msg, "max_held_mb (2 MB"));
	assert_null(slurp("out", "augmented.jsonl"));   /* nothing committed */
	assert_int_equal(run(0, "tau: 1.0, max_held_mb: 6", "ok", NULL, NULL, &err), 0);
}

static void test_large_tau_drops_nothing(void **state)
{
	cf_error err = { 0 };
	json_t *rep, *z;

	assert_int_equal(run(0, "tau: 1.5, min_count: 2", "out", NULL, &rep, &err), 0);
	z = zf_report(rep);
	assert_int_equal((long)num(z, "candidates_dropped", NULL), 0);
	assert_int_equal((long)num(z, "emitted", NULL), 12);
	assert_int_equal((long)num(z, "before", "tokens_above_tau"), 0);
	assert_float_equal(num(z, "after", "max_z"), sqrt(2.0), 1e-9);
	assert_int_equal((long)json_integer_value(json_object_get(
	        json_object_get(rep, "totals"), "accepted")), 4);
	json_decref(rep);
}

static void test_same_seed_same_output(void **state)
{
	cf_error err = { 0 };
	char *a_rej, *b_rej, *a_aug, *b_aug;

	assert_int_equal(run(5, "tau: 1.0, min_count: 2", "a", NULL, NULL, &err), 0);
	assert_int_equal(run(5, "tau: 1.0, min_count: 2", "b", NULL, NULL, &err), 0);
	a_rej = slurp("a", "rejected.jsonl");
	b_rej = slurp("b", "rejected.jsonl");
	a_aug = slurp("a", "augmented.jsonl");
	b_aug = slurp("b", "augmented.jsonl");
	assert_non_null(a_rej);
	assert_non_null(a_aug);
	assert_non_null(strstr(a_rej, "spurious_token"));
	assert_string_equal(a_rej, b_rej);
	assert_string_equal(a_aug, b_aug);
	free(a_rej);
	free(b_rej);
	free(a_aug);
	free(b_aug);
}

static void test_max_held_stops_the_run(void **state)
{
	cf_error err = { 0 };
	json_t *rep = NULL;

	assert_int_equal(run(0, "tau: 1.0, min_count: 2, max_held: 3", "out", NULL,
	                     &rep, &err), CF_ELIMIT);
	assert_non_null(strstr(err.msg, "max_held (3)"));
	assert_non_null(strstr(err.msg, "record 8"));   /* the 4th candidate */
	assert_null(slurp("out", "augmented.jsonl"));   /* nothing committed */
	json_decref(rep);
	/* exactly at the limit is fine */
	assert_int_equal(run(0, "tau: 1.0, min_count: 2, max_held: 4", "ok", NULL,
	                     NULL, &err), 0);
}

/* Every record after the first held candidate stays unfinished until the
 * end of input; the runner reads on past `window` for such a stage (which
 * bounds what it holds itself), so a window of 3 on 8 records gives the
 * same output as a large one. */
static void test_small_window_is_enough(void **state)
{
	cf_error err = { 0 };
	cf_run_opts o = { .window = 3 };
	char *a, *b;

	assert_int_equal(run(0, "tau: 1.0, min_count: 2", "small", &o, NULL, &err), 0);
	o.window = 100;
	assert_int_equal(run(0, "tau: 1.0, min_count: 2", "large", &o, NULL, &err), 0);
	assert_non_null(a = slurp("small", "augmented.jsonl"));
	assert_non_null(b = slurp("large", "augmented.jsonl"));
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_non_null(a = slurp("small", "rejected.jsonl"));
	assert_non_null(b = slurp("large", "rejected.jsonl"));
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "spurious_token"));
	free(a);
	free(b);
}

/* More held candidates than one drain (256): given away record by record
 * with the runner writing finished groups during the flush, the output
 * stays in input order, every candidate is accounted for once, and a
 * candidate's fields and provenance come back whole from being packed
 * while held. */
static void test_many_held_in_input_order(void **state)
{
	static const char *const words[] = { "alpha", "bravo", "charlie", "delta",
	                                     "echo", "foxtrot", "golf", "hotel" };
	cf_error err = { 0 };
	json_t *rep, *aug, *rej, *line;
	char path[512];
	FILE *f;
	size_t i, nrej = 0, ncf = 0;
	long last = 0;

	snprintf(path, sizeof path, "%s/many.jsonl", tmpdir);
	assert_non_null(f = fopen(path, "w"));
	for (i = 0; i < 1200; i++)
		fprintf(f, "{\"id\":\"r%zu\",\"text\":\"%s %s film\",\"label\":\"%s\"}\n",
		        i + 1, words[i % 8], words[(i / 8) % 8], i % 3 ? "neg" : "pos");
	fclose(f);
	input_name = "many.jsonl";
	assert_int_equal(run(3, "tau: 1.0, min_count: 2", "many", NULL, &rep, &err), 0);
	aug = load_lines("many", "augmented.jsonl");
	json_array_foreach(aug, i, line) {
		long n = atol(json_string_value(json_object_get(line, "orig_id")) + 1);

		assert_true(n >= last);          /* input order */
		last = n;
		if (!strcmp(json_string_value(json_object_get(line, "source")),
		            "counterfactual")) {
			ncf++;
			assert_non_null(strstr(json_string_value(json_object_get(line,
			                "text")), "wow film"));
			assert_string_equal(json_string_value(json_object_get(line,
			                    "label")), "pos");
		}
	}
	rej = load_lines("many", "rejected.jsonl");
	last = 0;
	json_array_foreach(rej, i, line) {
		json_t *g = json_object_get(line, "generator");
		long n = atol(json_string_value(json_object_get(line, "orig_id")) + 1);

		assert_true(n >= last);
		last = n;
		if (!strcmp(json_string_value(json_object_get(line, "reason")),
		            "label_unmapped"))
			continue;        /* the pos records' candidates, at the rules */
		assert_string_equal(json_string_value(json_object_get(line, "reason")),
		                    "spurious_token");
		assert_string_equal(json_string_value(json_object_get(g, "kind")), "rules");
		assert_non_null(strstr(json_string_value(json_object_get(json_object_get(
		        line, "counterfactual"), "text")), "wow film"));
		nrej++;
	}
	/* 800 neg records, one candidate each: kept + dropped, more than one
	 * drain's worth of both */
	assert_int_equal(ncf + nrej, 800);
	assert_true(nrej > 256 && ncf > 0);
	assert_int_equal(json_array_size(aug), 1200 + ncf);
	json_decref(aug);
	json_decref(rej);
	json_decref(rep);
}

static void test_needs_labels(void **state)
{
	char yaml[1024];
	cf_error err = { 0 };
	cf_conf *conf = NULL;
	cf_pipeline *p = NULL;

	snprintf(yaml, sizeof yaml,
	         "input: {path: %s/in.jsonl, text_fields: [text]}\n"
	         "stages:\n"
	         "  - {type: zfilter}\n"
	         "output: {dir: %s/out}\n", tmpdir, tmpdir);
	assert_int_equal(cf_conf_load_buffer(&conf, "test.yaml", yaml, strlen(yaml), &err), 0);
	assert_int_equal(cf_pipeline_new(&p, conf, &err), CF_ECONFIG);
	assert_non_null(strstr(err.msg, "label_field"));
	assert_non_null(strstr(err.msg, "test.yaml:3:"));
	cf_pipeline_free(&p);
	cf_conf_free(&conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_drops_exactly_the_shortcut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_worsens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_tau_drops_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_seed_same_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_held_stops_the_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_held_mb_stops_the_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_window_is_enough, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_held_in_input_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs_labels, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
