/*
 * test_teacher_model.c - the built-in teacher's model (pipeline/judge/linear_model):
 * accuracy on held-out reviews, determinism, save/load round trip, damaged
 * files, feature extraction and field separation, one thread vs two, the
 * refit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "linear_model.h"

#define TRAIN   TEST_DATA_DIR "/teacher/train.jsonl"
#define HELDOUT TEST_DATA_DIR "/teacher/heldout.jsonl"

typedef struct rows { json_t *arr; } rows;

static json_t *load_jsonl(const char *path)
{
	FILE *fp = fopen(path, "r");
	json_t *arr = json_array();
	char *line = NULL;
	size_t cap = 0;

	assert_non_null(fp);
	while (getline(&line, &cap, fp) > 0) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);

		assert_non_null(o);
		json_array_append_new(arr, o);
	}
	free(line);
	fclose(fp);
	return arr;
}

static const char *text_of(json_t *o) { return json_string_value(json_object_get(o, "text")); }
static const char *label_of(json_t *o) { return json_string_value(json_object_get(o, "label")); }

static cf_lm *train_file(const char *path, const cf_lm_opts *o)
{
	const char *names[1] = { "text" };
	json_t *arr = load_jsonl(path), *r;
	cf_lm_data *d = NULL;
	cf_lm *m = NULL;
	cf_error err = { 0 };
	size_t i;

	assert_int_equal(cf_lm_data_new(&d, names, 1, o, &err), 0);
	json_array_foreach(arr, i, r) {
		const char *t = text_of(r);

		assert_int_equal(cf_lm_data_add(d, &t, NULL, label_of(r), &err), 0);
	}
	assert_int_equal(cf_lm_train(&m, d, o, NULL, &err), 0);
	cf_lm_data_free(&d);
	assert_null(d);
	json_decref(arr);
	return m;
}

static double accuracy(const cf_lm *m, const char *path)
{
	json_t *arr = load_jsonl(path), *r;
	size_t i, right = 0;
	double p[2];

	assert_int_equal(cf_lm_nlabels(m), 2);
	json_array_foreach(arr, i, r) {
		const char *t = text_of(r);

		assert_int_equal(cf_lm_predict(m, &t, 1, p), 0);
		assert_true(p[0] >= 0 && p[1] >= 0 && p[0] + p[1] > 0.999999 &&
		            p[0] + p[1] < 1.000001);
		right += !strcmp(cf_lm_label(m, p[1] > p[0]), label_of(r));
	}
	i = json_array_size(arr);
	json_decref(arr);
	return (double)right / (double)i;
}

static void test_heldout_accuracy(void **state)
{
	cf_lm_opts o;
	cf_lm *m;
	double acc;

	cf_lm_opts_default(&o);
	o.dev_split = 0;
	m = train_file(TRAIN, &o);
	/* labels come out sorted whatever the input order */
	assert_string_equal(cf_lm_label(m, 0), "Negative");
	assert_string_equal(cf_lm_label(m, 1), "Positive");
	assert_int_equal(cf_lm_label_index(m, "Positive"), 1);
	assert_int_equal(cf_lm_label_index(m, "Neutral"), -1);
	acc = accuracy(m, HELDOUT);
	/* 80 held-out reviews, chance is 0.5: 0.65 is 52/80 (p < 0.5% by luck) */
	assert_true(acc >= 0.65);
	/* it learnt the training set well */
	assert_true(accuracy(m, TRAIN) >= 0.95);
	cf_lm_free(&m);
	assert_null(m);
	cf_lm_free(NULL);
}

static void read_file(const char *path, unsigned char **buf, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	*buf = malloc((size_t)n + 1);
	assert_int_equal(fread(*buf, 1, (size_t)n, fp), (size_t)n);
	*len = (size_t)n;
	fclose(fp);
}

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	fclose(fp);
}

static char tmpdir[64];

