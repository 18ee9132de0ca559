/*
 * test_conf.c - the YAML loader: locations, refusals, ${} expansion, --set,
 * and the SHA-256 of the file.
 *
 * Messages are compared in full: their exact FILE:LINE:COL is the feature.
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

/* Load buf as "t.yaml"; on success *out is set, else err holds the message. */
static int load(const char *buf, cf_conf **out, cf_error *err)
{
	memset(err, 0, sizeof *err);
	return cf_conf_load_buffer(out, "t.yaml", buf, strlen(buf), err);
}

/* Loading buf must fail with code and exactly msg. */
static void expect_error(const char *buf, int code, const char *msg)
{
	cf_conf *c = NULL;
	cf_error err;
	int rc = load(buf, &c, &err);

	assert_int_equal(rc, code);
	assert_null(c);
	assert_int_equal(err.code, code);
	assert_string_equal(err.msg, msg);
}

static const cf_node *at(const cf_node *n, const char *key)
{
	const cf_node *v = cf_node_get(n, key);
	assert_non_null(v);
	return v;
}

static void test_fixture_locations(void **s)
{
	cf_conf *c = NULL;
	cf_error err = { 0, "" };
	const cf_node *input, *stages, *st1, *v, *tf;
	char path[64];

	(void)s;
	assert_int_equal(cf_conf_load(&c, TEST_DATA_DIR "/conf/pipe.yaml", &err), 0);
	assert_string_equal(c->path, TEST_DATA_DIR "/conf/pipe.yaml");
	assert_int_equal(c->root->type, CF_NODE_MAP);
	assert_int_equal(c->root->line, 2);
	assert_int_equal(c->root->col, 1);
	assert_int_equal(c->root->nkids, 8);   /* 4 pairs */

	v = at(c->root, "seed");
	assert_string_equal(v->str, "42");
	assert_int_equal(v->len, 2);
	assert_int_equal(v->line, 2);
	assert_int_equal(v->col, 7);
	assert_false(v->quoted);

	input = at(c->root, "input");
	assert_int_equal(input->type, CF_NODE_MAP);
	assert_int_equal(input->line, 4);
	assert_int_equal(input->col, 3);
	assert_ptr_equal(input->parent, c->root);
	v = at(input, "path");
	assert_int_equal(v->line, 4);
	assert_int_equal(v->col, 9);
	assert_string_equal(v->str, "data/in.jsonl");
	/* key nodes are located too */
	assert_string_equal(input->kids[0]->str, "path");
	assert_int_equal(input->kids[0]->line, 4);
	assert_int_equal(input->kids[0]->col, 3);

	tf = at(input, "text_fields");
	assert_int_equal(tf->type, CF_NODE_SEQ);
	assert_int_equal(tf->line, 5);
	assert_int_equal(tf->col, 16);
	assert_int_equal(tf->nkids, 2);
	assert_string_equal(tf->kids[1]->str, "title");
	assert_int_equal(tf->kids[1]->col, 23);

	stages = at(c->root, "stages");
	assert_int_equal(stages->type, CF_NODE_SEQ);
	assert_int_equal(stages->nkids, 2);
	st1 = stages->kids[1];
	assert_int_equal(st1->line, 10);
	assert_int_equal(st1->col, 5);
	v = at(st1, "type");
	assert_string_equal(v->str, "teacher");
	assert_true(v->quoted);
	assert_int_equal(v->col, 11);
	v = at(st1, "model");
	assert_true(v->quoted);
	assert_int_equal(v->line, 11);
	assert_int_equal(v->col, 12);

	assert_int_equal(cf_node_path(v, path, sizeof path), strlen("stages.1.model"));
	assert_string_equal(path, "stages.1.model");
	assert_int_equal(cf_node_path(input, path, sizeof path), 5);
	assert_string_equal(path, "input");
	assert_int_equal(cf_node_path(c->root, path, sizeof path), 0);
	assert_string_equal(path, "");
	/* truncated like snprintf, still terminated */
	assert_int_equal(cf_node_path(v, path, 5), strlen("stages.1.model"));
	assert_string_equal(path, "stag");

	assert_null(cf_node_get(c->root, "nope"));
	assert_null(cf_node_get(at(c->root, "seed"), "x"));   /* not a map */
	assert_null(cf_node_get(NULL, "x"));

	/* messages at a node */
	assert_int_equal(cf_conf_error(&err, "pipe.yaml", at(input, "on_error"),
	                               "bad '%s'", "x"), CF_ECONFIG);
	assert_string_equal(err.msg, "pipe.yaml:6:13: bad 'x'");
	cf_conf_free(&c);
	assert_null(c);
	cf_conf_free(&c);   /* NULL is fine */
	cf_conf_free(NULL);
}

