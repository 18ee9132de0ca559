/*
 * test_teacher_cli.c - `cfaug teacher train|eval|predict` run in-process
 * through cf_cmd_teacher (cli/cmd_teacher.c is compiled into this test):
 * outputs, bad records, messages and exit codes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cf_cmd_teacher(int argc, char **argv);

#define TRAIN   TEST_DATA_DIR "/teacher/train.jsonl"
#define HELDOUT TEST_DATA_DIR "/teacher/heldout.jsonl"
#define PAIRED  TEST_DATA_DIR "/teacher/paired.jsonl"

static char dir[64], model[128], outp[128], errp[128];

/* Run `teacher ARGS...` (NULL-terminated) with stdout and stderr going to
 * outp and errp; returns the exit code. */
static int run(const char *first, ...)
{
	char *argv[40];
	int argc = 0, rc, so, se, fo, fe;
	va_list ap;
	const char *a;

	argv[argc++] = (char *)"teacher";
	va_start(ap, first);
	for (a = first; a; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fo, 1);
	dup2(fe, 2);
	rc = cf_cmd_teacher(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so); close(se); close(fo); close(fe);
	return rc;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = calloc(1, 1 << 20);

	assert_non_null(fp);
	buf[fread(buf, 1, (1 << 20) - 1, fp)] = 0;
	fclose(fp);
	return buf;
}

static void expect_err(const char *word)
{
	char *e = slurp(errp);

	if (!strstr(e, word))
		fail_msg("stderr '%s' does not say '%s'", e, word);
	free(e);
}

static int setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/cfaug-tcli-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(model, sizeof model, "%s/m.cftm", dir);
	snprintf(outp, sizeof outp, "%s/out", dir);
	snprintf(errp, sizeof errp, "%s/err", dir);
	/* one model for the tests that only read it */
	return run("train", "-i", TRAIN, "--label-field", "label", "-o", model,
	           "--buckets", "18", "--dev-split", "0", NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_train_reports(void **state)
{
	char m2[160];

	snprintf(m2, sizeof m2, "%s/m2.cftm", dir);
	assert_int_equal(run("train", "-i", TRAIN, "--text-field", "text",
	                     "--label-field", "label", "-o", m2, "--seed", "3",
	                     "--epochs", "5", "--dev-split", "0.1", NULL), 0);
	expect_err("trained on");
	expect_err("dev accuracy");
	assert_int_equal(access(m2, R_OK), 0);
}

static void test_eval_json(void **state)
{
	json_error_t je;
	json_t *o, *cm;
	char *out;
	double acc;
	json_int_t sum = 0;
	size_t i, j;

	assert_int_equal(run("eval", "-m", model, "-i", HELDOUT, NULL), 0);
	out = slurp(outp);
	o = json_loads(out, 0, &je);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "records")), 80);
	acc = json_real_value(json_object_get(o, "accuracy"));
	assert_true(acc >= 0.65 && acc <= 1.0);
	assert_true(json_real_value(json_object_get(o, "macro_f1")) > 0.6);
	assert_non_null(json_object_get(json_object_get(o, "labels"), "Positive"));
	cm = json_object_get(json_object_get(o, "confusion"), "matrix");
	assert_int_equal(json_array_size(cm), 2);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++)
			sum += json_integer_value(json_array_get(json_array_get(cm, i), j));
	assert_int_equal(sum, 80);
	/* accuracy is the diagonal's share */
	{
		json_int_t d = json_integer_value(json_array_get(json_array_get(cm, 0), 0)) +
		               json_integer_value(json_array_get(json_array_get(cm, 1), 1));

		assert_true(acc > (double)d / 80 - 1e-9 && acc < (double)d / 80 + 1e-9);
	}
	json_decref(o);
	free(out);

	assert_int_equal(run("eval", "-m", model, "-i", HELDOUT, "--human", NULL), 0);
	out = slurp(outp);
	assert_non_null(strstr(out, "accuracy"));
	assert_non_null(strstr(out, "confusion"));
	assert_non_null(strstr(out, "Negative"));
	free(out);
}

static void test_predict_stream(void **state)
{
	char *out, *line, *save = NULL;
	int n = 0;

	assert_int_equal(run("predict", "-m", model, "-i", HELDOUT, NULL), 0);
	out = slurp(outp);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je), *p;
		double pn, pp;
		const char *pred;

		assert_non_null(o);
		/* the input record is kept */
		assert_non_null(json_string_value(json_object_get(o, "text")));
		assert_non_null(json_string_value(json_object_get(o, "label")));
		p = json_object_get(o, "probs");
		pn = json_real_value(json_object_get(p, "Negative"));
		pp = json_real_value(json_object_get(p, "Positive"));
		assert_true(pn + pp > 0.999999 && pn + pp < 1.000001);
		pred = json_string_value(json_object_get(o, "pred"));
		assert_string_equal(pred, pp > pn ? "Positive" : "Negative");
		json_decref(o);
		n++;
	}
	assert_int_equal(n, 80);
	free(out);
}

