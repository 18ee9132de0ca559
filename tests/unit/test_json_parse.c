/*
 * test_json_parse.c - cf_json_parse (pipeline/util/json_parse.c) against jansson.
 *
 * Differential: every document, from a table of edge cases and from a
 * seeded random mutation loop, goes through cf_json_parse and through
 * json_loadb(JSON_DECODE_ANY); both must accept or both refuse, and what
 * they accept must be json_equal.  JSON_DECODE_ANY because cf_json_parse
 * parses any value (the JSONL reader checks for an object itself).  The
 * documented differences: the depth limit (512 here, 2048 in jansson), and
 * a NUL byte right after a number or literal, which jansson drops (its
 * stream takes a NUL pushed back for the end of its buffer) and we refuse.
 * Table cases also pin our own outcome (error kind, byte offset), so a bug
 * shared with jansson would still show.
 *
 * The portable SWAR string scan is what non-x86 builds run: it is compiled
 * here from the same source with __SSE2__ undefined, as cf_json_parse_swar,
 * and put through the same tests.  Inputs are copied to exact-size heap
 * blocks so that ASan sees any read past the end.
 */
#undef __SSE2__
#define cf_json_parse cf_json_parse_swar
#include "../../pipeline/util/json_parse.c"
#undef cf_json_parse
json_t *cf_json_parse(const char *p, size_t n, cf_json_error *e);

#include <setjmp.h>
#include <cmocka.h>

typedef json_t *(*parse_fn)(const char *, size_t, cf_json_error *);

static const struct impl {
	const char *name;
	parse_fn parse;
} impls[] = {
	{ "default", cf_json_parse },
	{ "swar", cf_json_parse_swar },
};
#define NIMPL (sizeof impls / sizeof impls[0])

#define ANY ((size_t)-1)

/* doc with its length (so that NUL bytes can be part of it), the expected
 * outcome (0 = accepted, else CF_JSON_E*), the expected error offset (ANY:
 * not checked) and whether jansson is known to disagree. */
typedef struct tcase {
	const char *doc;
	size_t len;
	int kind;
	size_t off;
	int jansson_differs;
} tcase;

#define OK(s)        { s, sizeof s - 1, 0, 0, 0 }
#define BAD(s, k, o) { s, sizeof s - 1, CF_JSON_##k, o, 0 }