static void test_sha256_of_file(void **s)
{
	cf_conf *c = NULL;
	cf_error err = { 0, "" };
	unsigned char want[32], buf[4096];
	FILE *f;
	size_t n;

	(void)s;
	f = fopen(TEST_DATA_DIR "/conf/pipe.yaml", "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	assert_true(n > 0 && n < sizeof buf);
	cf_sha256(buf, n, want);
	assert_int_equal(cf_conf_load(&c, TEST_DATA_DIR "/conf/pipe.yaml", &err), 0);
	assert_memory_equal(c->sha256, want, 32);
	cf_conf_free(&c);

	/* one byte more changes it */
	buf[n] = '\n';
	assert_int_equal(cf_conf_load_buffer(&c, "x", (char *)buf, n + 1, &err), 0);
	assert_memory_not_equal(c->sha256, want, 32);
	cf_conf_free(&c);
}

static void test_io_errors(void **s)
{
	cf_conf *c = NULL;
	cf_error err = { 0, "" };

	(void)s;
	assert_int_equal(cf_conf_load(&c, TEST_DATA_DIR "/conf/absent.yaml", &err),
	                 CF_EIO);
	assert_null(c);
	assert_string_equal(err.msg, TEST_DATA_DIR
	                    "/conf/absent.yaml: No such file or directory");
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_conf_load(&c, "-", &err), CF_EUSAGE);
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_conf_load(&c, TEST_DATA_DIR "/conf", &err), CF_EIO);
}

static void test_syntax_error(void **s)
{
	(void)s;
	expect_error("a: 1\nb: [1, 2\nc: 3\n", CF_ECONFIG,
	             "t.yaml:3:2: did not find expected ',' or ']' "
	             "(while parsing a flow sequence)");
	expect_error("a: 1\n  b: 2\n", CF_ECONFIG,
	             "t.yaml:2:4: mapping values are not allowed in this context");
	/* a tab where indentation is expected */
	expect_error("a:\n\t- 1\n", CF_ECONFIG,
	             "t.yaml:2:1: found character that cannot start any token "
	             "(while scanning for the next token)");
}

static void test_empty_and_not_a_mapping(void **s)
{
	(void)s;
	expect_error("", CF_ECONFIG, "t.yaml:1:1: the file is empty (expected a mapping)");
	expect_error("# only a comment\n\n", CF_ECONFIG,
	             "t.yaml:1:1: the file is empty (expected a mapping)");
	expect_error("- a\n- b\n", CF_ECONFIG,
	             "t.yaml:1:1: the top level must be a mapping, got a sequence");
	expect_error("\n  hello\n", CF_ECONFIG,
	             "t.yaml:2:3: the top level must be a mapping, got a scalar");
	expect_error("---\n", CF_ECONFIG,
	             "t.yaml:2:1: the top level must be a mapping, got nothing");
}

static void test_multiple_documents(void **s)
{
	(void)s;
	expect_error("a: 1\n---\nb: 2\n", CF_ECONFIG,
	             "t.yaml:2:1: more than one document (a pipeline file is one mapping)");
	expect_error("---\na: 1\n...\n---\nb: 2\n", CF_ECONFIG,
	             "t.yaml:4:1: more than one document (a pipeline file is one mapping)");
}

