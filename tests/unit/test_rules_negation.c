/*
 * test_rules_negation.c - the sentiment packs on one string at a time:
 * clause negation (do-support, modals, auxiliaries, removal, polarity
 * items, existential there, fragments, capitals) and the antonym checks
 * (double negation, a/an, names, compounds, idioms, intensity), each a
 * failure class read in the output of the code before (issue 12).
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

static cf_rules *mk(const char *packs, int scope)
{
	cf_rules *r = NULL;
	cf_error err = { 0 };
	char buf[256], *save = NULL, *p;

	assert_int_equal(cf_rules_new(&r, CF_RULES_BOTH, &err), 0);
	assert_int_equal(cf_rules_set_scope(r, scope, &err), 0);
	snprintf(buf, sizeof buf, "%s", packs);
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
		if (cf_rules_add_pack(r, p, &err))
			fail_msg("pack %s: %s", p, err.msg);
	assert_int_equal(cf_rules_compile(r, &err), 0);
	return r;
}

static void expect(const cf_rules *r, const char *in, const char *want)
{
	cf_rules_out o = { 0 };
	int n = cf_rules_apply(r, in, strlen(in), &o, NULL);

	assert_true(n >= 0);
	if (strcmp(o.text, want) != 0)
		fail_msg("in:   %s\nwant: %s\ngot:  %s", in, want, o.text);
	cf_rules_out_free(&o);
}

/* A wh-question's auxiliary stands before its subject: the negation is the
 * contraction in place, never "not" after it or do-support after a modal
 * (stop-hook read of CAD: "why is not it that", "How can they do not
 * make"); the reverse takes it back. "some time ago" is a time, not a
 * quantity: no "any time ago". */
static void test_questions(void **state)
{
	cf_rules *r = mk("negation", 0);

	expect(r, "Why was she late for the show?", "Why wasn't she late for the show?");
	expect(r, "Why is it that bad movies always win?",
	       "Why isn't it that bad movies always win?");
	expect(r, "How can they make such films?", "How can't they make such films?");
	expect(r, "Where were you when the film came out?",
	       "Where weren't you when the film came out?");
	expect(r, "What is this movie about?", "What isn't this movie about?");
	expect(r, "Why wasn't she late for the show?", "Why was she late for the show?");
	/* no usual contraction: the question is left alone */
	expect(r, "Why may they leave?", "Why may they leave?");
	expect(r, "Was he there when it happened?", "Was he there when it happened?");
	expect(r, "Or Will Maya have a surprise for Jared?",
	       "Or Will Maya have a surprise for Jared?");
	expect(r, "Why pay Kevin Spacey to do it?", "Why pay Kevin Spacey to do it?");
	expect(r, "You think you've had it tough?",
	       "You do not think you've had it tough?");
	expect(r, "And London has a Monorail?", "And London does not have a Monorail?");
	expect(r, "So if you had an idea this bad, what then?",
	       "So if you did not have an idea this bad, what then?");
	expect(r, "I know why it is so loved.", "I know why it is not so loved.");
	/* a yes/no question is left alone: a later verb is no predicate to
	 * negate (main: "Has Mr Mamet did not have an ...") */
	expect(r, "Has Mr Mamet had an unfortunate experience?",
	       "Has Mr Mamet had an unfortunate experience?");
	expect(r, "I actually retired from films some time ago.",
	       "I actually did not retire from films some time ago.");
	cf_rules_free(&r);
	(void)state;
}

static void test_do_support(void **state)
{
	cf_rules *r = mk("negation", 0);

	expect(r, "I liked it.", "I did not like it.");
	expect(r, "The man has three dogs with him.",
	       "The man does not have three dogs with him.");
	expect(r, "People stand in the ocean waves.",
	       "People do not stand in the ocean waves.");
	expect(r, "A man plays guitar.", "A man does not play guitar.");
	expect(r, "The girls slept on the floor.", "The girls did not sleep on the floor.");
	expect(r, "A group of people sat around eating dinner.",
	       "A group of people did not sit around eating dinner.");
	expect(r, "A woman dressed in white pants exits the bus.",
	       "A woman dressed in white pants does not exit the bus.");
	expect(r, "Two fishermen sit by the water.", "Two fishermen do not sit by the water.");
	expect(r, "He took it.", "He did not take it.");
	expect(r, "The men put rope across the road.",
	       "The men did not put rope across the road.");
	cf_rules_free(&r);
}