static const tcase cases[] = {
	/* structure and whitespace */
	OK("{}"), OK("[]"), OK(" \t\r\n{} \n"), OK("{\"a\":1}\n\n"),
	OK("[1,\n2\r,\t3 ]"), OK("{\"a\" : 1 , \"b\" : [ ] }"), OK("[ 1 , [ ] , { } ]"),
	OK("{\"a\":{\"b\":[true,false,null]}}"), OK("{\"\":0}"),
	OK("{\"a\":1,\"a\":2}"), OK("[[[[[[[[[[[]]]]]]]]]]]"),
	/* scalars at the top */
	OK("true"), OK("false"), OK("null"), OK("\"\""), OK("\"abc\""),
	/* numbers */
	OK("0"), OK("-0"), OK("1"), OK("-1"), OK("123456789"), OK("1.5"),
	OK("-1.5"), OK("1.5e-3"), OK("1e3"), OK("1E3"), OK("1e+3"), OK("1e-3"),
	OK("0.0"), OK("-0.0"), OK("0e0"), OK("1e-400"), OK("4.9e-324"),
	OK("1.7976931348623157e308"), OK("9223372036854775807"),
	OK("-9223372036854775808"), OK("[0,-0,1e1,0.5]"),
	OK("123456789012345678901234567890.5"),
	/* strings: escapes, surrogate pairs, raw UTF-8 at the edges of ranges */
	OK("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), OK("\"\\u0041\\u00e9\\u20AC\\uFFFF\""),
	OK("\"\\ud83d\\ude00\""), OK("\"\\uD834\\uDD1E\""), OK("\"\\uDBFF\\uDFFF\""),
	OK("\"\\u0001\\u001f\\u007f\\u0080\\u07ff\\u0800\""),
	OK("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""), OK("\"\x7f\""),
	OK("\"\xc2\x80\xdf\xbf\""), OK("\"\xe0\xa0\x80\""), OK("\"\xed\x9f\xbf\""),
	OK("\"\xee\x80\x80\""), OK("\"\xef\xbf\xbf\""), OK("\"\xf0\x90\x80\x80\""),
	OK("\"\xf4\x8f\xbf\xbf\""), OK("{\"k\\u0041\":\"v\",\"\\n\":\"\\t\"}"),
	OK("[\"a\",\"b\\n\"]"),

	/* structure */
	BAD("", ESYNTAX, 0), BAD("   ", ESYNTAX, 3), BAD("{", ESYNTAX, 1),
	BAD("[", ESYNTAX, 1), BAD("[1,]", ESYNTAX, 3), BAD("[,1]", ESYNTAX, 1),
	BAD("{,}", ESYNTAX, 1), BAD("{\"a\"}", ESYNTAX, 4), BAD("{\"a\":}", ESYNTAX, 5),
	BAD("{\"a\":1,}", ESYNTAX, 7), BAD("{1:2}", ESYNTAX, 1), BAD("{'a':1}", ESYNTAX, 1),
	BAD("[1 2]", ESYNTAX, 3), BAD("{\"a\":1 \"b\":2}", ESYNTAX, 7),
	BAD("[\"a\":1]", ESYNTAX, 4), BAD("{}}", ESYNTAX, 2), BAD("{} {}", ESYNTAX, 3),
	BAD("[] x", ESYNTAX, 3), BAD("\"a\" \"b\"", ESYNTAX, 4), BAD("\f{}", ESYNTAX, 0),
	BAD("\v[]", ESYNTAX, 0), BAD("\xef\xbb\xbf{}", ESYNTAX, 0),
	BAD("[-]", ESYNTAX, 2), BAD("[0-1]", ESYNTAX, 2), BAD("[1e5.0]", ESYNTAX, 4),
	/* numbers */
	BAD("01", ESYNTAX, 1), BAD("-01", ESYNTAX, 2), BAD("[00]", ESYNTAX, 2),
	BAD("1.", ESYNTAX, 2), BAD("1.e5", ESYNTAX, 2), BAD(".5", ESYNTAX, 0),
	BAD("+1", ESYNTAX, 0), BAD("-", ESYNTAX, 1), BAD("--1", ESYNTAX, 1),
	BAD("1e", ESYNTAX, 2), BAD("1e+", ESYNTAX, 3), BAD("1E-x", ESYNTAX, 3),
	BAD("0x10", ESYNTAX, 1), BAD("NaN", ESYNTAX, 0), BAD("Infinity", ESYNTAX, 0),
	BAD("1e400", ERANGE, 0), BAD("[-1e400]", ERANGE, 1),
	BAD("9223372036854775808", ERANGE, 0), BAD("-9223372036854775809", ERANGE, 0),
	BAD("99999999999999999999", ERANGE, 0),
	/* literals */
	BAD("tru", ESYNTAX, 0), BAD("True", ESYNTAX, 0), BAD("nul", ESYNTAX, 0),
	BAD("truex", ESYNTAX, 4), BAD("[truex]", ESYNTAX, 5), BAD("[nulll]", ESYNTAX, 5),
	/* strings */
	BAD("\"abc", ESYNTAX, 0), BAD("[\"abc\\", ESYNTAX, 1), BAD("\"\\x\"", ESYNTAX, 1),
	BAD("\"\\u12\"", ESYNTAX, 1), BAD("\"\\u12G4\"", ESYNTAX, 1),
	BAD("\"\\U0041\"", ESYNTAX, 1), BAD("\"ab\\u00", ESYNTAX, 3),
	BAD("\"\\u0000\"", ESYNTAX, 1), BAD("{\"\\u0000\":1}", ESYNTAX, 2),
	BAD("\"\\ud800\"", ESYNTAX, 1), BAD("\"\\udc00\"", ESYNTAX, 1),
	BAD("\"\\ud800\\u0041\"", ESYNTAX, 1), BAD("\"\\ud800\\ud800\"", ESYNTAX, 1),
	BAD("\"\\ud800x\"", ESYNTAX, 1), BAD("\"\\ud800\\", ESYNTAX, 1),
	BAD("\"a\tb\"", ESYNTAX, 2), BAD("\"a\nb\"", ESYNTAX, 2), BAD("\"a\x1f\"", ESYNTAX, 2),
	/* NUL anywhere */
	BAD("\"a\0b\"", ENUL, 2), BAD("\0", ENUL, 0), BAD("{}\0", ENUL, 2),
	BAD("[1,\0]", ENUL, 3), BAD("{\"a\0\":1}", ENUL, 3),
	/* jansson drops these NULs: it takes [9], [true] and [1.5,2] */
	{ "[9\0]", 4, CF_JSON_ENUL, 2, 1 }, { "[true\0]", 7, CF_JSON_ENUL, 5, 1 },
	{ "[1.5\0,2]", 8, CF_JSON_ENUL, 4, 1 },
	/* invalid UTF-8: overlongs, surrogates, above U+10FFFF, stray and cut */
	BAD("\"\xc0\x80\"", EUTF8, 1), BAD("\"\xc1\xbf\"", EUTF8, 1),
	BAD("\"\xe0\x80\x80\"", EUTF8, 1), BAD("\"\xe0\x9f\xbf\"", EUTF8, 1),
	BAD("\"\xed\xa0\x80\"", EUTF8, 1), BAD("\"\xed\xbf\xbf\"", EUTF8, 1),
	BAD("\"\xf0\x80\x80\x80\"", EUTF8, 1), BAD("\"\xf0\x8f\xbf\xbf\"", EUTF8, 1),
	BAD("\"\xf4\x90\x80\x80\"", EUTF8, 1), BAD("\"\xf5\x80\x80\x80\"", EUTF8, 1),
	BAD("\"\xff\"", EUTF8, 1), BAD("\"\x80\"", EUTF8, 1), BAD("\"ab\xc3\"", EUTF8, 3),
	BAD("\"ab\xc3", EUTF8, 3), BAD("\"ab\xe2\x82", EUTF8, 3),
	BAD("\"ab\xf0\x9f\x98", EUTF8, 3), BAD("\"\xc3\xa9\xc3\"", EUTF8, 3),
	BAD("\"\\n\xe2\x28\xa1\"", EUTF8, 3), BAD("\xff", EUTF8, 0),
	BAD("[1]\xc3\x28", EUTF8, 3), BAD("{\"\xc3\x28\":1}", EUTF8, 2),
};
#define NCASES (sizeof cases / sizeof cases[0])

