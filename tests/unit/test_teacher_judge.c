/*
 * test_teacher_judge.c - reading remote judges' answers into probability
 * vectors (pipeline/judge/teacher_judge.c): TEI single and pair answers, vLLM
 * class indices, label maps and unknown labels, logprob mass on label
 * prefixes, JSON and bare label answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "teacher_judge.h"

static char *lv[] = { "negative", "positive" };
static const cf_strlist L = { lv, 2 };
static char *mk[] = { "LABEL_0", "LABEL_1" }, *mv[] = { "negative", "positive" };
static const cf_strmap M = { mk, mv, 2 };
static char *ik[] = { "0", "LABEL_1" };
static const cf_strmap IM = { ik, mv, 2 };
static const char *names[] = { "negative", "positive" };

#define RD(fn, jl, s) fn(jl, s, strlen(s), p, why, sizeof why)

static void test_tei(void **st)
{
	cf_judge_labels jl = { &L, &M }, plain = { &L, NULL };
	double p[2];
	char why[200];

	(void)st;
	assert_int_equal(RD(cf_judge_read_tei, &jl, "[{\"label\":\"LABEL_1\",\"score\":0.75},"
	                    "{\"label\":\"LABEL_0\",\"score\":0.25}]"), 0);
	assert_true(p[0] == 0.25 && p[1] == 0.75);
	/* a pair answers as a batch of one; scores are renormalised */
	assert_int_equal(RD(cf_judge_read_tei, &plain, "[[{\"label\":\"positive\",\"score\":0.3},"
	                    "{\"label\":\"negative\",\"score\":0.1}]]"), 0);
	assert_true(p[0] > 0.2499 && p[0] < 0.2501);
	/* a label no map knows is an error, not a crash */
	assert_int_equal(RD(cf_judge_read_tei, &jl, "[{\"label\":\"LABEL_7\",\"score\":1}]"), -1);
	assert_non_null(strstr(why, "LABEL_7"));
	assert_int_equal(RD(cf_judge_read_tei, &jl, "{\"error\":\"x\"}"), -1);
	assert_int_equal(RD(cf_judge_read_tei, &jl, "[{\"label\":\"LABEL_0\",\"score\":0}]"), -1);
	assert_int_equal(RD(cf_judge_read_tei, &jl, "[{\"label\":"), -1);
}

static void test_vllm(void **st)
{
	cf_judge_labels jl = { &L, &IM };
	double p[2];
	char why[200];

	(void)st;
	assert_int_equal(RD(cf_judge_read_vllm, &jl, "{\"data\":[{\"index\":0,"
	                    "\"probs\":[0.9,0.1],\"label\":\"x\"}]}"), 0);
	assert_true(p[0] == 0.9 && p[1] == 0.1);
	assert_int_equal(RD(cf_judge_read_vllm, &jl, "{\"data\":[{\"probs\":[0.2,0.3,0.5]}]}"), -1);
	assert_non_null(strstr(why, "class 2"));
	assert_int_equal(RD(cf_judge_read_vllm, &jl, "{\"data\":[]}"), -1);
}

static void test_logprobs(void **st)
{
	double p[2];
	char why[200];
	json_t *ch = json_loads("{\"message\":{\"content\":\"positive\"},\"logprobs\":"
	        "{\"content\":[{\"token\":\"pos\",\"logprob\":-0.5,\"top_logprobs\":["
	        "{\"token\":\"pos\",\"logprob\":-0.5},{\"token\":\" Neg\",\"logprob\":-1.5},"
	        "{\"token\":\"The\",\"logprob\":-3}]}]}}", 0, NULL);
	json_t *none = json_loads("{\"message\":{\"content\":\"positive\"}}", 0, NULL);
	json_t *off = json_loads("{\"logprobs\":{\"content\":[{\"token\":\"The\","
	        "\"logprob\":0,\"top_logprobs\":[]}]}}", 0, NULL);
	double e1 = 0.6065306597, e2 = 0.2231301601;

	(void)st;
	assert_int_equal(cf_judge_read_logprobs(names, 2, ch, p, why, sizeof why), 0);
	assert_true(p[1] > e1 / (e1 + e2) - 1e-6 && p[1] < e1 / (e1 + e2) + 1e-6);
	assert_int_equal(cf_judge_read_logprobs(names, 2, none, p, why, sizeof why), 1);
	assert_int_equal(cf_judge_read_logprobs(names, 2, off, p, why, sizeof why), -1);
	json_decref(ch);
	json_decref(none);
	json_decref(off);
}

static void test_label_answer(void **st)
{
	double p[2];
	char why[200];

	(void)st;
	assert_int_equal(cf_judge_read_label_answer(names, 2, "```json\n{\"label\": "
	                 "\"Negative\"}\n```", p, why, sizeof why), 0);
	assert_true(p[0] == 1 && p[1] == 0);
	assert_int_equal(cf_judge_read_label_answer(names, 2, " positive.\n", p, why,
	                 sizeof why), 0);
	assert_true(p[1] == 1);
	assert_int_equal(cf_judge_read_label_answer(names, 2, "{\"label\": \"maybe\"}",
	                 p, why, sizeof why), -1);
	assert_non_null(strstr(why, "maybe"));
	assert_int_equal(cf_judge_read_label_answer(names, 2, NULL, p, why, sizeof why), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tei),
		cmocka_unit_test(test_vllm),
		cmocka_unit_test(test_logprobs),
		cmocka_unit_test(test_label_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
