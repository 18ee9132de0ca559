/*
 * test_datafile.c - the one data-file search order (pipeline/util/
 * datafile.c): as given, then $CFAUG_PROMPTS / $CFAUG_LEXICONS, then the
 * source tree, then the installed share directory; a miss names every
 * place looked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "datafile.h"

static char tmp[64], envdir[80], old_cwd[PATH_MAX];

static void put(const char *path)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs("x\n", f);
	fclose(f);
}

/* A scratch folder as the working directory, with ./env/ for the env var. */
static int setup(void **st)
{
	(void)st;
	snprintf(tmp, sizeof tmp, "/tmp/cfaug_datafile_XXXXXX");
	if (!mkdtemp(tmp) || !getcwd(old_cwd, sizeof old_cwd) || chdir(tmp))
		return -1;
	snprintf(envdir, sizeof envdir, "%s/env", tmp);
	mkdir(envdir, 0700);
	mkdir("prompts", 0700);
	unsetenv("CFAUG_PROMPTS");
	unsetenv("CFAUG_LEXICONS");
	return 0;
}

static int teardown(void **st)
{
	char cmd[PATH_MAX + 16];

	(void)st;
	if (chdir(old_cwd))
		return -1;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

/* 1 before 2: a file at the path given wins over the env directory. */
static void test_as_given_first(void **st)
{
	char out[PATH_MAX];
	cf_error e = { 0 };

	(void)st;
	put("prompts/sentiment-flip.txt");
	put("env/sentiment-flip.txt");
	setenv("CFAUG_PROMPTS", envdir, 1);
	assert_int_equal(cf_datafile_find(CF_DATA_PROMPTS, "prompts/sentiment-flip.txt",
	                                  CF_DATAFILE_AS_GIVEN, out, sizeof out, &e), 0);
	assert_string_equal(out, "prompts/sentiment-flip.txt");
	/* without step 1 (a pack name), the same name goes to the env dir,
	 * its "prompts/" prefix dropped */
	assert_int_equal(cf_datafile_find(CF_DATA_PROMPTS, "prompts/sentiment-flip.txt",
	                                  0, out, sizeof out, &e), 0);
	assert_string_equal(out + strlen(envdir), "/sentiment-flip.txt");
	assert_memory_equal(out, envdir, strlen(envdir));
}

/* 2 before 3: $CFAUG_LEXICONS shadows the source tree's lexicons/. */
static void test_env_before_source_tree(void **st)
{
	char out[PATH_MAX];
	cf_error e = { 0 };

	(void)st;
	put("env/gender.tsv");
	setenv("CFAUG_LEXICONS", envdir, 1);
	assert_int_equal(cf_datafile_find(CF_DATA_LEXICONS, "gender.tsv", 0,
	                                  out, sizeof out, &e), 0);
	assert_string_equal(out + strlen(envdir), "/gender.tsv");
	unsetenv("CFAUG_LEXICONS");
	assert_int_equal(cf_datafile_find(CF_DATA_LEXICONS, "gender.tsv", 0,
	                                  out, sizeof out, &e), 0);
	assert_string_equal(out, CFAUG_SRCDIR "/lexicons/gender.tsv");
}

/* 3 for prompts too: a shipped prompt is found from any directory. */
static void test_source_tree_prompt(void **st)
{
	char out[PATH_MAX];
	cf_error e = { 0 };

	(void)st;
	assert_int_equal(cf_datafile_find(CF_DATA_PROMPTS, "prompts/paraphrase.txt",
	                                  CF_DATAFILE_AS_GIVEN, out, sizeof out, &e), 0);
	assert_string_equal(out, CFAUG_SRCDIR "/prompts/paraphrase.txt");
	/* a directory is not a data file */
	mkdir("env/dir.tsv", 0700);
	setenv("CFAUG_LEXICONS", envdir, 1);
	assert_int_equal(cf_datafile_find(CF_DATA_LEXICONS, "dir.tsv", 0,
	                                  out, sizeof out, &e), CF_ECONFIG);
	unsetenv("CFAUG_LEXICONS");
}

/* A miss names every place, in order; an absolute name only itself. */
static void test_miss_names_every_place(void **st)
{
	char out[PATH_MAX], want[CF_ERRMSG_MAX];
	cf_error e = { 0 }, e2 = { 0 };

	(void)st;
	setenv("CFAUG_PROMPTS", envdir, 1);
	assert_int_equal(cf_datafile_find(CF_DATA_PROMPTS, "prompts/nope.txt",
	                                  CF_DATAFILE_AS_GIVEN, out, sizeof out, &e),
	                 CF_ECONFIG);
	snprintf(want, sizeof want, "looked in prompts/nope.txt, %s/nope.txt, "
	         CFAUG_SRCDIR "/prompts/nope.txt, " CFAUG_DATADIR "/prompts/nope.txt",
	         envdir);
	assert_string_equal(e.msg, want);
	assert_string_equal(out, "");
	assert_int_equal(cf_datafile_find(CF_DATA_PROMPTS, "/no/such.txt",
	                                  CF_DATAFILE_AS_GIVEN, out, sizeof out, &e2),
	                 CF_ECONFIG);
	assert_string_equal(e2.msg, "looked in /no/such.txt");
	unsetenv("CFAUG_PROMPTS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_as_given_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_before_source_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_tree_prompt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_miss_names_every_place, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