/* Exact-size heap copy, so ASan catches a read past the end. */
static char *dup_exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

/* Parse doc with impl and jansson; fail unless they agree.  Returns 1 when
 * accepted.  *e gets our error. */
static int agree(const struct impl *im, const char *doc, size_t len,
                 cf_json_error *e, int jansson_differs)
{
	char *p = dup_exact(doc, len);
	json_error_t je;
	json_t *ours, *theirs;
	int ok;

	ours = im->parse(p, len, e);
	theirs = json_loadb(p, len, JSON_DECODE_ANY, &je);
	if (!ours && e->offset > len)
		fail_msg("%s: offset %zu past the end (%zu)", im->name, e->offset, len);
	if (!ours && !e->msg[0])
		fail_msg("%s: refused without a message", im->name);
	if (!ours && theirs && e->kind == CF_JSON_ENUL)
		jansson_differs = 1;
	if (!jansson_differs && !ours != !theirs)
		fail_msg("%s: %s, jansson: %s, for \"%.*s\" (%zu bytes)", im->name,
		         ours ? "accepted" : e->msg, theirs ? "accepted" : je.text,
		         (int)len, doc, len);
	if (ours && theirs && !json_equal(ours, theirs))
		fail_msg("%s: values differ for \"%.*s\"", im->name, (int)len, doc);
	ok = ours != NULL;
	json_decref(ours);
	json_decref(theirs);
	free(p);
	return ok;
}

static void test_table(void **unused)
{
	cf_json_error e;

	for (size_t k = 0; k < NIMPL; k++) {
		for (size_t i = 0; i < NCASES; i++) {
			const tcase *c = &cases[i];
			int ok = agree(&impls[k], c->doc, c->len, &e, c->jansson_differs);

			if (!c->kind && !ok)
				fail_msg("%s: case %zu \"%.*s\" refused: %s at %zu", impls[k].name,
				         i, (int)c->len, c->doc, e.msg, e.offset);
			if (c->kind && ok)
				fail_msg("%s: case %zu \"%.*s\" accepted", impls[k].name, i,
				         (int)c->len, c->doc);
			if (c->kind && (e.kind != c->kind || (c->off != ANY && e.offset != c->off)))
				fail_msg("%s: case %zu \"%.*s\": kind %d at %zu (%s), expected "
				         "kind %d at %zu", impls[k].name, i, (int)c->len, c->doc,
				         e.kind, e.offset, e.msg, c->kind, c->off);
			if (!c->kind && e.kind)
				fail_msg("%s: case %zu: error left set after success", impls[k].name, i);
		}
	}
}