static void test_anchors_aliases_tags(void **s)
{
	cf_conf *c = NULL;
	cf_error err = { 0, "" };

	(void)s;
	expect_error("a: 1\nb: *x\n", CF_ECONFIG, "t.yaml:2:4: aliases are not supported");
	expect_error("a: &x 1\nb: *x\n", CF_ECONFIG, "t.yaml:1:4: anchors are not supported");
	expect_error("a:\n  - &s {k: v}\n", CF_ECONFIG,
	             "t.yaml:2:5: anchors are not supported");
	expect_error("a: !!str 1\n", CF_ECONFIG, "t.yaml:1:4: tags are not supported");
	/* billion laughs: refused at the first anchor, nothing expanded */
	assert_int_equal(cf_conf_load(&c, TEST_DATA_DIR "/conf/bomb.yaml", &err),
	                 CF_ECONFIG);
	assert_null(c);
	assert_string_equal(err.msg, TEST_DATA_DIR
	                    "/conf/bomb.yaml:1:4: anchors are not supported");
}

static void test_keys(void **s)
{
	cf_conf *c = NULL;
	cf_error err;

	(void)s;
	expect_error("a: 1\nb: 2\na: 3\n", CF_ECONFIG,
	             "t.yaml:3:1: duplicate key 'a' (first at line 1)");
	expect_error("x:\n  k: 1\n  j: 2\n  k: 3\n", CF_ECONFIG,
	             "t.yaml:4:3: duplicate key 'k' (first at line 2)");
	/* same key in different maps is fine */
	assert_int_equal(load("x: {k: 1}\ny: {k: 2}\n", &c, &err), 0);
	cf_conf_free(&c);
	expect_error("? [a, b]\n: 1\n", CF_ECONFIG,
	             "t.yaml:1:3: mapping keys must be scalars, got a sequence");
	/* keys are not expanded */
	setenv("CF_T_KEY", "v", 1);
	assert_int_equal(load("${CF_T_KEY}: 1\n", &c, &err), 0);
	assert_string_equal(c->root->kids[0]->str, "${CF_T_KEY}");
	cf_conf_free(&c);
}

static char *nested(int levels)
{
	/* "a: " then levels-1 flow sequences: depth = 1 (root) + levels - 1 */
	char *b = malloc((size_t)levels * 2 + 8);
	int i, o = 0;

	assert_non_null(b);
	o += sprintf(b, "a: ");
	for (i = 0; i < levels - 1; i++)
		b[o++] = '[';
	for (i = 0; i < levels - 1; i++)
		b[o++] = ']';
	b[o++] = '\n';
	b[o] = '\0';
	return b;
}

static void test_depth_limit(void **s)
{
	cf_conf *c = NULL;
	cf_error err;
	const cf_node *n;
	char *b;
	int d = 1;

	(void)s;
	b = nested(CF_CONF_MAX_DEPTH);
	assert_int_equal(load(b, &c, &err), 0);
	for (n = c->root; n->nkids; n = n->type == CF_NODE_MAP ? n->kids[1] : n->kids[0])
		d++;
	assert_int_equal(d, CF_CONF_MAX_DEPTH);
	cf_conf_free(&c);
	free(b);

	b = nested(CF_CONF_MAX_DEPTH + 1);
	/* the 64th '[' is the 65th level: column 4 + 63 */
	expect_error(b, CF_ECONFIG, "t.yaml:1:67: nesting deeper than 64 levels");
	free(b);
}

static void test_size_limit(void **s)
{
	cf_conf *c = NULL;
	cf_error err = { 0, "" };
	size_t n = CF_CONF_MAX_BYTES + 1;
	char *b = malloc(n);

	(void)s;
	assert_non_null(b);
	memset(b, '#', n);
	assert_int_equal(cf_conf_load_buffer(&c, "big.yaml", b, n, &err), CF_ECONFIG);
	assert_null(c);
	assert_string_equal(err.msg, "big.yaml:1:4194305: file is larger than 4 MiB "
	                    "(the limit is passed here)");
	/* located in lines too */
	for (size_t i = 99; i < n; i += 100)
		b[i] = '\n';
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_conf_load_buffer(&c, "big.yaml", b, n, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "big.yaml:41944:5: file is larger than 4 MiB "
	                    "(the limit is passed here)");
	memset(b, '#', n);
	/* at the cap it is only a (comment-only, so empty) file */
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_conf_load_buffer(&c, "big.yaml", b, n - 1, &err), CF_ECONFIG);
	assert_string_equal(err.msg, "big.yaml:1:1: the file is empty (expected a mapping)");
	free(b);
}

