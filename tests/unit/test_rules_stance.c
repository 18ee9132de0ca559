/*
 * test_rules_stance.c - full_flip's check (rules_stance.c) on one text at
 * a time, with the project's lexicons: what a flipped review may not keep
 * of its source label's stance (a stance word, a negated word of the
 * target's, a rating, an evaluative sentence with no edit), and the uses
 * that do not count (negated, an idiom, a plot sentence); bad list files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "../../stages/rules/rules.h"

#define LEX "lexicons/"

static cf_rules_stance *load(void)
{
	cf_rules_stance *s = NULL;
	cf_error err = { 0 };

	if (cf_rules_stance_load(&s, LEX "antonym-stance.tsv", LEX "antonym-contexts.tsv",
	                         LEX "idioms.txt", LEX "antonym-stance-sentences.tsv", &err))
		fail_msg("load: %s", err.msg);
	return s;
}

/* The stance of side (0 positive, 1 negative) left in text, every sentence
 * counted as edited (so only the word checks speak); "" if none. */
static const char *word_left(const cf_rules_stance *s, int side, const char *text)
{
	static char buf[128];
	cf_rules_edit all = { 0, strlen(text), 0, strlen(text), 0, -1 };
	size_t ls, le;
	int k = cf_rules_stance_left(s, side, text, strlen(text), &all, 1, &ls, &le);

	assert_true(k == 0 || k == 1);
	snprintf(buf, sizeof buf, "%.*s", k ? (int)(le - ls) : 0, text + (k ? ls : 0));
	return buf;
}

static void test_words(void **st)
{
	cf_rules_stance *s = load();

	(void)st;
	/* a source stance word no rule flipped */
	assert_string_equal(word_left(s, 0, "A terrible film, and so much fun."), "fun");
	assert_string_equal(word_left(s, 1, "A great film, but a waste of time."), "waste");
	/* negated: the target's stance now */
	assert_string_equal(word_left(s, 0, "A terrible film, and not fun at all."), "");
	/* a negated word of the target label keeps the source stance */
	assert_string_equal(word_left(s, 0, "The plot is not boring."), "boring");
	assert_string_equal(word_left(s, 1, "The jokes were never funny."), "funny");
	/* a negation does not reach past a comma or "but" */
	assert_string_equal(word_left(s, 0, "It was not great, but fun."), "fun");
	/* ratings on the source side, in three spellings */
	assert_string_equal(word_left(s, 0, "A terrible film. 9/10"), "9/10");
	assert_string_equal(word_left(s, 0, "Terrible. 8 out of 10"), "8 out of 10");
	assert_string_equal(word_left(s, 1, "Great. 2 of 10."), "2 of 10");
	assert_string_equal(word_left(s, 0, "Terrible. 2/10"), "");
	assert_string_equal(word_left(s, 0, "Terrible. 5/10"), "");
	/* not an evaluation: an idiom, the bad guy, a character's feeling */
	assert_string_equal(word_left(s, 1, "Too bad it ends so soon."), "");
	assert_string_equal(word_left(s, 1, "The bad guy is great."), "");
	assert_string_equal(word_left(s, 0, "She loved her dog; the film is awful."), "");
	assert_string_equal(word_left(s, 0, "I loved her dog; the film is awful."), "loved");
	cf_rules_stance_free(s);
}

static void test_sentences(void **st)
{
	cf_rules_stance *s = load();
	const char *t = "The acting is terrible. I will watch it again and again.";
	const char *plot = "The acting is terrible. The film is set in Paris in 1920.";
	cf_rules_edit first = { 14, 5, 14, 8, 0, -1 };   /* "terrible" */
	size_t ls, le;

	(void)st;
	assert_int_equal(cf_rules_stance_left(s, 0, t, strlen(t), &first, 1, &ls, &le), 2);
	assert_string_equal(t + ls, "I will watch it again and again.");
	assert_int_equal(le, strlen(t));
	assert_int_equal(cf_rules_stance_left(s, 0, plot, strlen(plot), &first, 1, &ls, &le), 0);
	/* with an edit in it, the sentence counts as flipped */
	cf_rules_edit both[2] = { first, { 30, 4, 30, 4, 0, -1 } };
	assert_int_equal(cf_rules_stance_left(s, 0, t, strlen(t), both, 2, &ls, &le), 0);
	cf_rules_stance_free(s);
}

static void test_bad_files(void **st)
{
	cf_rules_stance *s = NULL;
	cf_error err = { 0 };
	char path[] = "/tmp/cfaug_stance_XXXXXX";
	int fd = mkstemp(path);

	(void)st;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "good\tpositive\nbad\tsideways\n", 27), 27);
	close(fd);
	assert_int_equal(cf_rules_stance_load(&s, path, LEX "antonym-contexts.tsv",
	                                      LEX "idioms.txt",
	                                      LEX "antonym-stance-sentences.tsv", &err),
	                 CF_ECONFIG);
	assert_null(s);
	assert_non_null(strstr(err.msg, ":2: "));
	err = (cf_error){ 0 };
	assert_int_equal(cf_rules_stance_load(&s, LEX "antonym-stance.tsv",
	                                      LEX "antonym-contexts.tsv", LEX "idioms.txt",
	                                      "/nonexistent/model.tsv", &err), CF_EIO);
	assert_null(s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_sentences),
		cmocka_unit_test(test_bad_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