/* The messages the JSONL reader passes on. */
static void test_messages(void **unused)
{
	static const struct { const char *doc; const char *msg; } m[] = {
		{ "[1,]", "unexpected character ']'" },
		{ "\"abc", "unterminated string" },
		{ "\"\xff\"", "invalid UTF-8" },
		{ "\"\\q\"", "invalid escape" },
		{ "\"\\u0000\"", "\\u0000 is not allowed" },
		{ "{} x", "trailing characters" },
		{ "9223372036854775808", "integer overflow" },
		{ "1e999", "real number overflow" },
		{ "\"a\x01\"", "control character 0x01 in string" },
		{ "{\"a\" 1}", "expected ':'" },
		{ "{", "unexpected end of input" },
		{ "\"\\udc00\"", "invalid Unicode escape (lone surrogate)" },
	};
	cf_json_error e;

	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		assert_null(cf_json_parse(m[i].doc, strlen(m[i].doc), &e));
		assert_string_equal(e.msg, m[i].msg);
	}
	/* e may be NULL */
	assert_null(cf_json_parse("[", 1, NULL));
}

/* Types and values, where json_equal alone would not tell. */
static void test_values(void **unused)
{
	cf_json_error e;
	json_t *j;
	const char *s;

	s = "[-0, 0, 1.5e-3, 9223372036854775807, -9223372036854775808, 1E2, -0.0, 1e-400]";
	j = cf_json_parse(s, strlen(s), &e);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 8);
	assert_true(json_is_integer(json_array_get(j, 0)));     /* jansson's rule */
	assert_int_equal(json_integer_value(json_array_get(j, 0)), 0);
	assert_true(json_is_integer(json_array_get(j, 1)));
	assert_true(json_is_real(json_array_get(j, 2)));
	assert_true(json_real_value(json_array_get(j, 2)) == 1.5e-3);
	assert_true(json_integer_value(json_array_get(j, 3)) == JINT_MAX);
	assert_true(json_integer_value(json_array_get(j, 4)) == JINT_MIN);
	assert_true(json_is_real(json_array_get(j, 5)));
	assert_true(json_real_value(json_array_get(j, 5)) == 100.0);
	assert_true(json_is_real(json_array_get(j, 6)));
	assert_true(signbit(json_real_value(json_array_get(j, 6))));
	assert_true(json_real_value(json_array_get(j, 7)) == 0.0);
	json_decref(j);

	s = "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\xe2\x82\xac\"";
	j = cf_json_parse(s, strlen(s), &e);
	assert_non_null(j);
	s = json_string_value(j);
	assert_int_equal(json_string_length(j), 17);
	assert_memory_equal(s, "\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80\xe2\x82\xac", 17);
	json_decref(j);

	/* the last of duplicate keys wins */
	s = "{\"a\":1,\"b\":2,\"a\":3}";
	j = cf_json_parse(s, strlen(s), &e);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "a")), 3);
	json_decref(j);
}

/* Escaped keys stay in the scratch while their values (with escapes of
 * their own, nested) are parsed; each key must come out whole. */
static void test_escaped_keys(void **unused)
{
	static const char doc[] =
		"{\"k\\n1\":{\"k\\t2\":\"v\\\"3\",\"x\\/\":[\"a\\\\\",{\"\\u00e9\":\"\\u20ac\"}]},"
		"\"k\\u00e93\":\"w\\r\"}";
	cf_json_error e;
	json_t *j, *in;

	for (size_t k = 0; k < NIMPL; k++) {
		j = impls[k].parse(doc, sizeof doc - 1, &e);
		assert_non_null(j);
		in = json_object_get(j, "k\n1");
		assert_non_null(in);
		assert_string_equal(json_string_value(json_object_get(in, "k\t2")), "v\"3");
		assert_string_equal(json_string_value(json_array_get(
			json_object_get(in, "x/"), 0)), "a\\");
		assert_string_equal(json_string_value(json_object_get(json_array_get(
			json_object_get(in, "x/"), 1), "\xc3\xa9")), "\xe2\x82\xac");
		assert_string_equal(json_string_value(json_object_get(j, "k\xc3\xa9" "3")),
		                    "w\r");
		json_decref(j);
		agree(&impls[k], doc, sizeof doc - 1, &e, 0);
	}
}