static const char *tmp(const char *name)
{
	static char path[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", tmpdir, name);
	return path[k];
}

static void test_deterministic(void **state)
{
	cf_lm_opts o;
	cf_lm *a, *b, *c;
	cf_error err = { 0 };
	unsigned char *x, *y, *z;
	size_t nx, ny, nz;

	cf_lm_opts_default(&o);
	o.dev_split = 0.1;               /* with the seeded dev split */
	o.seed = 7;
	a = train_file(TRAIN, &o);
	b = train_file(TRAIN, &o);
	o.seed = 8;
	c = train_file(TRAIN, &o);
	assert_int_equal(cf_lm_save(a, tmp("a.cftm"), &err), 0);
	assert_int_equal(cf_lm_save(b, tmp("b.cftm"), &err), 0);
	assert_int_equal(cf_lm_save(c, tmp("c.cftm"), &err), 0);
	read_file(tmp("a.cftm"), &x, &nx);
	read_file(tmp("b.cftm"), &y, &ny);
	read_file(tmp("c.cftm"), &z, &nz);
	assert_memory_equal(x, CF_LM_MAGIC, 4);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	/* the seed matters: another dev split, another model */
	assert_true(nx != nz || memcmp(x, z, nx) != 0);
	free(x); free(y); free(z);
	cf_lm_free(&a); cf_lm_free(&b); cf_lm_free(&c);
}

/* The bytes of m's model file. */
static unsigned char *model_bytes(const cf_lm *m, const char *name, size_t *n)
{
	cf_error err = { 0 };
	unsigned char *buf;

	assert_int_equal(cf_lm_save(m, tmp(name), &err), 0);
	read_file(tmp(name), &buf, n);
	return buf;
}

/* cf_lm_data_add_batch (two threads, batches of uneven sizes) builds the
 * same set as cf_lm_data_add one by one: the same model bytes. */
static void test_batch_add_same_bits(void **state)
{
	const char *names[1] = { "text" };
	json_t *arr = load_jsonl(TRAIN), *r;
	const char **texts, **labels;
	cf_lm_data *d = NULL;
	cf_lm_opts o;
	cf_lm *a, *b = NULL;
	cf_error err = { 0 };
	unsigned char *x, *y;
	size_t i, n = json_array_size(arr), nx, ny, at = 0, step = 1;

	cf_lm_opts_default(&o);
	a = train_file(TRAIN, &o);
	texts = calloc(n, sizeof *texts);
	labels = calloc(n, sizeof *labels);
	json_array_foreach(arr, i, r) {
		texts[i] = text_of(r);
		labels[i] = label_of(r);
	}
	assert_int_equal(cf_lm_data_new(&d, names, 1, &o, &err), 0);
	while (at < n) {
		size_t k = n - at < step ? n - at : step;

		assert_int_equal(cf_lm_data_add_batch(d, k, texts + at, NULL,
		                                      labels + at, 2, &err), 0);
		at += k;
		step = step * 3 + 1;
	}
	assert_int_equal(cf_lm_data_count(d), n);
	assert_int_equal(cf_lm_train(&b, d, &o, NULL, &err), 0);
	x = model_bytes(a, "seq.cftm", &nx);
	y = model_bytes(b, "batch.cftm", &ny);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	free(x); free(y); free(texts); free(labels);
	cf_lm_data_free(&d);
	cf_lm_free(&a); cf_lm_free(&b);
	json_decref(arr);
}

/* A three-label set (the general pass, not the two-label one). */
static cf_lm *train_three(const cf_lm_opts *o, cf_lm_report *rep)
{
	static const char *words[] = { "red", "green", "blue", "cat", "dog",
	                               "fish", "runs", "sleeps", "eats", "big" };
	static const char *labels[] = { "alpha", "beta", "gamma" };
	const char *names[1] = { "text" };
	cf_lm_data *d = NULL;
	cf_lm *m = NULL;
	cf_error err = { 0 };
	char text[256];
	unsigned x = 12345;
	int i, j;

	assert_int_equal(cf_lm_data_new(&d, names, 1, o, &err), 0);
	for (i = 0; i < 300; i++) {
		const char *t = text;
		int len = snprintf(text, sizeof text, "%s", labels[i % 3]);

		for (j = 0; j < 6; j++) {
			x = x * 1103515245u + 12345u;
			len += snprintf(text + len, sizeof text - (size_t)len, " %s",
			                words[(x >> 16) % 10]);
		}
		/* some noise: every 7th example's label word is not its label */
		assert_int_equal(cf_lm_data_add(d, &t, NULL, labels[(i + (i % 7 == 0)) % 3],
		                                &err), 0);
	}
	assert_int_equal(cf_lm_train(&m, d, o, rep, &err), 0);
	cf_lm_data_free(&d);
	return m;
}

/* Any thread count (1 to CF_LM_MAX_THREADS): the same model file, byte
 * for byte, for two labels (with and without a dev split) and for three:
 * the gradient is summed over fixed chunks in chunk order, whichever
 * thread of the pool ran them. */
static void test_threads_same_bits(void **state)
{
	static const int counts[] = { 2, 3, CF_LM_MAX_THREADS };
	cf_lm_opts o;
	cf_lm *a, *b;
	unsigned char *x, *y;
	size_t nx, ny, i;
	int dev;

	for (dev = 0; dev < 2; dev++) {
		cf_lm_opts_default(&o);
		o.dev_split = dev ? 0.2 : 0.0;
		o.threads = 1;
		a = train_file(TRAIN, &o);
		x = model_bytes(a, "t1.cftm", &nx);
		for (i = 0; i < sizeof counts / sizeof *counts; i++) {
			o.threads = counts[i];
			b = train_file(TRAIN, &o);
			y = model_bytes(b, "t2.cftm", &ny);
			assert_int_equal(nx, ny);
			assert_memory_equal(x, y, nx);
			free(y);
			cf_lm_free(&b);
		}
		free(x);
		cf_lm_free(&a);
	}

	cf_lm_opts_default(&o);
	o.threads = 1;
	a = train_three(&o, NULL);
	assert_int_equal(cf_lm_nlabels(a), 3);
	x = model_bytes(a, "t3.cftm", &nx);
	for (i = 0; i < sizeof counts / sizeof *counts; i++) {
		o.threads = counts[i];
		b = train_three(&o, NULL);
		y = model_bytes(b, "t4.cftm", &ny);
		assert_int_equal(nx, ny);
		assert_memory_equal(x, y, nx);
		free(y);
		cf_lm_free(&b);
	}
	free(x);
	cf_lm_free(&a);

	o.threads = CF_LM_MAX_THREADS + 1;  /* out of range */
	{
		cf_lm_data *d = NULL;
		cf_error err = { 0 };
		const char *names[1] = { "text" };

		assert_int_equal(cf_lm_data_new(&d, names, 1, &o, &err), CF_EUSAGE);
		assert_null(d);
	}
}

/* The refit: the dev split picks the iteration, then every example
 * trains briefly from those weights; deterministic, recorded in the file, and different
 * from the model without it. */
static void test_refit(void **state)
{
	cf_lm_opts o;
	cf_lm_report r1, r2, r3;
	cf_lm *a, *b, *c, *l = NULL;
	cf_error err = { 0 };
	unsigned char *x, *y, *z;
	size_t nx, ny, nz;

	cf_lm_opts_default(&o);
	o.dev_split = 0.2;
	a = train_three(&o, &r1);
	b = train_three(&o, &r2);
	o.refit = 0;
	c = train_three(&o, &r3);
	assert_true(r1.ndev > 0);
	assert_true(r1.best_iteration >= 1);
	assert_true(r1.refit_iterations >= 1);
	assert_true(r1.refit_iterations <= r1.best_iteration);
	assert_true(r1.refit_iterations <= 2);   /* warm-started: a few */
	assert_int_equal(r3.refit_iterations, 0);
	assert_int_equal(r1.best_iteration, r3.best_iteration);
	assert_true(r1.evaluations > r3.evaluations);
	x = model_bytes(a, "r1.cftm", &nx);
	y = model_bytes(b, "r2.cftm", &ny);
	z = model_bytes(c, "r3.cftm", &nz);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	assert_true(nx != nz || memcmp(x, z, nx) != 0);
	assert_int_equal(cf_lm_load(&l, tmp("r1.cftm"), &err), 0);
	assert_int_equal(cf_lm_options(l)->refit, 1);
	cf_lm_free(&l);
	assert_int_equal(cf_lm_load(&l, tmp("r3.cftm"), &err), 0);
	assert_int_equal(cf_lm_options(l)->refit, 0);
	cf_lm_free(&l);
	free(x); free(y); free(z);
	cf_lm_free(&a); cf_lm_free(&b); cf_lm_free(&c);
}

static void test_round_trip(void **state)
{
	cf_lm_opts o;
	cf_lm *m, *l = NULL;
	cf_error err = { 0 };
	json_t *arr = load_jsonl(HELDOUT), *r;
	size_t i;

	cf_lm_opts_default(&o);
	o.char_ngrams = 1;
	o.bucket_bits = 18;
	m = train_file(TRAIN, &o);
	assert_int_equal(cf_lm_save(m, tmp("rt.cftm"), &err), 0);
	assert_int_equal(access(tmp("rt.cftm.tmp"), F_OK), -1);
	assert_int_equal(cf_lm_load(&l, tmp("rt.cftm"), &err), 0);
	assert_non_null(l);
	assert_int_equal(cf_lm_options(l)->bucket_bits, 18);
	assert_int_equal(cf_lm_options(l)->char_ngrams, 1);
	assert_int_equal(cf_lm_nfields(l), 1);
	assert_string_equal(cf_lm_field(l, 0), "text");
	json_array_foreach(arr, i, r) {
		const char *t = text_of(r);
		double p[2], q[2];

		assert_int_equal(cf_lm_predict(m, &t, 1, p), 0);
		assert_int_equal(cf_lm_predict(l, &t, 1, q), 0);
		assert_memory_equal(p, q, sizeof p);
	}
	/* a wrong field count is refused, not read past */
	{
		const char *two[2] = { "a", "b" };
		double p[2];

		assert_int_equal(cf_lm_predict(l, two, 2, p), CF_EINTERNAL);
	}
	json_decref(arr);
	cf_lm_free(&m);
	cf_lm_free(&l);
}

/* Load path and expect CF_EDATA with all of the words in the message. */
static void expect_bad(const char *path, const char *word)
{
	cf_lm *m = NULL;
	cf_error err = { 0 };

	assert_int_equal(cf_lm_load(&m, path, &err), CF_EDATA);
	assert_null(m);
	assert_int_equal(err.code, CF_EDATA);
	assert_non_null(strstr(err.msg, path));
	if (!strstr(err.msg, word))
		fail_msg("'%s' does not say '%s'", err.msg, word);
}

/* Store the CRC-32 of buf[0..n-4) in its last four bytes. */
static void fix_crc(unsigned char *buf, size_t n)
{
	uint32_t crc = cf_lm_crc32(buf, n - 4);

	buf[n - 4] = (unsigned char)crc;
	buf[n - 3] = (unsigned char)(crc >> 8);
	buf[n - 2] = (unsigned char)(crc >> 16);
	buf[n - 1] = (unsigned char)(crc >> 24);
}

static void test_damaged_files(void **state)
{
	cf_lm_opts o;
	cf_lm *m;
	cf_error err = { 0 };
	unsigned char *buf;
	size_t n;

	cf_lm_opts_default(&o);
	o.bucket_bits = 16;
	m = train_file(HELDOUT, &o);
	assert_int_equal(cf_lm_save(m, tmp("ok.cftm"), &err), 0);
	cf_lm_free(&m);
	read_file(tmp("ok.cftm"), &buf, &n);

	write_file(tmp("trunc.cftm"), buf, n / 2);
	expect_bad(tmp("trunc.cftm"), "truncated");
	write_file(tmp("short.cftm"), buf, 10);
	expect_bad(tmp("short.cftm"), "truncated");
	write_file(tmp("empty.cftm"), buf, 0);
	expect_bad(tmp("empty.cftm"), "not a cfaug teacher model");
	write_file(tmp("foreign.cftm"), "{\"not\": \"a model\"}\n", 19);
	expect_bad(tmp("foreign.cftm"), "not a cfaug teacher model");

	buf[n / 2] ^= 0x40;                     /* one flipped bit in the weights */
	write_file(tmp("flip.cftm"), buf, n);
	expect_bad(tmp("flip.cftm"), "checksum");
	buf[n / 2] ^= 0x40;

	buf[4] = CF_LM_VERSION + 1;             /* a future version, valid CRC */
	fix_crc(buf, n);
	write_file(tmp("v2.cftm"), buf, n);
	expect_bad(tmp("v2.cftm"), "version 4");
	buf[4] = 1;                             /* the old format: say retrain */
	fix_crc(buf, n);
	write_file(tmp("v1.cftm"), buf, n);
	expect_bad(tmp("v1.cftm"), "version 1");
	expect_bad(tmp("v1.cftm"), "train the model again");
	buf[4] = CF_LM_VERSION;
	fix_crc(buf, n);

	{                                        /* bucket bits out of range */
		unsigned char *b2 = malloc(n);

		memcpy(b2, buf, n);
		b2[20] = 40;
		fix_crc(b2, n);
		write_file(tmp("bits.cftm"), b2, n);
		expect_bad(tmp("bits.cftm"), "malformed");
		free(b2);
	}

	/* extra bytes after the checksum */
	{
		unsigned char *b3 = malloc(n + 3);

		memcpy(b3, buf, n);
		memcpy(b3 + n, "xyz", 3);
		write_file(tmp("long.cftm"), b3, n + 3);
		expect_bad(tmp("long.cftm"), "corrupt");
		free(b3);
	}
	{
		cf_lm *x = NULL;

		err.code = 0;
		assert_int_equal(cf_lm_load(&x, tmp("absent.cftm"), &err), CF_EIO);
		assert_non_null(strstr(err.msg, "absent.cftm"));
	}
	/* the undamaged file still loads */
	write_file(tmp("ok2.cftm"), buf, n);
	err.code = 0;
	assert_int_equal(cf_lm_load(&m, tmp("ok2.cftm"), &err), 0);
	cf_lm_free(&m);
	free(buf);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Sorted features of text as field f. */
static size_t feats(const char *text, unsigned f, int chars, uint32_t *out)
{
	size_t n = cf_lm_features(text, strlen(text), f, 20, chars, out, 512);

	assert_true(n <= 512);
	qsort(out, n, sizeof *out, cmp_u32);
	return n;
}

static void test_features(void **state)
{
	uint32_t a[512], b[512];
	size_t na, nb, i, j;

	/* two words: two unigrams and one bigram */
	assert_int_equal(feats("good movie", 0, 0, a), 3);
	/* case, punctuation and <br /> do not matter */
	nb = feats("GOOD<br />movie!!", 0, 0, b);
	assert_int_equal(nb, 3);
	assert_memory_equal(a, b, 3 * sizeof *a);
	nb = feats("good<BR>movie", 0, 0, b);
	assert_memory_equal(a, b, 3 * sizeof *a);
	/* "<brx>" is not a line break: br is a word there */
	assert_int_equal(feats("good <brx> movie", 0, 0, b), 5);
	/* bytes >= 0x80 are word bytes: "café" is one word, not "caf" */
	assert_int_equal(feats("caf\xc3\xa9", 0, 0, a), 1);
	assert_int_equal(feats("caf", 0, 0, b), 1);
	assert_true(a[0] != b[0]);
	/* word order matters through the bigram only */
	na = feats("good movie", 0, 0, a);
	nb = feats("movie good", 0, 0, b);
	for (i = j = 0; i < na; i++)
		j += bsearch(&a[i], b, nb, sizeof *b, cmp_u32) != NULL;
	assert_int_equal(j, 2);
	/* char 3-5-grams of " good " (6 bytes): 4 + 3 + 2 more */
	assert_int_equal(feats("good", 0, 1, a), 1 + 9);
	/* a repeated word counts twice (tf), in text order */
	assert_int_equal(cf_lm_features("a a", 3, 0, 20, 0, a, 512), 3);
	assert_int_equal(a[0], a[1]);
	/* cap respected, count still true */
	assert_int_equal(cf_lm_features("one two three", 13, 0, 20, 0, a, 2), 5);
}

/* Pair features of a hypothesis against its premise: one per new word,
 * the same bucket for a word whatever the premise, plus the overlap
 * share and new-word count. */
static void test_pair_features(void **state)
{
	uint32_t a[64], b[64];
	char longp[4096];
	size_t n, len = 0, i;

	/* "cat" is new: one word feature + two counts */
	assert_int_equal(cf_lm_pair_features("a dog runs", 10, "a cat runs", 10,
	                                      20, a, 64), 3);
	/* nothing new: the two counts only, and they differ from the above */
	assert_int_equal(cf_lm_pair_features("a dog runs", 10, "A DOG<br />runs",
	                                      15, 20, b, 64), 2);
	assert_true(a[1] != b[0] && a[2] != b[1]);
	/* the same new word, another premise: the same bucket */
	assert_int_equal(cf_lm_pair_features("two men sit", 11, "cat", 3, 20, b,
	                                      64), 3);
	assert_int_equal(a[0], b[0]);
	/* and not the bucket of the word as a hypothesis unigram */
	assert_int_equal(cf_lm_features("cat", 3, 1, 20, 0, b, 64), 1);
	assert_true(a[0] != b[0]);
	/* a premise longer than the stack buffer (300 words, the last "zebra") */
	for (i = 0; i < 299; i++)
		len += (size_t)snprintf(longp + len, sizeof longp - len, "w%zu ", i);
	len += (size_t)snprintf(longp + len, sizeof longp - len, "zebra");
	n = cf_lm_pair_features(longp, len, "zebra w3", 8, 20, a, 64);
	assert_int_equal(n, 2);
	/* cap respected, count still true */
	assert_int_equal(cf_lm_pair_features("x", 1, "p q r", 5, 20, a, 1), 5);
}

/* NLI-like data whose label is only whether the hypothesis words occur in
 * the premise (the words themselves are random): with pair features the
 * model learns it, without them it cannot. */
static double pair_task_accuracy(int pair)
{
	const char *names[2] = { "premise", "hypothesis" };
	cf_lm_opts o;
	cf_lm_data *d = NULL;
	cf_lm *m = NULL;
	cf_error err = { 0 };
	unsigned x = 777;
	int i, k, right = 0;

	cf_lm_opts_default(&o);
	o.pair_features = pair;
	assert_int_equal(cf_lm_data_new(&d, names, 2, &o, &err), 0);
	for (i = 0; i < 700; i++) {
		char prem[128], hyp[64];
		const char *t[2] = { prem, hyp };
		int w[6], in = (i / 2) % 2, len = 0, h;
		double p[2];

		for (k = 0; k < 6; k++) {
			x = x * 1103515245u + 12345u;
			w[k] = (int)((x >> 16) % 40);
			len += snprintf(prem + len, sizeof prem - (size_t)len, "w%d ", w[k]);
		}
		/* "in": one of the premise's words; "out": any other word of the
		 * same 40, so neither field alone says which */
		do {
			x = x * 1103515245u + 12345u;
			h = in ? w[(x >> 16) % 6] : (int)((x >> 16) % 40);
			for (k = 0; k < 6 && w[k] != h; k++)
				;
		} while (!in && k < 6);
		snprintf(hyp, sizeof hyp, "w%d", h);
		if (i < 500) {
			assert_int_equal(cf_lm_data_add(d, t, NULL, in ? "in" : "out",
			                                &err), 0);
			continue;
		}
		if (i == 500) {
			assert_int_equal(cf_lm_train(&m, d, &o, NULL, &err), 0);
			cf_lm_data_free(&d);
		}
		assert_int_equal(cf_lm_predict(m, t, 2, p), 0);
		right += (p[cf_lm_label_index(m, "in")] > 0.5) == in;
	}
	if (pair) {            /* the flag survives the file */
		cf_lm *l = NULL;

		assert_int_equal(cf_lm_save(m, tmp("pair.cftm"), &err), 0);
		assert_int_equal(cf_lm_load(&l, tmp("pair.cftm"), &err), 0);
		assert_int_equal(cf_lm_options(l)->pair_features, 1);
		cf_lm_free(&l);
	}
	cf_lm_free(&m);
	return right / 200.0;
}

static void test_pair_feature_model(void **state)
{
	double with = pair_task_accuracy(1), without = pair_task_accuracy(0);

	assert_true(with >= 0.95);
	assert_true(without <= 0.8);
}

static void test_field_separation(void **state)
{
	const char *names[2] = { "premise", "hypothesis" };
	uint32_t a[512], b[512];
	size_t na, nb, i;
	cf_lm_opts o;
	cf_lm_data *d = NULL;
	cf_lm *m = NULL;
	cf_error err = { 0 };
	double p[2];
	int k;

	/* the same words as field 0 and field 1: no feature in common */
	na = feats("a man plays the guitar", 0, 1, a);
	nb = feats("a man plays the guitar", 1, 1, b);
	assert_int_equal(na, nb);
	for (i = 0; i < na; i++)
		assert_null(bsearch(&a[i], b, nb, sizeof *b, cmp_u32));

	/* a model can only tell these apart by which field holds "sunny" */
	cf_lm_opts_default(&o);
	o.dev_split = 0;
	o.bucket_bits = 16;
	assert_int_equal(cf_lm_data_new(&d, names, 2, &o, &err), 0);
	for (k = 0; k < 40; k++) {
		const char *x[2] = { "it is sunny today", "it is rainy today" };
		const char *y[2] = { "it is rainy today", "it is sunny today" };

		assert_int_equal(cf_lm_data_add(d, x, NULL, "first", &err), 0);
		assert_int_equal(cf_lm_data_add(d, y, NULL, "second", &err), 0);
	}
	assert_int_equal(cf_lm_data_count(d), 80);
	assert_int_equal(cf_lm_train(&m, d, &o, NULL, &err), 0);
	{
		const char *x[2] = { "sunny", "rainy" }, *y[2] = { "rainy", "sunny" };

		assert_int_equal(cf_lm_predict(m, x, 2, p), 0);
		assert_true(p[0] > 0.9);    /* "first" */
		assert_int_equal(cf_lm_predict(m, y, 2, p), 0);
		assert_true(p[1] > 0.9);    /* "second" */
	}
	cf_lm_free(&m);
	cf_lm_data_free(&d);
}

static void test_bad_training(void **state)
{
	const char *names[1] = { "text" };
	const char *t = "only one label here";
	cf_lm_opts o;
	cf_lm_data *d = NULL;
	cf_lm *m = NULL;
	cf_error err = { 0 };

	cf_lm_opts_default(&o);
	o.bucket_bits = 16;
	assert_int_equal(cf_lm_data_new(&d, names, 1, &o, &err), 0);
	assert_int_equal(cf_lm_data_add(d, &t, NULL, "pos", &err), 0);
	assert_int_equal(cf_lm_data_add(d, &t, NULL, "pos", &err), 0);
	assert_int_equal(cf_lm_train(&m, d, &o, NULL, &err), CF_EDATA);
	assert_non_null(strstr(err.msg, "two labels"));
	assert_null(m);
	cf_lm_data_free(&d);

	o.bucket_bits = 30;
	err.code = 0;
	assert_int_equal(cf_lm_data_new(&d, names, 1, &o, &err), CF_EUSAGE);
	assert_non_null(strstr(err.msg, "bucket bits"));
	assert_null(d);
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/cfaug-teacher-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Groups keep their examples on one side of the dev split: 90 groups of
 * three examples give a dev set of whole groups (a multiple of three),
 * and the report counts the groups; examples without a key count alone. */
static void test_groups_split_whole(void **state)
{
	const char *names[1] = { "text" };
	const char *texts[270], *keys[270], *labels[270];
	char buf[270][48], kb[270][16];
	cf_lm_data *d = NULL;
	cf_lm *m = NULL;
	cf_lm_report rep;
	cf_error err = { 0 };
	cf_lm_opts o;
	size_t i;
	uint64_t seed;

	cf_lm_opts_default(&o);
	o.dev_split = 0.3;
	o.epochs = 3;
	for (seed = 1; seed <= 4; seed++) {
		o.seed = seed;
		assert_int_equal(cf_lm_data_new(&d, names, 1, &o, &err), 0);
		for (i = 0; i < 270; i++) {
			snprintf(buf[i], sizeof buf[i], "%s word%zu film", i % 2 ?
			         "good great" : "bad awful", i % 17);
			snprintf(kb[i], sizeof kb[i], "g%zu", i / 3);
			texts[i] = buf[i];
			keys[i] = kb[i];
			labels[i] = i % 2 ? "pos" : "neg";
		}
		assert_int_equal(cf_lm_data_add_batch(d, 270, texts, NULL, labels, 2,
		                                      &err), 0);
		assert_int_equal(cf_lm_data_set_groups(d, 0, 270, keys, NULL, &err), 0);
		assert_int_equal(cf_lm_train(&m, d, &o, &rep, &err), 0);
		assert_int_equal(rep.ngroups, 90);
		assert_true(rep.ndev > 0 && rep.ndev < 270);
		assert_int_equal(rep.ndev % 3, 0);
		cf_lm_free(&m);
		cf_lm_data_free(&d);
	}
	/* the last 30 without a key: 80 groups + 30 alone */
	assert_int_equal(cf_lm_data_new(&d, names, 1, &o, &err), 0);
	assert_int_equal(cf_lm_data_add_batch(d, 270, texts, NULL, labels, 1,
	                                      &err), 0);
	for (i = 240; i < 270; i++)
		keys[i] = NULL;
	assert_int_equal(cf_lm_data_set_groups(d, 0, 270, keys, NULL, &err), 0);
	assert_int_equal(cf_lm_data_set_groups(d, 260, 20, keys, NULL, &err),
	                 CF_EUSAGE);
	assert_int_equal(cf_lm_train(&m, d, &o, &rep, &err), 0);
	assert_int_equal(rep.ngroups, 80 + 30);
	/* a sound model on separable data is not called degenerate */
	assert_null(cf_lm_report_degenerate(&rep, &o));
	cf_lm_free(&m);
	cf_lm_data_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_split_whole),
		cmocka_unit_test(test_heldout_accuracy),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_batch_add_same_bits),
		cmocka_unit_test(test_threads_same_bits),
		cmocka_unit_test(test_refit),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damaged_files),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_pair_features),
		cmocka_unit_test(test_pair_feature_model),
		cmocka_unit_test(test_field_separation),
		cmocka_unit_test(test_bad_training),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
