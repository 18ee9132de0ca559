/*
 * test_options_sub.c - sub-tables (CF_OPT_MAP with a shorthand,
 * CF_OPT_MAPLIST), CF_OPT_RANGE, list counts and CF_OPT_NONEMPTY: values,
 * defaults of an absent map, the nodes kept for later messages, and the
 * exact located messages generated from the tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cfaug/conf.h"

typedef struct parse_t {
	const cf_node *at;
	int mode;
	cf_strlist between;
	char *field;
} parse_t;

typedef struct pat_t {
	const cf_node *at;
	char *match, *replace, *name;
} pat_t;

typedef struct st {
	parse_t parse;
	cf_maplist pats;
	cf_range band;
	cf_nodelist items;
} st;

static const char *const modes[] = { "text", "json", NULL };

static const cf_option parse_tab[] = {
	{ .key = "mode", .type = CF_OPT_ENUM, .offset = offsetof(parse_t, mode),
	  .def = "text", .choices = modes },
	{ .key = "between", .type = CF_OPT_STRLIST,
	  .offset = offsetof(parse_t, between), .flags = CF_OPT_NONEMPTY,
	  .min = 2, .max = 2 },
	{ .key = "field", .type = CF_OPT_STRING, .offset = offsetof(parse_t, field),
	  .flags = CF_OPT_NONEMPTY },
	{ .key = NULL }
};

static const cf_option pat_tab[] = {
	{ .key = "match", .type = CF_OPT_STRING, .offset = offsetof(pat_t, match),
	  .flags = CF_OPT_REQUIRED | CF_OPT_NONEMPTY },
	{ .key = "replace", .type = CF_OPT_STRING,
	  .offset = offsetof(pat_t, replace), .flags = CF_OPT_REQUIRED,
	  .help = "'' deletes" },
	{ .key = "name", .type = CF_OPT_STRING, .offset = offsetof(pat_t, name),
	  .def = "anon" },
	{ .key = NULL }
};

static const cf_option table[] = {
	{ .key = "parse", .type = CF_OPT_MAP, .offset = offsetof(st, parse),
	  .sub = parse_tab, .shorthand = "mode" },
	{ .key = "patterns", .type = CF_OPT_MAPLIST, .offset = offsetof(st, pats),
	  .sub = pat_tab, .size = sizeof(pat_t), .max = 3 },
	{ .key = "band", .type = CF_OPT_RANGE, .offset = offsetof(st, band),
	  .min = 0, .max = 1 },
	{ .key = "items", .type = CF_OPT_NODELIST, .offset = offsetof(st, items),
	  .min = 1, .max = 2 },
	{ .key = NULL }
};

static cf_conf *conf;

static int teardown(void **s)
{
	(void)s;
	cf_conf_free(&conf);
	return 0;
}

static int run(const char *yaml, st *out, cf_error *err)
{
	memset(out, 0, sizeof *out);
	memset(err, 0, sizeof *err);
	cf_conf_free(&conf);
	assert_int_equal(cf_conf_load_buffer(&conf, "t.yaml", yaml, strlen(yaml),
	                                     err), 0);
	return cf_options_load(table, out, cf_node_get(conf->root, "s"),
	                       "t.yaml", NULL, err);
}

static void bad(const char *yaml, const char *msg)
{
	st s;
	cf_error err;

	assert_int_equal(run(yaml, &s, &err), CF_ECONFIG);
	assert_string_equal(err.msg, msg);
	/* what was stored before the mistake is freed again */
	assert_null(s.parse.between.v);
	assert_null(s.pats.v);
	assert_int_equal(s.pats.n, 0);
	cf_options_free(table, &s);
}

static void test_map(void **u)
{
	st s;
	cf_error err;

	(void)u;
	assert_int_equal(run("s:\n  parse: {mode: json, between: [\"<a>\", "
	                     "\"</a>\"], field: out}\n", &s, &err), 0);
	assert_int_equal(s.parse.mode, 1);
	assert_int_equal(s.parse.between.n, 2);
	assert_string_equal(s.parse.between.v[1], "</a>");
	assert_string_equal(s.parse.field, "out");
	assert_non_null(s.parse.at);
	assert_int_equal(s.parse.at->line, 2);
	assert_int_equal(cf_node_get(s.parse.at, "field")->col, 56);
	cf_options_free(table, &s);
	assert_null(s.parse.at);
	assert_null(s.parse.field);
	assert_null(s.parse.between.v);

	/* a scalar is the shorthand key; the rest get their defaults */
	assert_int_equal(run("s:\n  parse: json\n", &s, &err), 0);
	assert_int_equal(s.parse.mode, 1);
	assert_int_equal(s.parse.between.n, 0);
	assert_non_null(s.parse.at);
	cf_options_free(table, &s);

	/* absent (or null): the defaults, and no node */
	assert_int_equal(run("s:\n  band: [0.1, 0.2]\n", &s, &err), 0);
	assert_null(s.parse.at);
	assert_int_equal(s.parse.mode, 0);
	cf_options_free(table, &s);
	assert_int_equal(run("s:\n  parse:\n", &s, &err), 0);
	assert_null(s.parse.at);
	cf_options_free(table, &s);

	bad("s:\n  parse: {mode: json, x: 1}\n",
	    "t.yaml:2:23: unknown key 'x' in s.parse (mode, between, field)");
	bad("s:\n  parse: {mod: json}\n",
	    "t.yaml:2:11: unknown key 'mod' in s.parse (did you mean 'mode'?)");
	bad("s:\n  parse: yaml\n",
	    "t.yaml:2:10: 'parse' must be one of text, json; got 'yaml'");
	bad("s:\n  parse: [a]\n",
	    "t.yaml:2:10: 'parse' must be a mapping (mode, between, field) or its "
	    "mode, got a sequence");
	bad("s:\n  parse: {between: [a]}\n",
	    "t.yaml:2:20: 'between' must be a list of 2 strings, got 1");
	bad("s:\n  parse: {between: [a, '']}\n",
	    "t.yaml:2:24: items of 'between' must not be empty");
	bad("s:\n  parse: {field: ''}\n",
	    "t.yaml:2:18: 'field' must not be empty");
}