static void test_env_expansion(void **s)
{
	cf_conf *c = NULL;
	cf_error err;
	const cf_node *l;

	(void)s;
	setenv("CF_T_A", "hello", 1);
	setenv("CF_T_B", "world", 1);
	setenv("CF_T_EMPTY", "", 1);
	assert_int_equal(load("a: x${CF_T_A}-${CF_T_B}y\n"
	                      "b: $${CF_T_A} and $${\n"
	                      "c: '${CF_T_A}'\n"
	                      "d:\n  - ${CF_T_B}\n  - \"${CF_T_A}${CF_T_A}\"\n"
	                      "e: cost $5 $x $ {y} $$\n"
	                      "f: <${CF_T_EMPTY}>\n"
	                      "g: ${CF_T_A}\n", &c, &err), 0);
	assert_string_equal(at(c->root, "a")->str, "xhello-worldy");
	assert_int_equal(at(c->root, "a")->len, strlen("xhello-worldy"));
	assert_string_equal(at(c->root, "b")->str, "${CF_T_A} and ${");
	assert_string_equal(at(c->root, "c")->str, "hello");
	assert_true(at(c->root, "c")->quoted);
	l = at(c->root, "d");
	assert_string_equal(l->kids[0]->str, "world");
	assert_string_equal(l->kids[1]->str, "hellohello");
	assert_string_equal(at(c->root, "e")->str, "cost $5 $x $ {y} $$");
	assert_string_equal(at(c->root, "f")->str, "<>");
	assert_string_equal(at(c->root, "g")->str, "hello");
	cf_conf_free(&c);

	unsetenv("CF_T_UNSET");
	expect_error("a: 1\nb: pre ${CF_T_A} ${CF_T_UNSET} post\n", CF_ECONFIG,
	             "t.yaml:2:4: environment variable CF_T_UNSET is not set");
	expect_error("a:\n  - x\n  - ${CF_T_UNSET}\n", CF_ECONFIG,
	             "t.yaml:3:5: environment variable CF_T_UNSET is not set");
	expect_error("a: ${CF_T_A\n", CF_ECONFIG,
	             "t.yaml:1:4: unterminated '${' in value (write '$${' for a literal '${')");
	expect_error("a: ${1X}\n", CF_ECONFIG,
	             "t.yaml:1:4: bad environment variable name in '${...}'");
	expect_error("a: ${A-B}\n", CF_ECONFIG,
	             "t.yaml:1:4: bad environment variable name in '${...}'");
	expect_error("a: ${}\n", CF_ECONFIG,
	             "t.yaml:1:4: bad environment variable name in '${...}'");
}

static void test_scalars(void **s)
{
	cf_conf *c = NULL;
	cf_error err;

	(void)s;
	assert_int_equal(load("a:\nb: ~\nc: ''\nd: null\ne: \"null\"\nf: 0\n", &c, &err), 0);
	assert_true(cf_node_is_null(at(c->root, "a")));
	assert_true(cf_node_is_null(at(c->root, "b")));
	assert_false(cf_node_is_null(at(c->root, "c")));
	assert_true(at(c->root, "c")->quoted);
	assert_true(cf_node_is_null(at(c->root, "d")));
	assert_false(cf_node_is_null(at(c->root, "e")));
	assert_false(cf_node_is_null(at(c->root, "f")));
	assert_false(cf_node_is_null(c->root));
	assert_false(cf_node_is_null(NULL));
	/* block scalars count as quoted: they are text */
	cf_conf_free(&c);
	assert_int_equal(load("a: |\n  two\n  lines\n", &c, &err), 0);
	assert_string_equal(at(c->root, "a")->str, "two\nlines\n");
	assert_true(at(c->root, "a")->quoted);
	cf_conf_free(&c);

	expect_error("a: 1\nb: \"x\\0y\"\n", CF_ECONFIG, "t.yaml:2:4: NUL character in value");
}