/* A document bigger than the on-stack scratch: the scratch is allocated. */
static void test_big_document(void **unused)
{
	size_t cap = 200000, n = 0;
	char *doc = malloc(cap);
	cf_json_error e;
	json_t *j;

	assert_non_null(doc);
	n += (size_t)sprintf(doc + n, "{");
	for (int i = 0; i < 2000; i++)
		n += (size_t)sprintf(doc + n, "%s\"key\\u00e9%d\":\"v\\\"al\\n%d "
		                     "\xe2\x82\xac 0123456789abcdef\\t\"", i ? "," : "", i, i);
	n += (size_t)sprintf(doc + n, "}");
	assert_true(n > 2 * SCRATCH_STACK && n < cap);
	for (size_t k = 0; k < NIMPL; k++) {
		assert_int_equal(agree(&impls[k], doc, n, &e, 0), 1);
		j = impls[k].parse(doc, n, &e);
		assert_int_equal(json_object_size(j), 2000);
		assert_string_equal(json_string_value(json_object_get(j, "key\xc3\xa9" "1999")),
		                    "v\"al\n1999 \xe2\x82\xac 0123456789abcdef\t");
		json_decref(j);
	}
	free(doc);
}

/* 512 nested arrays or objects are fine, 513 are not; jansson allows 2048,
 * so at 600 it is the documented difference. */
static void test_depth(void **unused)
{
	static const struct { size_t depth; int obj; int ok; } d[] = {
		{ 512, 0, 1 }, { 513, 0, 0 }, { 600, 0, 0 },
		{ 512, 1, 1 }, { 513, 1, 0 }, { 600, 1, 0 },
	};
	cf_json_error e;
	char *doc = malloc(600 * 6 + 8);
	size_t n;

	assert_non_null(doc);
	for (size_t k = 0; k < NIMPL; k++) {
		for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
			n = 0;
			for (size_t l = 0; l < d[i].depth; l++)
				n += (size_t)sprintf(doc + n, d[i].obj ? "{\"a\":" : "[");
			doc[n++] = '1';
			for (size_t l = 0; l < d[i].depth; l++)
				doc[n++] = d[i].obj ? '}' : ']';
			assert_int_equal(agree(&impls[k], doc, n, &e, 1), d[i].ok);
			if (!d[i].ok) {
				assert_int_equal(e.kind, CF_JSON_EDEPTH);
				assert_int_equal(e.offset, d[i].obj ? 512 * 5 : 512);
			}
		}
	}
	free(doc);
}

/* A special byte at every position of strings of every length up to 40,
 * so that each lands at every place in, and after, a 16- or 8-byte block. */
static void test_block_edges(void **unused)
{
#define SP(x) { x, sizeof x - 1 }
	static const struct { const char *s; size_t len; } specials[] = {
		SP("\\n"), SP("\\\""), SP("\xc3\xa9"), SP("\xf0\x9f\x98\x80"), SP("\x01"),
		SP("\xc3"), SP("\x80"), SP("\xed\xa0\x80"), SP("\\u00e9"), SP("\\"),
		SP("\0"), SP("\""),
	};
#undef SP
	char doc[64];
	cf_json_error e;
	size_t n;

	for (size_t k = 0; k < NIMPL; k++)
		for (size_t s = 0; s < sizeof specials / sizeof specials[0]; s++)
			for (size_t len = 0; len <= 40; len++)
				for (size_t at = 0; at <= len; at++) {
					n = 0;
					doc[n++] = '"';
					memset(doc + n, 'a', at);
					n += at;
					memcpy(doc + n, specials[s].s, specials[s].len);
					n += specials[s].len;
					memset(doc + n, 'b', len - at);
					n += len - at;
					doc[n++] = '"';
					agree(&impls[k], doc, n, &e, 0);
					agree(&impls[k], doc, n - 1, &e, 0);   /* unterminated */
				}
}