static void test_auxiliaries_and_modals(void **state)
{
	cf_rules *r = mk("negation", 0);

	expect(r, "You may leave.", "You may not leave.");
	expect(r, "He might come.", "He might not come.");
	expect(r, "We must go.", "We must not go.");
	expect(r, "You shall pass.", "You shall not pass.");
	expect(r, "You ought to go.", "You ought not to go.");
	expect(r, "He can swim.", "He cannot swim.");
	expect(r, "The man has left.", "The man has not left.");
	expect(r, "He does like it.", "He does not like it.");
	expect(r, "He's happy.", "He's not happy.");
	expect(r, "A woman stands on a trash can.",
	       "A woman does not stand on a trash can.");   /* can, a noun */
	expect(r, "A MAN IS JUMPING.", "A MAN IS NOT JUMPING.");
	cf_rules_free(&r);
}

static void test_removal(void **state)
{
	cf_rules *r = mk("negation", 0);

	expect(r, "He did not like it.", "He liked it.");
	expect(r, "She doesn't have a car.", "She has a car.");
	expect(r, "They don't stand.", "They stand.");
	expect(r, "It isn't good.", "It is good.");
	expect(r, "I can't wait.", "I can wait.");
	expect(r, "It won't work.", "It will work.");
	expect(r, "Isn't it good?", "Is it good?");
	expect(r, "Nobody is here.", "Somebody is here.");
	expect(r, "A man has no shirt.", "A man has a shirt.");
	expect(r, "There is no adult.", "There is an adult.");
	expect(r, "No, he is here.", "No, he is not here.");   /* an answer */
	expect(r, "It isn\xe2\x80\x99t good.", "It is good.");
	/* a dropped sentence-initial word gives its capital to the next */
	expect(r, "Never again.", "Again.");
	expect(r, "Not good at all.", "Good at all.");
	cf_rules_free(&r);
}

static void test_polarity_and_double_negation(void **state)
{
	cf_rules *r = mk("negation", 0);

	expect(r, "A man is holding something.", "A man is not holding anything.");
	expect(r, "The man has already left.", "The man has not yet left.");
	expect(r, "I liked it too.", "I did not like it either.");
	expect(r, "I didn't like it either.", "I liked it too.");
	expect(r, "He doesn't have any money.", "He has some money.");
	expect(r, "There are some good elements.", "There are no good elements.");
	expect(r, "There are people indoors.", "There are no people indoors.");
	expect(r, "There is a man walking.", "There is no man walking.");
	/* never a second negation: the one there is removed */
	expect(r, "None of the parts are good.", "Some of the parts are good.");
	expect(r, "No one is watching.", "Someone is watching.");
	cf_rules_free(&r);
}

static void test_fragments(void **state)
{
	cf_rules *r = mk("negation", 0);

	expect(r, "A dog eating food.", "A dog not eating food.");
	expect(r, "A tall person with a scarf", "A tall person without a scarf");
	expect(r, "two girls in a room", "two girls not in a room");
	/* one toggle per sentence */
	expect(r, "He sleeps. She is awake.", "He does not sleep. She is not awake.");
	cf_rules_free(&r);
}