static void test_bad_records(void **state)
{
	char in[160];
	FILE *fp;
	char *out;

	snprintf(in, sizeof in, "%s/mixed.jsonl", dir);
	fp = fopen(in, "w");
	fputs("{\"text\": \"a wonderful, moving film\", \"label\": \"Positive\"}\n"
	      "this line is not json\n"
	      "{\"text\": 17, \"label\": \"Positive\"}\n"
	      "{\"text\": \"no label at all\"}\n"
	      "{\"text\": \"dull and boring\", \"label\": \"Neutral\"}\n"
	      "{\"text\": \"boring, awful, a waste\", \"label\": \"Negative\"}\n", fp);
	fclose(fp);
	assert_int_equal(run("eval", "-m", model, "-i", in, NULL), 0);
	expect_err(":2:");
	expect_err("text field 'text' is not a string");
	expect_err("label field 'label' is missing");
	expect_err("label 'Neutral' is not one of the model's");
	expect_err("4 bad records skipped");
	out = slurp(outp);
	assert_non_null(strstr(out, "\"records\": 2"));
	assert_non_null(strstr(out, "\"bad_records\": 4"));
	free(out);
	/* predict needs no label: only the two unreadable ones are bad */
	assert_int_equal(run("predict", "-m", model, "-i", in, NULL), 0);
	expect_err("2 bad records skipped");
}

static double eval_accuracy(const char *m, const char *in)
{
	json_error_t je;
	json_t *o;
	double acc;

	assert_int_equal(run("eval", "-m", m, "-i", in, NULL), 0);
	o = json_load_file(outp, 0, &je);
	assert_non_null(o);
	acc = json_real_value(json_object_get(o, "accuracy"));
	json_decref(o);
	return acc;
}

static void expect_no_err(const char *word)
{
	char *e = slurp(errp);

	if (strstr(e, word))
		fail_msg("stderr '%s' says '%s'", e, word);
	free(e);
}

/* Paired rows (a review and its flipped twin, as augmented.jsonl writes
 * them with orig_id): the default trainer gives a sound model.  Before
 * groups, the dev split put twins on opposite sides and early stopping
 * kept a one-iteration model (0.69 on the held-out reviews, one label on
 * dev); without the group key that model is now named degenerate. */
static void test_paired_groups(void **state)
{
	char m2[160], nogrp[160], cmd[512];

	snprintf(m2, sizeof m2, "%s/paired.cftm", dir);
	snprintf(nogrp, sizeof nogrp, "%s/nogroup.jsonl", dir);
	assert_int_equal(run("train", "-i", PAIRED, "--label-field", "label",
	                     "-o", m2, NULL), 0);
	expect_no_err("WARNING");
	assert_true(eval_accuracy(m2, HELDOUT) >= 0.72);
	/* with a dev split: by orig_id, found without being named */
	assert_int_equal(run("train", "-i", PAIRED, "--label-field", "label",
	                     "-o", m2, "--dev-split", "0.1", NULL), 0);
	expect_err("dev split by 'orig_id': 120 groups");
	expect_no_err("WARNING");
	assert_true(eval_accuracy(m2, HELDOUT) >= 0.72);
	/* the same rows without their group key: warned about */
	snprintf(cmd, sizeof cmd, "sed 's/\"orig_id\"/\"other\"/; s/\"id\"/\"num\"/' "
	         "'%s' > '%s'", PAIRED, nogrp);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(run("train", "-i", nogrp, "--label-field", "label",
	                     "-o", m2, "--dev-split", "0.1", NULL), 0);
	expect_err("WARNING");
	expect_err("looks degenerate");
	expect_err("--group-field");
	/* ... and sound again when told the key */
	assert_int_equal(run("train", "-i", nogrp, "--label-field", "label",
	                     "-o", m2, "--dev-split", "0.1", "--group-field",
	                     "other", NULL), 0);
	expect_err("dev split by 'other': 120 groups");
	expect_no_err("WARNING");
	/* a group field no record has is a data error */
	assert_int_equal(run("train", "-i", nogrp, "--label-field", "label",
	                     "-o", m2, "--group-field", "nosuch", NULL), 4);
	expect_err("--group-field 'nosuch': no record has it");
	assert_int_equal(run("eval", "-m", m2, "-i", nogrp, "--group-field",
	                     "other", NULL), 2);
}