/* ---- fuzz ------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic across platforms */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static size_t below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static const char *const seeds[] = {
	("{\"id\": \"r1\", \"text\": \"Long, boring. Never \\\"again\\\".<br />\", "
	 "\"label\": \"negative\", \"batch_id\": \"4\"}"),
	"{\"a\":[1,-2,3.5e10,-0.25E-3,true,false,null],\"b\":{\"c\":\"\\u00e9\\ud83d\\ude00\"}}",
	"[\"caf\xc3\xa9\",\"\xe2\x82\xac\",\"\xf0\x9f\x98\x80\",\"\\/\\b\\f\\n\\r\\t\"]",
	"{\"\":{\"\":[[],{},\"\",0]},\"k\\u0041\":9223372036854775807}",
	"[0, 1e5, 123.456, -9223372036854775808, 1E-7, 0.0]",
	"{\"x\": \"0123456789abcdef0123456789abcdef\\\\0123456789\"}",
	"\"\\uD834\\uDD1E plain \xed\x9f\xbf text \xee\x80\x80\"",
	"  [ { \"a\" : [ \"b\" , { \"c\" : null } ] } ]  ",
};

static const unsigned char interesting[] = {
	'"', '\\', 'u', '{', '}', '[', ']', ',', ':', '0', '1', '9', '-', '+', '.',
	'e', 'E', ' ', '\t', '\n', 'a', 'f', 't', 'n', 'D', 'd', '8', 0x00, 0x01,
	0x1f, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xa0, 0xf0, 0xf4, 0x90, 0xff,
};

static const char *const snippets[] = {
	"\\u", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\u0000", "\\x", "\\u00e9",
	"\xe2\x82\xac", "\xed\xa0\x80", "\xc0\x80", "1e400", "-0", "[", "]", "{}", "\"",
};

static unsigned char pick(void)
{
	return rnd() & 1 ? interesting[below(sizeof interesting)] : (unsigned char)rnd();
}

/* Apply one random edit to doc[0..*n) (capacity cap). */
static void mutate(char *doc, size_t *n, size_t cap)
{
	size_t at = below(*n + 1), len, from;
	const char *s;

	switch (below(6)) {
	case 0:         /* replace a byte */
		if (*n)
			doc[below(*n)] = (char)pick();
		break;
	case 1:         /* insert a byte */
		if (*n < cap) {
			memmove(doc + at + 1, doc + at, *n - at);
			doc[at] = (char)pick();
			++*n;
		}
		break;
	case 2:         /* delete a byte */
		if (at < *n) {
			memmove(doc + at, doc + at + 1, *n - at - 1);
			--*n;
		}
		break;
	case 3:         /* cut the end off */
		*n = at;
		break;
	case 4:         /* copy a span elsewhere */
		from = below(*n);
		len = below(*n - from + 1);
		if (len > 16)
			len = 16;
		if (*n + len <= cap) {
			char tmp[16];

			memcpy(tmp, doc + from, len);
			memmove(doc + at + len, doc + at, *n - at);
			memcpy(doc + at, tmp, len);
			*n += len;
		}
		break;
	default:        /* insert an escape or a sequence that tends to matter */
		s = snippets[below(sizeof snippets / sizeof snippets[0])];
		len = strlen(s);
		if (*n + len <= cap) {
			memmove(doc + at + len, doc + at, *n - at);
			memcpy(doc + at, s, len);
			*n += len;
		}
		break;
	}
}

static void test_fuzz(void **unused)
{
	char doc[1024];
	cf_json_error e;
	size_t n, accepted[NIMPL] = { 0 }, total = 20000;

	for (size_t k = 0; k < NIMPL; k++) {
		rng_state = 0x9E3779B97F4A7C15ull;   /* same documents for each */
		for (size_t i = 0; i < total; i++) {
			const char *seed = seeds[i % (sizeof seeds / sizeof seeds[0])];
			size_t edits = 1 + below(3);

			n = strlen(seed);
			memcpy(doc, seed, n);
			for (size_t m = 0; m < edits; m++)
				mutate(doc, &n, sizeof doc);
			accepted[k] += (size_t)agree(&impls[k], doc, n, &e, 0);
		}
	}
	/* the loop must exercise both outcomes to mean anything */
	assert_true(accepted[0] > total / 20 && accepted[0] < total - total / 20);
	assert_int_equal(accepted[0], accepted[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_escaped_keys),
		cmocka_unit_test(test_big_document),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_block_edges),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