static void test_sentiment_checks(void **state)
{
	cf_rules *r = mk("negation,antonyms", 3);

	/* no double negation, and the governed word stays */
	expect(r, "Alas, none of the many parts are even good.",
	       "Alas, none of the many parts are even good.");
	/* "and" starts a new clause only before a subject */
	expect(r, "I don't think it is good.", "I don't think it is good.");
	expect(r, "I don't sit and think it is good.", "I don't sit and think it is good.");
	expect(r, "The plot isn't bad and the ending is awful.",
	       "The plot is bad and the ending is not awful.");
	/* polarity item after an added not */
	expect(r, "There are some good elements here.",
	       "There are not any good elements here.");
	/* no "not" before an adverb that does not take one: the swap instead */
	expect(r, "It was somewhat funny.", "It was somewhat unfunny.");
	expect(r, "Is it good?", "Is it bad?");
	/* capital kept when a sentence-initial Not is dropped */
	expect(r, "Not good! The cast is great.", "Good! The cast is not great.");
	/* a/an repaired */
	expect(r, "It makes a beautiful artistic act.", "It makes an ugly artistic act.");
	expect(r, "An exciting film.", "A dull film.");
	expect(r, "An interesting plot.", "An uninteresting plot.");
	/* compounds, names, idioms */
	expect(r, "My least-favorite Chaney picture.", "My least-favorite Chaney picture.");
	expect(r, "An actor called Best was in it, a good one.",
	       "An actor called Best was in it, a bad one.");
	expect(r, "It is, for lack of a better word, quite dull.",
	       "It is, for lack of a better word, quite exciting.");
	expect(r, "I fell in love with it.", "I fell in love with it.");
	expect(r, "Too bad that his career never gelled.",
	       "Too bad that his career never gelled.");
	/* part of speech: a verb entry used as a noun, an -ing adjective used
	 * as a verb with an object */
	expect(r, "Their love was real; I love it.", "Their love was real; I hate it.");
	expect(r, "After engaging the crowd, a good show.",
	       "After engaging the crowd, a bad show.");
	/* intensity and the new evaluative words */
	expect(r, "A great cast, a good plot.", "A terrible cast, a bad plot.");
	expect(r, "A talented actor with poor lines, foolishly cast.",
	       "An untalented actor with good lines, wisely cast.");
	cf_rules_free(&r);
}

/* [negation, antonyms] without a scope: the clause the negation pack
 * toggled gets no antonym swap, so it is flipped once, not twice. */
static void test_one_flip_per_clause(void **state)
{
	cf_rules *r = mk("negation,antonyms", 0);
	cf_rules_out o = { 0 };
	uint64_t amb[CF_AMB_COUNT] = { 0 };
	const char *t = "It brought me back to the best time.";

	(void)state;
	expect(r, t, "It did not bring me back to the best time.");
	expect(r, "It is not good.", "It is good.");
	/* another clause of the sentence is swapped */
	expect(r, "The acting was great, and the plot was good.",
	       "The acting was not great, and the plot was bad.");
	assert_true(cf_rules_apply(r, t, strlen(t), &o, amb) >= 0);
	assert_int_equal(amb[CF_SKIP_NEG_CLAUSE], 1);
	cf_rules_out_free(&o);
	cf_rules_free(&r);
}

/* Uses of a pack word that are not an evaluation (antonym-contexts.tsv,
 * from the uses CAD's human editors kept), a character's feeling in the
 * plot, and the words the editors rarely changed. */
static void test_wrong_sense(void **state)
{
	cf_rules *r = mk("antonyms", 0), *s = mk("negation,antonyms", 3);
	cf_rules_out o = { 0 };
	uint64_t amb[CF_AMB_COUNT] = { 0 };
	const char *t = "A great number of it, my great grandfathers, a great film.";

	(void)state;
	expect(r, t, "A great number of it, my great grandfathers, a terrible film.");
	expect(r, "The poor girl had a poor script.",
	       "The poor girl had a good script.");
	expect(r, "The bad guy was bad.", "The bad guy was good.");
	expect(r, "Ugly weather, an ugly set.", "Ugly weather, a beautiful set.");
	expect(r, "It is a love story I love.", "It is a love story I hate.");
	expect(r, "He hates his father, and I loved it.",
	       "He hates his father, and I hated it.");
	expect(r, "Loved it! The kids will love it.", "Hated it! The kids will love it.");
	expect(r, "Love it, love it.", "Hate it, hate it.");
	expect(r, "A happy ending, a memorable cast, my favorite.",
	       "A happy ending, a memorable cast, my favorite.");
	/* a sentence adverb flips only with the clause it judges */
	expect(r, "Unfortunately, her role required no words.",
	       "Unfortunately, her role required no words.");
	expect(r, "Unfortunately, the acting is bad.", "Fortunately, the acting is good.");
	/* the scoped negation adds no "not" for a word left alone */
	expect(s, "He is a poor man.", "He is a poor man.");
	/* a capitalised modal mid-sentence is a name: no "not" after it */
	expect(s, "Dame May Witty is great.", "Dame May Witty is not great.");
	assert_true(cf_rules_apply(r, t, strlen(t), &o, amb) >= 0);
	assert_int_equal(amb[CF_SKIP_SENSE], 2);
	cf_rules_out_free(&o);
	cf_rules_free(&r);
	cf_rules_free(&s);
}