static void test_set(void **s)
{
	cf_conf *c = NULL;
	cf_error err;
	const cf_node *v, *in;

	(void)s;
	assert_int_equal(load("seed: 42\nempty:\nstages:\n  - type: swap\n    p: 0.3\n"
	                      "  - type: teacher\n", &c, &err), 0);

	/* replace a value: plain scalar, line 0, not expanded */
	assert_int_equal(cf_conf_set(c, "seed=${HOME}", &err), 0);
	v = at(c->root, "seed");
	assert_string_equal(v->str, "${HOME}");
	assert_int_equal(v->line, 0);
	assert_int_equal(v->col, 0);
	assert_false(v->quoted);
	assert_ptr_equal(v->parent, c->root);

	/* create keys, and a mapping on the way */
	assert_int_equal(cf_conf_set(c, "input.path=a=b.jsonl", &err), 0);
	in = at(c->root, "input");
	assert_int_equal(in->type, CF_NODE_MAP);
	assert_int_equal(in->line, 0);
	assert_string_equal(at(in, "path")->str, "a=b.jsonl");
	assert_int_equal(cf_conf_set(c, "input.limit=10", &err), 0);
	assert_ptr_equal(at(c->root, "input"), in);
	assert_int_equal(in->nkids, 4);
	assert_string_equal(at(in, "limit")->str, "10");

	/* a null value on the way becomes a mapping */
	assert_int_equal(cf_conf_set(c, "empty.x=1", &err), 0);
	assert_string_equal(at(at(c->root, "empty"), "x")->str, "1");

	/* through sequences by index */
	assert_int_equal(cf_conf_set(c, "stages.0.p=0.5", &err), 0);
	assert_string_equal(at(at(c->root, "stages")->kids[0], "p")->str, "0.5");
	assert_int_equal(cf_conf_set(c, "stages.1.model=m2", &err), 0);
	v = at(at(c->root, "stages")->kids[1], "model");
	assert_string_equal(v->str, "m2");
	{
		char path[64];
		cf_node_path(v, path, sizeof path);
		assert_string_equal(path, "stages.1.model");
	}
	/* replace a whole subtree, and an item */
	assert_int_equal(cf_conf_set(c, "stages.1=", &err), 0);
	assert_true(cf_node_is_null(at(c->root, "stages")->kids[1]));
	assert_int_equal(cf_conf_set(c, "stages=none", &err), 0);
	assert_string_equal(at(c->root, "stages")->str, "none");

	/* messages of line-0 nodes */
	memset(&err, 0, sizeof err);
	cf_conf_error(&err, c->path, at(c->root, "seed"), "'seed' must be an integer");
	assert_string_equal(err.msg, "--set: 'seed' must be an integer");
	memset(&err, 0, sizeof err);
	cf_conf_error(&err, c->path, NULL, "no location");
	assert_string_equal(err.msg, "t.yaml: no location");
	cf_conf_free(&c);
}

/* A value starting with [ { " ' is YAML: lists and mappings become
 * collections (they used to be one string that validate accepted). */
static void test_set_flow_values(void **s)
{
	cf_conf *c = NULL;
	cf_error err;
	const cf_node *v;

	(void)s;
	assert_int_equal(load("input:\n  labels: [x]\nstages:\n  - type: rules\n", &c, &err), 0);
	assert_int_equal(cf_conf_set(c, "input.labels=[neg, pos]", &err), 0);
	v = at(at(c->root, "input"), "labels");
	assert_int_equal(v->type, CF_NODE_SEQ);
	assert_int_equal(v->nkids, 2);
	assert_string_equal(v->kids[1]->str, "pos");
	assert_int_equal(v->kids[1]->line, 0);
	assert_ptr_equal(v->parent, at(c->root, "input"));
	assert_int_equal(cf_conf_set(c, "stages.0.label={positive: negative, negative: positive}", &err), 0);
	v = at(at(c->root, "stages")->kids[0], "label");
	assert_int_equal(v->type, CF_NODE_MAP);
	assert_string_equal(at(v, "positive")->str, "negative");
	/* quoted: a string, never expanded */
	assert_int_equal(cf_conf_set(c, "input.path='[a].jsonl'", &err), 0);
	v = at(at(c->root, "input"), "path");
	assert_string_equal(v->str, "[a].jsonl");
	assert_true(v->quoted);
	assert_int_equal(cf_conf_set(c, "input.path=\"${HOME}\"", &err), 0);
	assert_string_equal(at(at(c->root, "input"), "path")->str, "${HOME}");
	/* broken YAML is a usage error naming the assignment */
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_conf_set(c, "input.labels=[a,", &err), CF_EUSAGE);
	assert_non_null(strstr(err.msg, "--set input.labels=[a,: not a YAML value"));
	cf_conf_free(&c);
}

