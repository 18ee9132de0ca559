/*
 * test_stage_table.c - the core takes its stage table from the caller
 * (cf_run_opts.kinds): a type is looked up in that table only, and an
 * unknown one is named with the table's kinds.  pipeline/ does not link
 * stages/ (tests/cli/test_layers.sh checks the symbols).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "cfaug/conf.h"
#include "runner.h"

extern const cf_stage_kind cf_stage_passthrough;
extern const cf_stage_kind cf_stage_case;

static const char yaml[] =
	"input: {path: examples/data/reviews.jsonl, text_fields: [text]}\n"
	"output: {dir: /tmp/cfaug_stage_table_never_written}\n"
	"stages:\n"
	"  - type: case\n";

static int build(const cf_stage_kind *const *kinds, cf_error *err)
{
	cf_conf *conf = NULL;
	cf_pipeline *p = NULL;
	cf_run_opts o = { .quiet = 1, .kinds = kinds };
	int rc = cf_conf_load_buffer(&conf, "t.yaml", yaml, strlen(yaml), err);

	if (rc == 0)
		rc = cf_pipeline_new_opts(&p, conf, &o, err);
	cf_pipeline_free(&p);
	cf_conf_free(&conf);
	return rc;
}

static void test_type_found_in_given_table(void **st)
{
	static const cf_stage_kind *const both[] = { &cf_stage_passthrough,
	                                             &cf_stage_case, NULL };
	cf_error err = { 0 };

	(void)st;
	assert_int_equal(build(both, &err), 0);
}

static void test_type_outside_given_table(void **st)
{
	static const cf_stage_kind *const one[] = { &cf_stage_passthrough, NULL };
	cf_error err = { 0 };

	(void)st;
	assert_int_equal(build(one, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "t.yaml:4:11: unknown stage type 'case' "
	                    "(known: passthrough)");
}

static void test_no_table_is_a_bug(void **st)
{
	cf_error err = { 0 };

	(void)st;
	assert_int_equal(build(NULL, &err), CF_EINTERNAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_found_in_given_table),
		cmocka_unit_test(test_type_outside_given_table),
		cmocka_unit_test(test_no_table_is_a_bug),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