static void test_decisions_counted(void **state)
{
	cf_rules *r = mk("negation,antonyms", 3), *n = mk("negation", 0);
	cf_rules_out o = { 0 };
	uint64_t amb[CF_AMB_COUNT] = { 0 };
	const char *t = "I fell in love. An actor called Best. A bad-tempered man. "
	                "None of it is good.";

	assert_true(cf_rules_apply(r, t, strlen(t), &o, amb) >= 0);
	assert_int_equal(amb[CF_SKIP_IDIOM], 1);
	assert_int_equal(amb[CF_SKIP_CAPITAL], 1);
	assert_int_equal(amb[CF_SKIP_COMPOUND], 1);
	assert_int_equal(amb[CF_SKIP_DOUBLE_NEG], 1);
	memset(amb, 0, sizeof amb);
	t = "Their love. Boring the audience.";
	assert_true(cf_rules_apply(r, t, strlen(t), &o, amb) >= 0);
	assert_int_equal(amb[CF_SKIP_POS], 2);
	memset(amb, 0, sizeof amb);
	t = "I liked it. He is here. He isn't. A dog with a ball";
	assert_true(cf_rules_apply(n, t, strlen(t), &o, amb) >= 0);
	assert_int_equal(amb[CF_NEG_DO], 1);
	assert_int_equal(amb[CF_NEG_AUX], 1);
	assert_int_equal(amb[CF_NEG_REMOVE], 1);
	assert_int_equal(amb[CF_NEG_FRAGMENT], 1);
	cf_rules_out_free(&o);
	cf_rules_free(&r);
	cf_rules_free(&n);
}

/* antonym-contexts.tsv: a bad line is a config error with its location */
static void test_sense_file_errors(void **state)
{
	char path[] = "/tmp/cfaug_sense_XXXXXX";
	int fd = mkstemp(path);
	cf_rules_sense *sn = NULL;
	cf_error err = { 0 };
	const char *txt = "# comment\ngreat\tnext\tdeal,number\npoor\tbefore\tgirl\n";

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, txt, strlen(txt)), (ssize_t)strlen(txt));
	close(fd);
	assert_int_equal(cf_rules_sense_load(&sn, path, &err), CF_ECONFIG);
	assert_non_null(strstr(err.msg, ":3:"));
	assert_null(sn);
	unlink(path);
	/* a missing file is an empty list (an older lexicon directory) */
	assert_int_equal(cf_rules_sense_load(&sn, path, &err), 0);
	assert_int_equal(cf_rules_sense_blocked(sn, "a great deal", 12, 2, 7), 0);
	cf_rules_sense_free(sn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_do_support),
		cmocka_unit_test(test_questions),
		cmocka_unit_test(test_auxiliaries_and_modals),
		cmocka_unit_test(test_removal),
		cmocka_unit_test(test_polarity_and_double_negation),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_sentiment_checks),
		cmocka_unit_test(test_decisions_counted),
		cmocka_unit_test(test_one_flip_per_clause),
		cmocka_unit_test(test_wrong_sense),
		cmocka_unit_test(test_sense_file_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