static void test_maplist(void **u)
{
	st s;
	cf_error err;
	const pat_t *p;

	(void)u;
	assert_int_equal(run("s:\n  patterns:\n    - {match: a, replace: b}\n"
	                     "    - {match: c, replace: '', name: del}\n",
	                     &s, &err), 0);
	assert_int_equal(s.pats.n, 2);
	p = CF_MAPLIST_AT(&s.pats, pat_t, 0);
	assert_string_equal(p->match, "a");
	assert_string_equal(p->name, "anon");
	assert_int_equal(p->at->line, 3);
	p = CF_MAPLIST_AT(&s.pats, pat_t, 1);
	assert_string_equal(p->replace, "");
	assert_string_equal(p->name, "del");
	assert_int_equal(cf_node_get(p->at, "name")->line, 4);
	cf_options_free(table, &s);
	assert_null(s.pats.v);

	bad("s:\n  patterns: [{match: a, replace: b, foo: 1}]\n",
	    "t.yaml:2:37: unknown key 'foo' in s.patterns.0 (match, replace, name)");
	bad("s:\n  patterns: [{match: a, replace: b}, {match: a}]\n",
	    "t.yaml:2:38: missing required key 'replace' in s.patterns.1 "
	    "('' deletes)");
	bad("s:\n  patterns: [{match: '', replace: b}]\n",
	    "t.yaml:2:22: 'match' must not be empty");
	bad("s:\n  patterns: [{match: a, replace: b}, x]\n",
	    "t.yaml:2:38: items of 'patterns' must be mappings (match, replace, "
	    "name), got 'x'");
	bad("s:\n  patterns: {match: a}\n",
	    "t.yaml:2:13: 'patterns' must be a list of mappings (match, replace, "
	    "name), got a mapping");
	bad("s:\n  patterns: [{match: a, replace: b}, {match: a, replace: b}, "
	    "{match: a, replace: b}, {match: a, replace: b}]\n",
	    "t.yaml:2:13: 'patterns' must be a list of 0 to 3 mappings, got 4");
}

static void test_range(void **u)
{
	st s;
	cf_error err;

	(void)u;
	assert_int_equal(run("s:\n  band: [0.25, 0.75]\n", &s, &err), 0);
	assert_int_equal(s.band.set, 1);
	assert_true(s.band.lo == 0.25 && s.band.hi == 0.75);
	cf_options_free(table, &s);
	assert_int_equal(run("s:\n  parse: text\n", &s, &err), 0);
	assert_int_equal(s.band.set, 0);
	cf_options_free(table, &s);
	bad("s:\n  band: [0.5, 2]\n",
	    "t.yaml:2:9: 'band' must be [lo, hi] with 0 <= lo <= hi <= 1");
	bad("s:\n  band: [0.6, 0.5]\n",
	    "t.yaml:2:9: 'band' must be [lo, hi] with 0 <= lo <= hi <= 1");
	bad("s:\n  band: [0.5]\n",
	    "t.yaml:2:9: 'band' must be [lo, hi] with 0 <= lo <= hi <= 1");
}

static void test_nodelist(void **u)
{
	st s;
	cf_error err;

	(void)u;
	assert_int_equal(run("s:\n  items: [{kind: a}, x]\n", &s, &err), 0);
	assert_int_equal(s.items.n, 2);
	assert_int_equal(s.items.v[0]->type, CF_NODE_MAP);
	assert_string_equal(s.items.v[1]->str, "x");
	assert_int_equal(s.items.at->line, 2);
	cf_options_free(table, &s);
	assert_null(s.items.at);
	assert_int_equal(run("s:\n  band: [0, 1]\n", &s, &err), 0);
	assert_null(s.items.at);
	assert_int_equal(s.items.n, 0);
	cf_options_free(table, &s);
	bad("s:\n  items: []\n",
	    "t.yaml:2:10: 'items' must be a list of 1 to 2 items, got 0");
	bad("s:\n  items: [a, b, c]\n",
	    "t.yaml:2:10: 'items' must be a list of 1 to 2 items, got 3");
	bad("s:\n  items: {a: b}\n",
	    "t.yaml:2:10: 'items' must be a list, got a mapping");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_map, teardown),
		cmocka_unit_test_teardown(test_maplist, teardown),
		cmocka_unit_test_teardown(test_range, teardown),
		cmocka_unit_test_teardown(test_nodelist, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