/* A model trained on text/Negative/Positive, data with Text and
 * negative/positive: the mismatches are named (case only), told once each
 * with a count, and --field-map / --label-map make the data usable. */
static void test_field_and_label_maps(void **state)
{
	char in[160], *out;
	FILE *fp, *src;
	char line[8192];
	int n = 0;

	snprintf(in, sizeof in, "%s/lower.jsonl", dir);
	src = fopen(HELDOUT, "r");
	fp = fopen(in, "w");
	assert_non_null(src);
	while (fgets(line, sizeof line, src)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je), *w;
		char lab[32];
		char *dump;

		assert_non_null(o);
		snprintf(lab, sizeof lab, "%s", json_string_value(json_object_get(o, "label")));
		lab[0] = (char)(lab[0] | 0x20);
		w = json_pack("{s:O,s:s}", "Text", json_object_get(o, "text"), "label", lab);
		dump = json_dumps(w, JSON_COMPACT);
		fprintf(fp, "%s\n", dump);
		free(dump);
		json_decref(w);
		json_decref(o);
		n++;
	}
	fclose(src);
	fclose(fp);
	assert_int_equal(n, 80);
	/* the field differs in case: every record skipped, one line says why */
	assert_int_equal(run("eval", "-m", model, "-i", in, NULL), 4);
	expect_err("text field 'text' is missing; the record has 'Text', which "
	           "differs only in case (--field-map text=Text)");
	expect_err("80 records skipped (first at line 1)");
	out = slurp(errp);
	assert_null(strstr(strstr(out, "record 1 skipped") + 1, "record 2 skipped"));
	free(out);
	/* fields mapped, labels differ in case */
	assert_int_equal(run("eval", "-m", model, "-i", in, "--field-map",
	                     "text=Text", NULL), 4);
	expect_err("label 'negative' differs from the model's 'Negative' only in "
	           "case (--label-map Negative=negative)");
	expect_err("40 records skipped");
	/* both mapped: the same accuracy as on the original file */
	assert_int_equal(run("eval", "-m", model, "-i", in, "--field-map",
	                     "text=Text", "--label-map",
	                     "Negative=negative,Positive=positive", NULL), 0);
	out = slurp(outp);
	assert_non_null(strstr(out, "\"records\": 80"));
	free(out);
	{
		double a = eval_accuracy(model, HELDOUT);
		json_error_t je;
		json_t *o;

		assert_int_equal(run("eval", "-m", model, "-i", in, "--field-map",
		                     "text=Text", "--label-map",
		                     "Negative=negative,Positive=positive", NULL), 0);
		o = json_load_file(outp, 0, &je);
		assert_true(json_real_value(json_object_get(o, "accuracy")) == a);
		json_decref(o);
	}
	/* predict writes the data's label names */
	assert_int_equal(run("predict", "-m", model, "-i", in, "--field-map",
	                     "text=Text", "--label-map",
	                     "Negative=negative,Positive=positive", NULL), 0);
	out = slurp(outp);
	assert_non_null(strstr(out, "\"probs\":{\"negative\":"));
	assert_true(strstr(out, "\"pred\":\"positive\"") ||
	            strstr(out, "\"pred\":\"negative\""));
	assert_null(strstr(out, "\"pred\":\"Positive\""));
	free(out);
	/* maps naming what the model does not have are usage errors */
	assert_int_equal(run("eval", "-m", model, "-i", in, "--label-map",
	                     "Neutral=neutral", NULL), 2);
	expect_err("--label-map: 'Neutral' is not a label of");
	assert_int_equal(run("eval", "-m", model, "-i", in, "--field-map",
	                     "body=Text", NULL), 2);
	expect_err("--field-map: 'body' is not a field of");
	assert_int_equal(run("eval", "-m", model, "-i", in, "--label-map",
	                     "Negative", NULL), 2);
	expect_err("is not MODEL=DATA");
}