static void expect_set_error(const char *yaml, const char *assignment,
                             const char *msg)
{
	cf_conf *c = NULL;
	cf_error err;

	assert_int_equal(load(yaml, &c, &err), 0);
	assert_int_equal(cf_conf_set(c, assignment, &err), CF_EUSAGE);
	assert_int_equal(err.code, CF_EUSAGE);
	assert_string_equal(err.msg, msg);
	cf_conf_free(&c);
}

static void test_set_errors(void **s)
{
	const char *y = "a: 1\nstages:\n  - p: 1\n  - p: 2\nm:\n  k: v\n";

	(void)s;
	expect_set_error(y, "a.b=1", "--set a.b: 'a' is a scalar");
	expect_set_error(y, "m.k.z.w=1", "--set m.k.z.w: 'm.k' is a scalar");
	expect_set_error(y, "stages.9.p=1", "--set stages.9.p: index 9 out of range (2 items)");
	expect_set_error(y, "stages.2=1", "--set stages.2: index 2 out of range (2 items)");
	expect_set_error(y, "stages.x=1", "--set stages.x: 'x' is not an index into a sequence");
	expect_set_error(y, "stages.-1=1", "--set stages.-1: '-1' is not an index into a sequence");
	expect_set_error(y, "noequals", "--set noequals: expected KEY=VALUE");
	expect_set_error(y, "=1", "--set =1: empty key");
	expect_set_error(y, "a..b=1", "--set a..b: empty path component");
	expect_set_error(y, "a.=1", "--set a.: empty path component");
	expect_set_error(y, ".a=1", "--set .a: empty path component");
}

static void test_set_depth_cap(void **s)
{
	cf_conf *c = NULL;
	cf_error err;
	char key[400], want[500];
	int i, o = 0;

	(void)s;
	assert_int_equal(load("a: 1\n", &c, &err), 0);
	for (i = 0; i < CF_CONF_MAX_DEPTH + 1; i++)
		o += sprintf(key + o, "%sk", i ? "." : "");
	snprintf(want, sizeof want, "--set %s: more than 64 levels", key);
	sprintf(key + o, "=1");
	assert_int_equal(cf_conf_set(c, key, &err), CF_EUSAGE);
	assert_string_equal(err.msg, want);
	/* 64 levels are fine */
	key[o - 2] = '=';
	assert_int_equal(cf_conf_set(c, key, &err), 0);
	cf_conf_free(&c);
}

static void hex_of(const void *d, size_t n, char out[65])
{
	unsigned char md[32];

	cf_sha256(d, n, md);
	cf_sha256_hex(md, out);
}

static void test_sha256_vectors(void **s)
{
	char hex[65];
	char *million;
	size_t i;
	/* FIPS 180-4 examples plus lengths around the padding boundary */
	static const struct { const char *in, *out; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};

	(void)s;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		hex_of(v[i].in, strlen(v[i].in), hex);
		assert_string_equal(hex, v[i].out);
	}
	million = malloc(1000000);
	assert_non_null(million);
	memset(million, 'a', 1000000);
	hex_of(million, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_locations),
		cmocka_unit_test(test_set_flow_values),
		cmocka_unit_test(test_sha256_of_file),
		cmocka_unit_test(test_io_errors),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_empty_and_not_a_mapping),
		cmocka_unit_test(test_multiple_documents),
		cmocka_unit_test(test_anchors_aliases_tags),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_env_expansion),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_set_depth_cap),
		cmocka_unit_test(test_sha256_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
