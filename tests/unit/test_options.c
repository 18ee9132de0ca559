/*
 * test_options.c - option tables: every type good and bad, defaults,
 * required keys, ranges, skip lists, and the exact located messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <cmocka.h>
#include "cfaug/conf.h"

typedef struct st {
	char *path;
	char *name;
	long n;
	double p;
	int flag;
	int mode;
	int on_error;
	cf_strlist fields;
	cf_strmap map;
	const cf_node *raw;
	char *upper;
} st;

static const char *const modes[] = { "augment", "substitute", NULL };
static const char *const on_errors[] = { "skip", "fail", NULL };

/* CUSTOM: a scalar made upper-case; "bad" is refused with a message. */
static int set_upper(void *state, const cf_node *n, const char *file,
                     cf_error *err)
{
	st *s = state;
	size_t i;

	if (n->type != CF_NODE_SCALAR || strcmp(n->str, "bad") == 0)
		return cf_conf_error(err, file, n, "'upper' cannot be that");
	free(s->upper);
	if (!(s->upper = strdup(n->str)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (i = 0; s->upper[i]; i++)
		s->upper[i] = (char)toupper((unsigned char)s->upper[i]);
	return 0;
}

static void release_upper(void *state)
{
	st *s = state;
	free(s->upper);
	s->upper = NULL;
}

#define OFF(f) offsetof(st, f)
static const cf_option table[] = {
	{ .key = "path", .type = CF_OPT_STRING, .offset = OFF(path),
	  .flags = CF_OPT_REQUIRED },
	{ .key = "name", .type = CF_OPT_STRING, .offset = OFF(name), .def = "anon" },
	{ .key = "n", .type = CF_OPT_INT, .offset = OFF(n), .def = "5",
	  .min = 1, .max = 10 },
	{ .key = "p", .type = CF_OPT_DOUBLE, .offset = OFF(p), .def = "0.5",
	  .min = 0, .max = 1 },
	{ .key = "flag", .type = CF_OPT_BOOL, .offset = OFF(flag), .def = "no" },
	{ .key = "mode", .type = CF_OPT_ENUM, .offset = OFF(mode),
	  .def = "augment", .choices = modes },
	{ .key = "on_error", .type = CF_OPT_ENUM, .offset = OFF(on_error),
	  .def = "fail", .choices = on_errors },
	{ .key = "fields", .type = CF_OPT_STRLIST, .offset = OFF(fields),
	  .def = "text" },
	{ .key = "map", .type = CF_OPT_STRMAP, .offset = OFF(map) },
	{ .key = "raw", .type = CF_OPT_NODE, .offset = OFF(raw) },
	{ .key = "upper", .type = CF_OPT_CUSTOM, .offset = OFF(upper),
	  .set = set_upper, .release = release_upper },
	{ .key = NULL }
};

/* Unbounded numbers: min == max means no range check. */
static const cf_option free_table[] = {
	{ .key = "n", .type = CF_OPT_INT, .offset = OFF(n) },
	{ .key = "p", .type = CF_OPT_DOUBLE, .offset = OFF(p) },
	{ .key = NULL }
};

static cf_conf *conf;

static int teardown(void **s)
{
	(void)s;
	cf_conf_free(&conf);
	return 0;
}

/* Parse yaml and load table from the mapping at key "input" (or the root
 * when key is NULL) into *out. */
static int run(const cf_option *tab, const char *yaml, const char *key,
               const char *const *skip, st *out, cf_error *err)
{
	const cf_node *m;

	memset(out, 0, sizeof *out);
	memset(err, 0, sizeof *err);
	cf_conf_free(&conf);
	assert_int_equal(cf_conf_load_buffer(&conf, "t.yaml", yaml, strlen(yaml),
	                                     err), 0);
	m = key ? cf_node_get(conf->root, key) : conf->root;
	return cf_options_load(tab, out, m, "t.yaml", skip, err);
}

/* The mapping under "input" must fail with exactly msg. */
static void bad(const char *yaml, const char *msg)
{
	st s;
	cf_error err;

	assert_int_equal(run(table, yaml, "input", NULL, &s, &err), CF_ECONFIG);
	assert_int_equal(err.code, CF_ECONFIG);
	assert_string_equal(err.msg, msg);
	/* what was stored before the mistake is freed again */
	assert_null(s.path);
	assert_null(s.name);
	assert_null(s.fields.v);
	assert_null(s.upper);
	cf_options_free(table, &s);
}

static void test_all_types(void **unused)
{
	st s;
	cf_error err;
	const cf_node *raw;

	(void)unused;
	assert_int_equal(run(table,
		"input:\n"
		"  path: in.jsonl\n"
		"  name: '123'\n"
		"  n: +7\n"
		"  p: 2.5e-1\n"
		"  flag: Yes\n"
		"  mode: \"substitute\"\n"
		"  on_error: skip\n"
		"  fields:\n"
		"    - text\n"
		"    - 'title'\n"
		"  map: {a: '1', b: two}\n"
		"  raw: [1, {x: y}]\n"
		"  upper: shout\n", "input", NULL, &s, &err), 0);
	assert_string_equal(s.path, "in.jsonl");
	assert_string_equal(s.name, "123");   /* a string stays a string */
	assert_int_equal(s.n, 7);
	assert_true(s.p == 0.25);
	assert_int_equal(s.flag, 1);
	assert_int_equal(s.mode, 1);
	assert_int_equal(s.on_error, 0);
	assert_int_equal(s.fields.n, 2);
	assert_string_equal(s.fields.v[0], "text");
	assert_string_equal(s.fields.v[1], "title");
	assert_int_equal(s.map.n, 2);
	assert_string_equal(cf_strmap_get(&s.map, "a"), "1");
	assert_string_equal(cf_strmap_get(&s.map, "b"), "two");
	assert_null(cf_strmap_get(&s.map, "c"));
	raw = cf_node_get(cf_node_get(conf->root, "input"), "raw");
	assert_ptr_equal(s.raw, raw);
	assert_int_equal(s.raw->type, CF_NODE_SEQ);
	assert_string_equal(s.upper, "SHOUT");

	cf_options_free(table, &s);
	assert_null(s.path);
	assert_null(s.name);
	assert_null(s.fields.v);
	assert_int_equal(s.fields.n, 0);
	assert_null(s.map.keys);
	assert_int_equal(s.map.n, 0);
	assert_null(s.raw);
	assert_null(s.upper);
	cf_options_free(table, &s);   /* twice is fine */
	cf_options_free(table, NULL);
	cf_options_free(NULL, &s);
}

static void test_defaults(void **unused)
{
	st s;
	cf_error err;

	(void)unused;
	/* absent keys and plain nulls take the default */
	assert_int_equal(run(table, "input:\n  path: x\n  name: ~\n  n:\n  p: null\n",
	                     "input", NULL, &s, &err), 0);
	assert_string_equal(s.name, "anon");
	assert_int_equal(s.n, 5);
	assert_true(s.p == 0.5);
	assert_int_equal(s.flag, 0);
	assert_int_equal(s.mode, 0);
	assert_int_equal(s.on_error, 1);
	assert_int_equal(s.fields.n, 1);   /* a scalar default for a list */
	assert_string_equal(s.fields.v[0], "text");
	assert_int_equal(s.map.n, 0);
	assert_null(s.raw);
	assert_null(s.upper);
	cf_options_free(table, &s);

	/* a quoted empty string is a value, not null */
	assert_int_equal(run(table, "input:\n  path: x\n  name: ''\n",
	                     "input", NULL, &s, &err), 0);
	assert_string_equal(s.name, "");
	cf_options_free(table, &s);

	/* a null mapping and no mapping at all: defaults only */
	assert_int_equal(run(free_table, "input:\n", "input", NULL, &s, &err), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(run(table + 1, "a: 1\n", "input", NULL, &s, &err), 0);
	assert_string_equal(s.name, "anon");
	cf_options_free(table + 1, &s);
}

static void test_required(void **unused)
{
	st s;
	cf_error err;

	(void)unused;
	bad("x: 1\ninput:\n  name: a\n",
	    "t.yaml:3:3: missing required key 'path' in input");
	bad("input:\n  name: a\n  path:\n",
	    "t.yaml:3:3: missing required key 'path' in input (its value is empty)");
	/* without a mapping there is no line to name */
	assert_int_equal(run(table, "a: 1\n", "input", NULL, &s, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "t.yaml: missing required key 'path'");
	assert_null(s.name);
	/* at the top level */
	assert_int_equal(run(table, "\n\nname: a\n", NULL, NULL, &s, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "t.yaml:3:1: missing required key 'path' at top level");
}

static void test_unknown_keys(void **unused)
{
	st s;
	cf_error err;
	const char *const skip[] = { "type", "id", NULL };

	(void)unused;
	bad("input:\n  path: a\n\n  on_eror: skip\n",
	    "t.yaml:4:3: unknown key 'on_eror' in input (did you mean 'on_error'?)");
	bad("input:\n  path: a\n  fileds: [a]\n",
	    "t.yaml:3:3: unknown key 'fileds' in input (did you mean 'fields'?)");
	bad("input:\n  path: a\n  zzzzzz: 1\n",
	    "t.yaml:3:3: unknown key 'zzzzzz' in input");
	/* the first mistake in file order wins */
	bad("input:\n  path: a\n  n: abc\n  bogus: 1\n",
	    "t.yaml:3:6: 'n' must be an integer, got 'abc'");

	/* skipped keys are ignored, whatever their value */
	assert_int_equal(run(table, "input:\n  type: swap\n  id: [x]\n  path: a\n",
	                     "input", skip, &s, &err), 0);
	assert_string_equal(s.path, "a");
	cf_options_free(table, &s);
	assert_int_equal(run(table, "input:\n  type: swap\n  path: a\n",
	                     "input", NULL, &s, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "t.yaml:2:3: unknown key 'type' in input");

	/* a stage inside a sequence is named by its path */
	assert_int_equal(run(free_table, "stages:\n  - type: swap\n    pp: 1\n", NULL,
	                     NULL, &s, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "t.yaml:1:1: unknown key 'stages' at top level");
	cf_conf_free(&conf);
	{
		const char *y = "stages:\n  - type: swap\n    pp: 1\n";
		const cf_node *stage;
		assert_int_equal(cf_conf_load_buffer(&conf, "t.yaml", y, strlen(y), &err), 0);
		stage = cf_node_get(conf->root, "stages")->kids[0];
		memset(&s, 0, sizeof s);
		memset(&err, 0, sizeof err);
		assert_int_equal(cf_options_load(free_table, &s, stage, "t.yaml", skip,
		                                 &err), CF_ECONFIG);
		assert_string_equal(err.msg,
		                    "t.yaml:3:5: unknown key 'pp' in stages.0 (did you mean 'p'?)");
	}
}

/* cf_options_pick: a view of a mapping another table owns -- keys the
 * table does not name pass, the ones it names are as strict as ever. */
static void test_pick(void **unused)
{
	st s;
	cf_error err = { 0 };
	const char *y = "input:\n  type: swap\n  packs: [a, b]\n  path: in\n"
	                "  fields: one\n";

	(void)unused;
	cf_conf_free(&conf);
	assert_int_equal(cf_conf_load_buffer(&conf, "t.yaml", y, strlen(y), &err), 0);
	memset(&s, 0, sizeof s);
	assert_int_equal(cf_options_pick(table, &s, cf_node_get(conf->root, "input"),
	                                 "t.yaml", &err), 0);
	assert_string_equal(s.path, "in");
	assert_string_equal(s.name, "anon");          /* defaults apply */
	assert_int_equal(s.fields.n, 1);
	assert_string_equal(s.fields.v[0], "one");
	cf_options_free(table, &s);
	/* the same mapping under cf_options_load */
	assert_int_equal(run(table, y, "input", NULL, &s, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "t.yaml:2:3: unknown key 'type' in input");
	/* a named key of the wrong type, and a required one missing */
	y = "input:\n  type: swap\n  path: [x]\n";
	cf_conf_free(&conf);
	assert_int_equal(cf_conf_load_buffer(&conf, "t.yaml", y, strlen(y), &err), 0);
	memset(&s, 0, sizeof s);
	assert_int_equal(cf_options_pick(table, &s, cf_node_get(conf->root, "input"),
	                                 "t.yaml", &err), CF_ECONFIG);
	assert_null(s.path);
	y = "input:\n  type: swap\n";
	cf_conf_free(&conf);
	assert_int_equal(cf_conf_load_buffer(&conf, "t.yaml", y, strlen(y), &err), 0);
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_options_pick(table, &s, cf_node_get(conf->root, "input"),
	                                 "t.yaml", &err), CF_ECONFIG);
	assert_string_equal(err.msg, "t.yaml:2:3: missing required key 'path' in input");
}

static void test_not_a_mapping(void **unused)
{
	(void)unused;
	bad("input: [a, b]\n", "t.yaml:1:8: expected a mapping in input, got a sequence");
	bad("input: file.jsonl\n",
	    "t.yaml:1:8: expected a mapping in input, got 'file.jsonl'");
}

static void test_int(void **unused)
{
	st s;
	cf_error err;

	(void)unused;
	bad("input:\n  path: a\n  n: abc\n", "t.yaml:3:6: 'n' must be an integer, got 'abc'");
	bad("input:\n  path: a\n  n: '7'\n",
	    "t.yaml:3:6: 'n' must be an integer, got a quoted string '7'");
	bad("input:\n  path: a\n  n: 1.5\n", "t.yaml:3:6: 'n' must be an integer, got '1.5'");
	bad("input:\n  path: a\n  n: 0x5\n", "t.yaml:3:6: 'n' must be an integer, got '0x5'");
	bad("input:\n  path: a\n  n: 5 apples\n",
	    "t.yaml:3:6: 'n' must be an integer, got '5 apples'");
	bad("input:\n  path: a\n  n: [5]\n", "t.yaml:3:6: 'n' must be an integer, got a sequence");
	bad("input:\n  path: a\n  n: 99999999999999999999999\n",
	    "t.yaml:3:6: 'n' must be an integer, got '99999999999999999999999'");
	bad("input:\n  path: a\n  n: 11\n", "t.yaml:3:6: 'n' must be between 1 and 10, got 11");
	bad("input:\n  path: a\n  n: 0\n", "t.yaml:3:6: 'n' must be between 1 and 10, got 0");
	bad("input:\n  path: a\n  n: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    "t.yaml:3:6: 'n' must be an integer, got "
	    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
	/* the ends of the range are allowed */
	assert_int_equal(run(table, "input: {path: a, n: 10}\n", "input", NULL, &s, &err), 0);
	assert_int_equal(s.n, 10);
	cf_options_free(table, &s);
	/* without a range anything that fits a long */
	assert_int_equal(run(free_table, "input: {n: -123456789012}\n", "input", NULL,
	                     &s, &err), 0);
	assert_int_equal(s.n, -123456789012L);
}

static void test_double(void **unused)
{
	st s;
	cf_error err;

	(void)unused;
	bad("input:\n  path: a\n  p: high\n", "t.yaml:3:6: 'p' must be a number, got 'high'");
	bad("input:\n  path: a\n  p: \"0.5\"\n",
	    "t.yaml:3:6: 'p' must be a number, got a quoted string '0.5'");
	bad("input:\n  path: a\n  p: nan\n", "t.yaml:3:6: 'p' must be a number, got 'nan'");
	bad("input:\n  path: a\n  p: .inf\n", "t.yaml:3:6: 'p' must be a number, got '.inf'");
	bad("input:\n  path: a\n  p: 1e999\n", "t.yaml:3:6: 'p' must be a number, got '1e999'");
	bad("input:\n  path: a\n  p: 0x1p-2\n", "t.yaml:3:6: 'p' must be a number, got '0x1p-2'");
	bad("input:\n  path: a\n  p: 1.5\n", "t.yaml:3:6: 'p' must be between 0 and 1, got 1.5");
	bad("input:\n  path: a\n  p: -0.01\n",
	    "t.yaml:3:6: 'p' must be between 0 and 1, got -0.01");
	assert_int_equal(run(table, "input: {path: a, p: 1}\n", "input", NULL, &s, &err), 0);
	assert_true(s.p == 1.0);
	cf_options_free(table, &s);
	assert_int_equal(run(table, "input: {path: a, p: .75}\n", "input", NULL, &s, &err), 0);
	assert_true(s.p == 0.75);
	cf_options_free(table, &s);
	assert_int_equal(run(free_table, "input: {p: -3e3}\n", "input", NULL, &s, &err), 0);
	assert_true(s.p == -3000.0);
}

static void test_bool(void **unused)
{
	static const struct { const char *text; int v; } ok[] = {
		{ "true", 1 }, { "TRUE", 1 }, { "yes", 1 }, { "On", 1 },
		{ "false", 0 }, { "No", 0 }, { "OFF", 0 },
	};
	char y[64];
	size_t i;
	st s;
	cf_error err;

	(void)unused;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(y, sizeof y, "input: {path: a, flag: %s}\n", ok[i].text);
		assert_int_equal(run(table, y, "input", NULL, &s, &err), 0);
		assert_int_equal(s.flag, ok[i].v);
		cf_options_free(table, &s);
	}
	bad("input:\n  path: a\n  flag: maybe\n",
	    "t.yaml:3:9: 'flag' must be true or false, got 'maybe'");
	bad("input:\n  path: a\n  flag: 1\n", "t.yaml:3:9: 'flag' must be true or false, got '1'");
	bad("input:\n  path: a\n  flag: 'yes'\n",
	    "t.yaml:3:9: 'flag' must be true or false, got a quoted string 'yes'");
}

static void test_enum(void **unused)
{
	(void)unused;
	bad("input:\n  path: a\n  mode: augmnt\n",
	    "t.yaml:3:9: 'mode' must be one of augment, substitute; got 'augmnt'");
	bad("input:\n  path: a\n  mode: [augment]\n",
	    "t.yaml:3:9: 'mode' must be one of augment, substitute; got a sequence");
	bad("input:\n  path: a\n  mode: Augment\n",
	    "t.yaml:3:9: 'mode' must be one of augment, substitute; got 'Augment'");
}

static void test_strlist(void **unused)
{
	st s;
	cf_error err;

	(void)unused;
	assert_int_equal(run(table, "input: {path: a, fields: body}\n", "input", NULL,
	                     &s, &err), 0);
	assert_int_equal(s.fields.n, 1);
	assert_string_equal(s.fields.v[0], "body");
	cf_options_free(table, &s);
	assert_int_equal(run(table, "input: {path: a, fields: [x, '2', 3]}\n", "input",
	                     NULL, &s, &err), 0);
	assert_int_equal(s.fields.n, 3);
	assert_string_equal(s.fields.v[2], "3");
	cf_options_free(table, &s);
	/* an empty list is a list, not the default */
	assert_int_equal(run(table, "input: {path: a, fields: []}\n", "input", NULL,
	                     &s, &err), 0);
	assert_int_equal(s.fields.n, 0);
	cf_options_free(table, &s);

	bad("input:\n  path: a\n  fields: {a: b}\n",
	    "t.yaml:3:11: 'fields' must be a string or a list of strings, got a mapping");
	bad("input:\n  path: a\n  fields:\n    - a\n    - [b]\n",
	    "t.yaml:5:7: items of 'fields' must be strings, got a sequence");
	bad("input:\n  path: a\n  fields:\n    - a\n    -\n    - c\n",
	    "t.yaml:5:6: items of 'fields' must be strings, got an empty value");
}

static void test_strmap(void **unused)
{
	st s;
	cf_error err;

	(void)unused;
	assert_int_equal(run(table, "input: {path: a, map: {}}\n", "input", NULL,
	                     &s, &err), 0);
	assert_int_equal(s.map.n, 0);
	assert_null(cf_strmap_get(&s.map, "a"));
	cf_options_free(table, &s);
	bad("input:\n  path: a\n  map: x\n",
	    "t.yaml:3:8: 'map' must be a mapping of strings, got 'x'");
	bad("input:\n  path: a\n  map:\n    k: v\n    j: [1]\n",
	    "t.yaml:5:8: values in 'map' must be strings, got a sequence");
	assert_null(cf_strmap_get(NULL, "a"));
}

static void test_custom(void **unused)
{
	(void)unused;
	bad("input:\n  path: a\n  upper: bad\n", "t.yaml:3:10: 'upper' cannot be that");
	/* set before the failure: released again */
	bad("input:\n  upper: fine\n  path: a\n  n: x\n",
	    "t.yaml:4:6: 'n' must be an integer, got 'x'");
}

static int fail_quietly(void *state, const cf_node *n, const char *file,
                        cf_error *err)
{
	(void)state; (void)n; (void)file; (void)err;
	return CF_ECONFIG;
}

static void test_table_bugs(void **unused)
{
	static const cf_option bad_int[] = {
		{ .key = "n", .type = CF_OPT_INT, .offset = OFF(n), .def = "five" },
		{ .key = NULL }
	};
	static const cf_option out_of_range[] = {
		{ .key = "n", .type = CF_OPT_INT, .offset = OFF(n), .def = "50",
		  .min = 1, .max = 10 },
		{ .key = NULL }
	};
	static const cf_option quiet[] = {
		{ .key = "q", .type = CF_OPT_CUSTOM, .offset = 0, .set = fail_quietly },
		{ .key = NULL }
	};
	st s;
	cf_error err;

	(void)unused;
	assert_int_equal(run(bad_int, "a: 1\n", "input", NULL, &s, &err), CF_EINTERNAL);
	assert_string_equal(err.msg, "option 'n' has a bad default 'five'");
	assert_int_equal(run(out_of_range, "a: 1\n", "input", NULL, &s, &err), CF_EINTERNAL);
	assert_string_equal(err.msg, "option 'n' has a bad default '50'");
	/* a setter that forgets its message still yields a located one */
	assert_int_equal(run(quiet, "input: {q: 1}\n", "input", NULL, &s, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "t.yaml:1:12: bad value for 'q'");
}

static void test_after_set(void **unused)
{
	st s;
	cf_error err;

	(void)unused;
	memset(&s, 0, sizeof s);
	memset(&err, 0, sizeof err);
	cf_conf_free(&conf);
	assert_int_equal(cf_conf_load_buffer(&conf, "t.yaml", "input: {path: a}\n", 17,
	                                     &err), 0);
	assert_int_equal(cf_conf_set(conf, "input.p=abc", &err), 0);
	assert_int_equal(cf_options_load(table, &s, cf_node_get(conf->root, "input"),
	                                 "t.yaml", NULL, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "--set: 'p' must be a number, got 'abc'");

	memset(&err, 0, sizeof err);
	assert_int_equal(cf_conf_set(conf, "input.p=0.125", &err), 0);
	assert_int_equal(cf_conf_set(conf, "input.flag=on", &err), 0);
	assert_int_equal(cf_options_load(table, &s, cf_node_get(conf->root, "input"),
	                                 "t.yaml", NULL, &err), 0);
	assert_true(s.p == 0.125);
	assert_int_equal(s.flag, 1);
	cf_options_free(table, &s);
}

static void test_node_helpers(void **unused)
{
	cf_node n;
	long l;
	double d;
	int b;

	(void)unused;
	memset(&n, 0, sizeof n);
	n.type = CF_NODE_SCALAR;
	n.str = (char *)" 5";
	n.len = 2;
	assert_int_equal(cf_node_to_long(&n, &l), -1);   /* no leading blanks */
	n.str = (char *)"-5";
	assert_int_equal(cf_node_to_long(&n, &l), 0);
	assert_int_equal(l, -5);
	n.str = (char *)"+";
	n.len = 1;
	assert_int_equal(cf_node_to_long(&n, &l), -1);
	assert_int_equal(cf_node_to_double(&n, &d), -1);
	n.str = (char *)"";
	n.len = 0;
	assert_int_equal(cf_node_to_long(&n, &l), -1);
	assert_int_equal(cf_node_to_bool(&n, &b), -1);
	n.str = (char *)"off";
	n.len = 3;
	assert_int_equal(cf_node_to_bool(&n, &b), 0);
	assert_int_equal(b, 0);
	n.quoted = 1;
	assert_int_equal(cf_node_to_bool(&n, &b), -1);
	assert_int_equal(cf_node_to_long(NULL, &l), -1);
	assert_string_equal(cf_node_type_name(CF_NODE_SCALAR), "scalar");
	assert_string_equal(cf_node_type_name(CF_NODE_SEQ), "sequence");
	assert_string_equal(cf_node_type_name(CF_NODE_MAP), "mapping");
	cf_strlist_free(NULL);
	cf_strmap_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_all_types, teardown),
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_required, teardown),
		cmocka_unit_test_teardown(test_unknown_keys, teardown),
		cmocka_unit_test_teardown(test_not_a_mapping, teardown),
		cmocka_unit_test_teardown(test_int, teardown),
		cmocka_unit_test_teardown(test_double, teardown),
		cmocka_unit_test_teardown(test_bool, teardown),
		cmocka_unit_test_teardown(test_enum, teardown),
		cmocka_unit_test_teardown(test_strlist, teardown),
		cmocka_unit_test_teardown(test_strmap, teardown),
		cmocka_unit_test_teardown(test_custom, teardown),
		cmocka_unit_test_teardown(test_table_bugs, teardown),
		cmocka_unit_test_teardown(test_after_set, teardown),
		cmocka_unit_test_teardown(test_node_helpers, teardown),
		cmocka_unit_test_teardown(test_pick, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