static void test_usage_and_exit_codes(void **state)
{
	char junk[160];
	FILE *fp;

	assert_int_equal(run(NULL), 2);
	expect_err("missing subcommand");
	assert_int_equal(run("fit", NULL), 2);
	expect_err("unknown subcommand 'fit'");
	assert_int_equal(run("train", "-i", TRAIN, "-o", model, NULL), 2);
	expect_err("--label-field");
	assert_int_equal(run("eval", "-i", HELDOUT, NULL), 2);
	expect_err("missing -m MODEL");
	assert_int_equal(run("eval", "-m", model, "-i", HELDOUT, "--bogus", NULL), 2);
	expect_err("unknown option '--bogus'");
	assert_int_equal(run("train", "-i", TRAIN, "--label-field", "label",
	                     "-o", model, "--buckets", "40", NULL), 2);
	expect_err("--buckets");
	assert_int_equal(run("train", "-i", TRAIN, "--label-field", "label",
	                     "-o", model, "--epochs", NULL), 2);
	expect_err("needs a value");
	assert_int_equal(run("eval", "-m", model, "-i", "data.unknown", NULL), 2);
	expect_err("--format");
	/* missing input: runtime error naming it */
	assert_int_equal(run("eval", "-m", model, "-i", "/nonexistent/x.jsonl",
	                     NULL), 1);
	expect_err("/nonexistent/x.jsonl");
	/* a model file that is not one: data error naming it */
	snprintf(junk, sizeof junk, "%s/junk.cftm", dir);
	fp = fopen(junk, "w");
	fputs("hello\n", fp);
	fclose(fp);
	assert_int_equal(run("predict", "-m", junk, "-i", HELDOUT, NULL), 4);
	expect_err("junk.cftm: not a cfaug teacher model");
	/* no record has the label field: data error */
	assert_int_equal(run("train", "-i", HELDOUT, "--label-field", "gold",
	                     "-o", junk, NULL), 4);
	expect_err("no usable records");
	/* wrong number of text fields for the model */
	assert_int_equal(run("eval", "-m", model, "-i", HELDOUT, "--text-field",
	                     "text", "--text-field", "label", NULL), 2);
	expect_err("1 text field");
}

/* predict keeps a JSONL line as read and adds "probs" and "pred"; a
 * record that already has them gets them replaced, not repeated. */
static void test_predict_splice(void **state)
{
	char in[160];
	FILE *fp;
	char *out, *second;

	snprintf(in, sizeof in, "%s/splice.jsonl", dir);
	fp = fopen(in, "w");
	fputs("{\"text\" : \"a wonderful film\", \"n\": 1.50}  \n"
	      "{\"text\":\"dull\",\"pred\":\"x\",\"probs\":[1]}\n", fp);
	fclose(fp);
	assert_int_equal(run("predict", "-m", model, "-i", in, NULL), 0);
	out = slurp(outp);
	assert_non_null(second = strchr(out, '\n'));
	*second++ = 0;
	assert_true(!strncmp(out, "{\"text\" : \"a wonderful film\", \"n\": 1.50,"
	                     "\"probs\":{\"Negative\":", 60));
	assert_non_null(strstr(out, ",\"pred\":\""));
	assert_true(out[strlen(out) - 1] == '}');
	assert_true(!strncmp(second, "{\"text\":\"dull\",\"pred\":\"", 23));
	assert_null(strstr(strstr(second, "\"probs\"") + 1, "\"probs\""));
	assert_non_null(strstr(second, "\"probs\":{"));
	free(out);
}

/* eval and predict default to the fields the model was trained on: a
 * model trained on Text/Sentiment evaluates a TSV of those columns with
 * no flags; --label-field still overrides. */
static void test_model_field_defaults(void **state)
{
	char in[160], m3[160];
	FILE *fp;
	char *out;

	snprintf(in, sizeof in, "%s/cad.tsv", dir);
	snprintf(m3, sizeof m3, "%s/m3.cftm", dir);
	fp = fopen(in, "w");
	fputs("Sentiment\tText\n"
	      "Positive\ta wonderful, moving film\n"
	      "Negative\tdull and boring, a waste\n"
	      "Positive\twonderful acting, a moving story\n"
	      "Negative\tawful, boring and dull\n"
	      "Positive\tmoving and wonderful\n"
	      "Negative\ta boring waste of time\n", fp);
	fclose(fp);
	assert_int_equal(run("train", "-i", in, "--text-field", "Text",
	                     "--label-field", "Sentiment", "-o", m3,
	                     "--buckets", "16", "--dev-split", "0", NULL), 0);
	assert_int_equal(run("eval", "-m", m3, "-i", in, NULL), 0);
	out = slurp(outp);
	assert_non_null(strstr(out, "\"records\": 6"));
	assert_non_null(strstr(out, "\"bad_records\": 0"));
	free(out);
	assert_int_equal(run("predict", "-m", m3, "-i", in, NULL), 0);
	out = slurp(outp);
	assert_non_null(strstr(out, "\"pred\""));
	free(out);
	/* the flag wins over the model's field */
	assert_int_equal(run("eval", "-m", m3, "-i", in, "--label-field", "label",
	                     NULL), 4);
	expect_err("label field 'label' is missing");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_train_reports),
		cmocka_unit_test(test_eval_json),
		cmocka_unit_test(test_predict_stream),
		cmocka_unit_test(test_model_field_defaults),
		cmocka_unit_test(test_predict_splice),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_usage_and_exit_codes),
		cmocka_unit_test(test_paired_groups),
		cmocka_unit_test(test_field_and_label_maps),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
