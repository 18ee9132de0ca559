/*
 * test_llm_parse.c - answers of the llm stage that are not edits (issue
 * 11): an apology or refusal, and an answer that still holds a marker, are
 * rejected with their reason; an edit that merely starts like a refusal
 * ("I can say" -> "I can't say") is kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "llm_parse.h"

static const char *parse(const char *orig, const char *content)
{
	cf_strlist edit = { 0 };
	char *v[1] = { "text" };
	cf_record rec;
	cf_item it;
	json_t *edits = NULL;
	const char *why;

	edit.v = v;
	edit.n = 1;
	memset(&rec, 0, sizeof rec);
	memset(&it, 0, sizeof it);
	rec.fields = json_pack("{s:s}", "text", orig);
	it.rec = &rec;
	{
		cf_llm_parse p = { { "<new>", "</new>" }, 0, NULL, &edit };
		why = cf_llm_parse_answer(&p, &it, content, &edits);
	}
	json_decref(edits);
	json_decref(rec.fields);
	return why;
}

static void test_refusals(void **state)
{
	(void)state;
	assert_string_equal(parse("The movie was great.",
	                          "<new>I'm sorry, but I can't help with that.</new>"), "refusal");
	assert_string_equal(parse("The movie was great.",
	                          "<new>As an AI language model, I cannot rewrite reviews.</new>"),
	                    "refusal");
	assert_string_equal(parse("The movie was great.",
	                          "<new>\"I apologize, this request is not possible.\"</new>"),
	                    "refusal");
	/* edits that open like a refusal */
	assert_null(parse("I can say the movie was great.",
	                  "<new>I can't say the movie was great.</new>"));
	assert_null(parse("I'm sorry I missed this great film.",
	                  "<new>I'm sorry I saw this awful film.</new>"));
	assert_null(parse("The movie was great.", "<new>The movie was awful.</new>"));
}

static void test_markers_left(void **state)
{
	(void)state;
	assert_string_equal(parse("The movie was great.",
	                          "<new>The movie was <new>awful</new>"), "marker_in_answer");
	/* the closing marker inside the edit (a model that nests its answer) */
	assert_string_equal(parse("The movie was great.",
	                          "<new><new>The movie was awful</new></new>"), "marker_in_answer");
	/* a marker the original holds itself is not the model's */
	assert_null(parse("Tags like <new> are fine here.", "<new>Tags like <new> are bad here.</new>"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_markers_left),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
