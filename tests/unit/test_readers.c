/*
 * test_readers.c - the JSONL, CSV and TSV readers (include/cfaug/reader.h).
 *
 * Small inputs are fixtures in tests/data/readers/; inputs with odd bytes
 * (BOM, CRLF, NUL, invalid UTF-8) or of large size are written to a temp
 * directory by the test itself.  The real CAD corpora are read from
 * ../shared/data when present, else that test is skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "cfaug/reader.h"

#define FIXTURE(name) TEST_DATA_DIR "/readers/" name
#define SHARED_DATA "../shared/data"

static char tmpdir[] = "/tmp/cfaug-readers-XXXXXX";
static int tmpn;

/* Write len bytes to a new file in the temp directory; returns its path
 * (static storage, one per call, freed by the caller). */
static char *write_tmp(const char *data, size_t len)
{
	char *path = malloc(sizeof tmpdir + 32);
	FILE *f;

	assert_non_null(path);
	snprintf(path, sizeof tmpdir + 32, "%s/in%d", tmpdir, tmpn++);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static cf_reader *open_ok(const char *path, cf_format fmt, size_t max)
{
	cf_reader *r = NULL;
	cf_error err = {0};

	assert_int_equal(cf_reader_open(&r, path, fmt, max, &err), 0);
	assert_non_null(r);
	return r;
}

/* Next record must be OK and start on line; returns the object (owned). */
static json_t *expect_ok(cf_reader *r, cf_raw *rec, long line, uint64_t recno)
{
	cf_error err = {0};
	int rc = cf_reader_next(r, rec, &err);

	if (rc != CF_READ_OK)
		fail_msg("expected OK at line %ld, got %d (%s) %s", line, rc,
		         rec->reason, err.msg);
	assert_int_equal(rec->line, line);
	assert_int_equal(rec->recno, recno);
	assert_non_null(rec->obj);
	assert_true(json_is_object(rec->obj));
	return rec->obj;
}

static void expect_bad(cf_reader *r, cf_raw *rec, long line, uint64_t recno,
                       const char *reason_part)
{
	cf_error err = {0};
	int rc = cf_reader_next(r, rec, &err);

	if (rc != CF_READ_BAD)
		fail_msg("expected BAD at line %ld, got %d %s", line, rc, err.msg);
	assert_int_equal(rec->line, line);
	assert_int_equal(rec->recno, recno);
	assert_null(rec->obj);
	if (!strstr(rec->reason, reason_part))
		fail_msg("reason \"%s\" lacks \"%s\"", rec->reason, reason_part);
	assert_true(rec->text_len <= CF_RAW_MAX);
}

static void expect_eof(cf_reader *r)
{
	cf_error err = {0};
	cf_raw rec;

	assert_int_equal(cf_reader_next(r, &rec, &err), CF_READ_EOF);
	assert_int_equal(err.code, 0);
	/* and it stays at the end */
	assert_int_equal(cf_reader_next(r, &rec, &err), CF_READ_EOF);
}

static void assert_field(json_t *obj, const char *key, const char *want)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		fail_msg("field \"%s\" missing or not a string", key);
	if (strcmp(json_string_value(v), want))
		fail_msg("field \"%s\": got \"%s\", want \"%s\"", key,
		         json_string_value(v), want);
}

static void assert_text(const cf_raw *rec, const char *want)
{
	assert_non_null(rec->text);
	assert_int_equal(rec->text_len, strlen(want));
	assert_memory_equal(rec->text, want, rec->text_len);
}

/* ---- formats ------------------------------------------------------------ */

static void test_format_names(void **unused)
{
	assert_int_equal(cf_format_from_path("a/b.jsonl"), CF_FMT_JSONL);
	assert_int_equal(cf_format_from_path("b.NDJSON"), CF_FMT_JSONL);
	assert_int_equal(cf_format_from_path("x.csv"), CF_FMT_CSV);
	assert_int_equal(cf_format_from_path("x.tsv"), CF_FMT_TSV);
	assert_int_equal(cf_format_from_path("x.txt"), CF_FMT_AUTO);
	assert_int_equal(cf_format_from_path("dir.csv/file"), CF_FMT_AUTO);
	assert_int_equal(cf_format_from_path("-"), CF_FMT_AUTO);
	/* the format under a compression suffix */
	assert_int_equal(cf_format_from_path("a/b.jsonl.gz"), CF_FMT_JSONL);
	assert_int_equal(cf_format_from_path("x.csv.zst"), CF_FMT_CSV);
	assert_int_equal(cf_format_from_path("x.TSV.ZSTD"), CF_FMT_TSV);
	assert_int_equal(cf_format_from_path("x.gz"), CF_FMT_AUTO);
	assert_int_equal(cf_format_from_path("dir.csv/x.gz"), CF_FMT_AUTO);
	assert_int_equal(cf_format_from_name("tsv"), CF_FMT_TSV);
	assert_int_equal(cf_format_from_name("xml"), CF_FMT_AUTO);
	assert_string_equal(cf_format_name(CF_FMT_CSV), "csv");
	assert_string_equal(cf_format_name(CF_FMT_JSONL), "jsonl");
}

static void test_open_errors(void **unused)
{
	cf_reader *r = (cf_reader *)&r;
	cf_error err = {0};

	assert_int_equal(cf_reader_open(&r, "/nonexistent/x.jsonl", CF_FMT_JSONL,
	                                0, &err), CF_EIO);
	assert_null(r);
	assert_string_equal(err.msg, "/nonexistent/x.jsonl: No such file or directory");

	memset(&err, 0, sizeof err);
	assert_int_equal(cf_reader_open(&r, TEST_DATA_DIR, CF_FMT_CSV, 0, &err),
	                 CF_EIO);
	assert_non_null(strstr(err.msg, "Is a directory"));

	memset(&err, 0, sizeof err);
	assert_int_equal(cf_reader_open(&r, "data.txt", CF_FMT_AUTO, 0, &err),
	                 CF_ECONFIG);
	assert_null(r);
	cf_reader_close(&r);        /* NULL is fine */
	cf_reader_close(NULL);
}

/* ---- JSONL --------------------------------------------------------------- */

static void test_jsonl_good(void **unused)
{
	cf_reader *r = open_ok(FIXTURE("good.jsonl"), CF_FMT_AUTO, 0);
	cf_raw rec;
	json_t *o;
	struct stat sb;

	o = expect_ok(r, &rec, 1, 1);
	assert_field(o, "text", "good one");
	assert_text(&rec, "{\"text\":\"good one\",\"label\":\"pos\"}");
	json_decref(o);
	/* lines 2 and 3 are blank: not records, but counted as lines */
	o = expect_ok(r, &rec, 4, 2);
	assert_field(o, "text", "caf\xc3\xa9 \xc3\xbcn\xc3\xaf");
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 3);
	json_decref(o);
	o = expect_ok(r, &rec, 5, 3);
	assert_field(o, "text", "after blanks");
	assert_text(&rec, "{\"text\":\"after blanks\"}");
	json_decref(o);
	expect_eof(r);
	assert_int_equal(stat(FIXTURE("good.jsonl"), &sb), 0);
	assert_int_equal(cf_reader_bytes(r), (uint64_t)sb.st_size);
	cf_reader_close(&r);
	assert_null(r);
}

static void test_jsonl_bom_crlf(void **unused)
{
	static const char in[] = "\xEF\xBB\xBF{\"a\":\"x\"}\r\n\r\n \t\r\n{\"b\":2}\r\n"
	                         "{\"c\":3}";       /* no final newline */
	char *path = write_tmp(in, sizeof in - 1);
	cf_reader *r = open_ok(path, CF_FMT_JSONL, 0);
	cf_raw rec;

	json_decref(expect_ok(r, &rec, 1, 1));
	assert_text(&rec, "{\"a\":\"x\"}");      /* no BOM, no \r */
	json_decref(expect_ok(r, &rec, 4, 2));
	assert_text(&rec, "{\"b\":2}");
	json_decref(expect_ok(r, &rec, 5, 3));
	assert_text(&rec, "{\"c\":3}");
	expect_eof(r);
	assert_int_equal(cf_reader_bytes(r), sizeof in - 1);
	cf_reader_close(&r);
	free(path);
}

static void test_jsonl_bad_lines(void **unused)
{
	static const char in[] =
		"{\"a\":1\n"                          /* 1 malformed */
		"[1,2]\n"                             /* 2 array */
		"42\n"                                /* 3 number */
		"{\"a\":\"ok\xff\"}\n"                /* 4 invalid byte */
		"{\"a\":\"\xed\xa0\x80\"}\n"          /* 5 UTF-16 surrogate */
		"{\"a\":\"x\0y\"}\n"                  /* 6 NUL */
		"{\"a\":1} {\"b\":2}\n"               /* 7 two values */
		"\n"
		"{\"good\":true}\n";                  /* 9 */
	char *path = write_tmp(in, sizeof in - 1);
	cf_reader *r = open_ok(path, CF_FMT_JSONL, 0);
	cf_raw rec;
	json_t *o;

	expect_bad(r, &rec, 1, 1, "invalid JSON: unexpected end of input after byte 6");
	assert_text(&rec, "{\"a\":1");
	expect_bad(r, &rec, 2, 2, "not a JSON object (got an array)");
	expect_bad(r, &rec, 3, 3, "not a JSON object (got a number)");
	expect_bad(r, &rec, 4, 4, "invalid UTF-8 at byte 9");
	expect_bad(r, &rec, 5, 5, "invalid UTF-8 at byte 7");
	expect_bad(r, &rec, 6, 6, "NUL byte at byte 8");
	assert_int_equal(rec.text_len, 11);
	expect_bad(r, &rec, 7, 7, "invalid JSON: trailing characters at byte 9");
	o = expect_ok(r, &rec, 9, 8);
	assert_true(json_is_true(json_object_get(o, "good")));
	json_decref(o);
	expect_eof(r);
	cf_reader_close(&r);
	free(path);
}

/* A line far bigger than the read buffer is skipped, not kept, and reading
 * goes on; a line of exactly max bytes (plus "\r\n") is fine. */
static void test_jsonl_overlong(void **unused)
{
	const size_t max = 64, big = 3u << 20;
	char *in = malloc(big + 512), *path, *p;
	cf_reader *r;
	cf_raw rec;
	json_t *o;

	assert_non_null(in);
	p = in;
	p += sprintf(p, "{\"n\":1}\n{\"t\":\"");
	memset(p, 'x', big);
	p += big;
	p += sprintf(p, "\"}\n{\"n\":2}\n");
	/* exactly max bytes: {"t":"xxx...x"} */
	p += sprintf(p, "{\"t\":\"%.*s\"}\r\n", (int)(max - 8),
	             "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
	p += sprintf(p, "{\"t\":\"%.*s\"}\n", (int)(max - 7),   /* max + 1 */
	             "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
	p += sprintf(p, "{\"n\":3}");
	path = write_tmp(in, (size_t)(p - in));
	r = open_ok(path, CF_FMT_JSONL, max);

	json_decref(expect_ok(r, &rec, 1, 1));
	expect_bad(r, &rec, 2, 2, "record exceeds max_record_bytes (64)");
	assert_int_equal(rec.text_len, CF_RAW_MAX);
	assert_memory_equal(rec.text, "{\"t\":\"xxxx", 10);
	o = expect_ok(r, &rec, 3, 3);
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 2);
	json_decref(o);
	json_decref(expect_ok(r, &rec, 4, 4));
	assert_int_equal(rec.text_len, max);
	expect_bad(r, &rec, 5, 5, "exceeds max_record_bytes");
	assert_int_equal(rec.text_len, max + 1);
	o = expect_ok(r, &rec, 6, 6);
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 3);
	json_decref(o);
	expect_eof(r);
	assert_int_equal(cf_reader_bytes(r), (uint64_t)(p - in));
	cf_reader_close(&r);
	free(path);
	free(in);
}

/* Many records over several reads: none is lost or split at a boundary. */
static void test_jsonl_many(void **unused)
{
	const int n = 40000;
	size_t cap = (size_t)n * 64, len = 0;
	char *in = malloc(cap), *path;
	cf_reader *r;
	cf_raw rec;
	json_t *o;

	assert_non_null(in);
	for (int i = 0; i < n; i++)
		len += (size_t)sprintf(in + len, "{\"i\":%d,\"pad\":\"%.*s\"}\n", i,
		                       i % 29, "pppppppppppppppppppppppppppppp");
	path = write_tmp(in, len);
	r = open_ok(path, CF_FMT_JSONL, 100);
	for (int i = 0; i < n; i++) {
		o = expect_ok(r, &rec, i + 1, (uint64_t)i + 1);
		assert_int_equal(json_integer_value(json_object_get(o, "i")), i);
		json_decref(o);
	}
	expect_eof(r);
	assert_int_equal(cf_reader_bytes(r), len);
	cf_reader_close(&r);
	free(path);
	free(in);
}

/* The reader's JSON parser (cf_json_parse) must agree with jansson on
 * every line: same verdict (object or bad) and equal values.  Seeds with escapes,
 * surrogates, numbers at the edges and nesting, plus many deterministic
 * random mutations of them. */
static const char *const seeds[] = {
	"{\"text\":\"plain\",\"label\":\"pos\"}",
	"{\"a\":\"esc \\\" \\\\ \\/ \\b\\f\\n\\r\\t end\"}",
	"{\"u\":\"\\u00e9\\u20AC\\ud83d\\ude00\\u0041\",\"k\\u00e9y\":1}",
	"{\"lone\":\"\\ud800x\",\"low\":\"\\udc00\"}",
	"{\"nul\":\"a\\u0000b\"}",
	"{\"n\":[0,-0,1,-1,9223372036854775807,-9223372036854775808]}",
	"{\"big\":9223372036854775808}",
	"{\"r\":[0.5,-0.0,1e10,1E-5,2.5e+3,1e400,1e-400,0.1]}",
	"{\"nest\":{\"a\":[{\"b\":{\"c\":[[],{}]}}],\"t\":true,\"f\":false,\"z\":null}}",
	"  {\"ws\" : [ 1 , 2 ] , \"x\" : { } }  ",
	"{\"dup\":1,\"dup\":2}",
	"{\"utf\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}",
	"{}",
	"[1,2]",
	"{\"long\":\"0123456789abcdef0123456789abcdef0123456789abcdef\"}",
};

static void test_jsonl_agrees_with_jansson(void **unused)
{
	static const char alphabet[] = "{}[]\",:\\u0189aefAEF.eE+-tfnrul \t/"
	                               "\xc3\xa9\xed\xf0\x80\x01\x1f";
	const int copies = 1500;
	size_t cap = 1u << 22, len = 0, nseeds = sizeof seeds / sizeof *seeds;
	char *in = malloc(cap), *path, **lines;
	size_t *lens, nlines = 0;
	uint64_t rng = 0x9E3779B97F4A7C15ull, recno = 0;
	cf_reader *r;
	cf_raw rec;
	cf_error err = {0};
	int ok_seen = 0, bad_seen = 0;

	lines = calloc(nseeds * (size_t)copies, sizeof *lines);
	lens = calloc(nseeds * (size_t)copies, sizeof *lens);
	assert_true(in && lines && lens);
	for (int c = 0; c < copies; c++) {
		for (size_t i = 0; i < nseeds; i++) {
			char buf[512];
			size_t n = strlen(seeds[i]);
			int edits = c == 0 ? 0 : 1 + (int)(rng % 3);

			memcpy(buf, seeds[i], n);
			for (int k = 0; k < edits && n > 1; k++) {
				size_t at;
				char ch;

				rng = rng * 6364136223846793005ull + 1442695040888963407ull;
				at = (size_t)(rng >> 33) % n;
				ch = alphabet[(rng >> 20) % (sizeof alphabet - 1)];
				switch ((rng >> 10) % 3) {
				case 0: buf[at] = ch; break;
				case 1: memmove(buf + at, buf + at + 1, n - at - 1); n--; break;
				default:
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = ch;
					n++;
				}
			}
			lines[nlines] = malloc(n);
			assert_non_null(lines[nlines]);
			memcpy(lines[nlines], buf, n);
			lens[nlines++] = n;
			memcpy(in + len, buf, n);
			len += n;
			in[len++] = '\n';
		}
	}
	path = write_tmp(in, len);
	r = open_ok(path, CF_FMT_JSONL, 0);
	for (size_t i = 0; i < nlines; i++) {
		json_error_t je;
		json_t *want;
		size_t n = lens[i], b;
		int rc;

		for (b = 0; b < n && strchr(" \t", lines[i][b]); b++)
			;
		if (b == n)
			continue;                /* blank: not a record */
		want = json_loadb(lines[i], n, 0, &je);
		rc = cf_reader_next(r, &rec, &err);
		assert_int_equal(rec.recno, ++recno);
		assert_int_equal(rec.line, (long)i + 1);
		if (want && json_is_object(want)) {
			if (rc != CF_READ_OK)
				fail_msg("line %zu: jansson accepts, reader says %s",
				         i + 1, rec.reason);
			assert_true(json_equal(want, rec.obj));
			json_decref(rec.obj);
			ok_seen++;
		} else {
			if (rc != CF_READ_BAD)
				fail_msg("line %zu \"%.*s\": jansson refuses, reader accepts",
				         i + 1, (int)n, lines[i]);
			bad_seen++;
		}
		json_decref(want);
	}
	expect_eof(r);
	/* the mutations exercise both sides */
	assert_true(ok_seen > 1000 && bad_seen > 1000);
	cf_reader_close(&r);
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	free(lens);
	free(path);
	free(in);
}

/* Nesting up to CF_JSON_MAX_DEPTH (512) is fine, deeper is a bad record
 * (jansson would allow 2048). */
static void test_jsonl_deep(void **unused)
{
	char *in = malloc(20000), *path;
	size_t len = 0;
	cf_reader *r;
	cf_raw rec;

	assert_non_null(in);
	for (int depth = 300; depth <= 3000; depth += 2700) {
		len += (size_t)sprintf(in + len, "{\"a\":");
		for (int i = 1; i < depth; i++)
			in[len++] = '[';
		for (int i = 1; i < depth; i++)
			in[len++] = ']';
		in[len++] = '}';
		in[len++] = '\n';
	}
	path = write_tmp(in, len);
	r = open_ok(path, CF_FMT_JSONL, 0);
	json_decref(expect_ok(r, &rec, 1, 1));
	expect_bad(r, &rec, 2, 2, "invalid JSON: nesting too deep at byte 517");
	expect_eof(r);
	cf_reader_close(&r);
	free(path);
	free(in);
}

static void test_empty_inputs(void **unused)
{
	char *path = write_tmp("", 0);
	cf_reader *r;

	r = open_ok(path, CF_FMT_JSONL, 0);
	expect_eof(r);
	cf_reader_close(&r);
	r = open_ok(path, CF_FMT_CSV, 0);
	expect_eof(r);
	cf_reader_close(&r);
	free(path);
	/* a header and nothing else */
	path = write_tmp("a,b\n", 4);
	r = open_ok(path, CF_FMT_CSV, 0);
	expect_eof(r);
	cf_reader_close(&r);
	free(path);
}

/* ---- CSV / TSV ----------------------------------------------------------- */

static void test_csv_quoting(void **unused)
{
	cf_reader *r = open_ok(FIXTURE("quoting.csv"), CF_FMT_AUTO, 0);
	cf_raw rec;
	json_t *o;

	o = expect_ok(r, &rec, 2, 1);
	assert_field(o, "id", "1");
	assert_field(o, "text", "plain");
	assert_field(o, "label", "pos");     /* no '\r' from the CRLF */
	assert_int_equal(json_object_size(o), 3);
	assert_null(rec.text);
	json_decref(o);
	o = expect_ok(r, &rec, 3, 2);
	assert_field(o, "text", "with, comma");
	json_decref(o);
	o = expect_ok(r, &rec, 4, 3);
	assert_field(o, "text", "say \"hi\"");
	json_decref(o);
	o = expect_ok(r, &rec, 5, 4);
	assert_field(o, "text", "two\nlines");
	assert_field(o, "label", "neg");
	json_decref(o);
	/* line 7 is empty: skipped, counted */
	o = expect_ok(r, &rec, 8, 5);
	assert_field(o, "text", "mid\"quote");
	json_decref(o);
	/* RFC 4180: nothing but a delimiter or a line end after a closing quote */
	expect_bad(r, &rec, 9, 6, "unexpected character after closing quote at line 9");
	assert_text(&rec, "6,\"closed\"tail,neg");
	o = expect_ok(r, &rec, 10, 7);
	assert_field(o, "text", "");
	assert_field(o, "label", "");
	json_decref(o);
	o = expect_ok(r, &rec, 11, 8);
	assert_field(o, "text", "");
	assert_field(o, "label", "");
	json_decref(o);
	expect_eof(r);
	cf_reader_close(&r);
}

static void test_tsv_quoting(void **unused)
{
	cf_reader *r = open_ok(FIXTURE("quoting.tsv"), CF_FMT_AUTO, 0);
	cf_raw rec;
	json_t *o;

	json_decref(expect_ok(r, &rec, 2, 1));
	o = expect_ok(r, &rec, 3, 2);
	assert_field(o, "text", "with\ttab, and comma");
	json_decref(o);
	o = expect_ok(r, &rec, 4, 3);
	assert_field(o, "text", "say \"hi\"");
	json_decref(o);
	o = expect_ok(r, &rec, 5, 4);
	assert_field(o, "text", "two\nlines\n<br />three");
	assert_field(o, "label", "neg");
	json_decref(o);
	o = expect_ok(r, &rec, 8, 5);            /* after a 3-line record */
	assert_field(o, "text", "c1 \xc2\x96 control");
	json_decref(o);
	expect_eof(r);
	cf_reader_close(&r);
}

static void test_csv_bad_rows(void **unused)
{
	static const char in[] =
		"\xEF\xBB\xBF" "a,b\r\n"
		"1,2,3\r\n"                       /* 2: too many */
		"1\r\n"                           /* 3: too few */
		"x,\"caf\xc3\"\r\n"               /* 4: cut UTF-8 sequence */
		"x,\"multi\r\nline\"\r\n"         /* 5-6: good, CRLF inside quotes */
		"y,\"q\0\"\r\n"                   /* 7: NUL */
		"ok,fine\r\n"                     /* 8 */
		"z,\"never\nclosed,\n";           /* 9-10: open quote at EOF */
	char *path = write_tmp(in, sizeof in - 1);
	cf_reader *r = open_ok(path, CF_FMT_CSV, 0);
	cf_raw rec;
	json_t *o;

	expect_bad(r, &rec, 2, 1, "expected 2 fields, got 3");
	assert_text(&rec, "1,2,3");
	expect_bad(r, &rec, 3, 2, "expected 2 fields, got 1");
	expect_bad(r, &rec, 4, 3, "invalid UTF-8 at byte 7");
	o = expect_ok(r, &rec, 5, 4);
	assert_field(o, "b", "multi\r\nline");
	json_decref(o);
	expect_bad(r, &rec, 7, 5, "NUL byte at byte 5");
	o = expect_ok(r, &rec, 8, 6);
	assert_field(o, "a", "ok");
	assert_field(o, "b", "fine");
	json_decref(o);
	/* only the first line is the bad record; reading resumes after it */
	expect_bad(r, &rec, 9, 7, "unterminated quote at end of input (opened at line 9)");
	assert_text(&rec, "z,\"never");
	o = expect_ok(r, &rec, 10, 8);
	assert_field(o, "a", "closed");
	assert_field(o, "b", "");
	json_decref(o);
	expect_eof(r);
	assert_int_equal(cf_reader_bytes(r), sizeof in - 1);
	cf_reader_close(&r);
	free(path);
}

/* Over-long rows.  A quoted field still open after max_record_bytes cannot
 * be told from an unbalanced quote without keeping it, so its first line is
 * the bad record and its later lines are read as rows (bad ones here, being
 * over-long too); the row after it is found with the right line.  A single
 * over-long line, quoted or not, is skipped to its end. */
static void test_csv_overlong(void **unused)
{
	const size_t max = 64, big = 2u << 20;
	char *in = malloc(big + 512), *path, *p;
	cf_reader *r;
	cf_raw rec;
	json_t *o;

	assert_non_null(in);
	p = in;
	p += sprintf(p, "id\ttext\n1\tshort\n2\t\"");
	for (size_t i = 0; i < big; i++)  /* 1024 quoted newlines, and "" pairs */
		*p++ = i % 2048 == 0 ? '\n' : (i % 8 == 3 || i % 8 == 4) ? '"' : 'x';
	p += sprintf(p, "\"\t\n3\tafter\n4\t\"");
	memset(p, 'y', 300);
	p += 300;
	p += sprintf(p, "\"\r\n5\tlast\r\n");
	path = write_tmp(in, (size_t)(p - in));
	r = open_ok(path, CF_FMT_TSV, max);

	json_decref(expect_ok(r, &rec, 2, 1));
	expect_bad(r, &rec, 3, 2, "quote opened at line 3 not closed within "
	           "max_record_bytes (64)");
	assert_text(&rec, "2\t\"");
	/* lines 4..1027: 2047 bytes of x and "" each */
	for (long k = 0; k < 1024; k++) {
		expect_bad(r, &rec, 4 + k, 3 + (uint64_t)k,
		           "record exceeds max_record_bytes (64)");
		assert_int_equal(rec.text_len, CF_RAW_MAX);
	}
	o = expect_ok(r, &rec, 1028, 1027);
	assert_field(o, "text", "after");
	json_decref(o);
	expect_bad(r, &rec, 1029, 1028, "record exceeds max_record_bytes (64)");
	assert_memory_equal(rec.text, "4\t\"yyyy", 7);
	o = expect_ok(r, &rec, 1030, 1029);
	assert_field(o, "text", "last");
	json_decref(o);
	expect_eof(r);
	assert_int_equal(cf_reader_bytes(r), (uint64_t)(p - in));
	cf_reader_close(&r);
	free(path);
	free(in);
}

/* Unbalanced quotes: the bad record is the row's first line and reading
 * resumes at the line after it, so nothing after it is swallowed. */
static void test_csv_quote_recovery(void **unused)
{
	static const char in[] =
		"id,text,label\r\n"            /* 1 */
		"1,\"ok\",pos\r\n"             /* 2 */
		"2,\"unbalanced here,neg\r\n"  /* 3: closed by line 4's quote ... */
		"3,\"fine\",pos\r\n"           /* 4 ... then 'f' follows: bad */
		"4,\"spaced\" ,neg\n"          /* 5: a space after the closing quote */
		"5,mid\"quote,pos\n"           /* 6: literal quote, lenient */
		"6,\"multi\n"                  /* 7-8: a good multi-line row */
		"line\",\"a,b\"\r\n"
		"7,\"two\n"                    /* 9-10: 4 fields over two lines */
		"lines\",x,y\n"                /* 10: read again on its own */
		"8,\"cr\"\rx,neg\n"            /* 11: '\r' not before '\n' */
		"9,\"open,pos\n"               /* 12: never closed */
		"10,plain,pos\n"               /* 13 */
		"11,x,end\n";                  /* 14 */
	char *path = write_tmp(in, sizeof in - 1);
	cf_reader *r = open_ok(path, CF_FMT_CSV, 0);
	cf_raw rec;
	json_t *o;

	o = expect_ok(r, &rec, 2, 1);
	assert_field(o, "text", "ok");
	json_decref(o);
	expect_bad(r, &rec, 3, 2, "unexpected character after closing quote at line 4");
	assert_text(&rec, "2,\"unbalanced here,neg");
	o = expect_ok(r, &rec, 4, 3);
	assert_field(o, "id", "3");
	assert_field(o, "text", "fine");
	assert_field(o, "label", "pos");
	json_decref(o);
	expect_bad(r, &rec, 5, 4, "unexpected character after closing quote at line 5");
	assert_text(&rec, "4,\"spaced\" ,neg");
	o = expect_ok(r, &rec, 6, 5);
	assert_field(o, "text", "mid\"quote");
	json_decref(o);
	o = expect_ok(r, &rec, 7, 6);
	assert_field(o, "text", "multi\nline");
	assert_field(o, "label", "a,b");
	json_decref(o);
	expect_bad(r, &rec, 9, 7, "expected 3 fields, got 4 in a row over lines 9-10");
	assert_text(&rec, "7,\"two");
	o = expect_ok(r, &rec, 10, 8);
	assert_field(o, "id", "lines\"");
	json_decref(o);
	expect_bad(r, &rec, 11, 9, "unexpected character after closing quote at line 11");
	expect_bad(r, &rec, 12, 10, "unterminated quote at end of input (opened at line 12)");
	assert_text(&rec, "9,\"open,pos");
	o = expect_ok(r, &rec, 13, 11);
	assert_field(o, "id", "10");
	json_decref(o);
	o = expect_ok(r, &rec, 14, 12);
	assert_field(o, "label", "end");
	json_decref(o);
	expect_eof(r);
	assert_int_equal(cf_reader_bytes(r), sizeof in - 1);
	cf_reader_close(&r);
	free(path);

	/* a closing quote then "\r" at the very end of input is a line end */
	path = write_tmp("a,b\n1,\"x\"\r", 10);
	r = open_ok(path, CF_FMT_CSV, 0);
	o = expect_ok(r, &rec, 2, 1);
	assert_field(o, "b", "x");
	json_decref(o);
	expect_eof(r);
	cf_reader_close(&r);
	free(path);
}

/* A quote that stays open past max_record_bytes: the first line is bad, the
 * rows it would have swallowed are read normally. */
static void test_tsv_quote_open_past_max(void **unused)
{
	char in[1024], *path;
	size_t len = 0;
	cf_reader *r;
	cf_raw rec;
	json_t *o;

	len += (size_t)sprintf(in + len, "id\ttext\n1\t\"never closed\n");
	for (int i = 2; i <= 12; i++)
		len += (size_t)sprintf(in + len, "%d\trow %d\n", i, i);
	path = write_tmp(in, len);
	r = open_ok(path, CF_FMT_TSV, 64);
	expect_bad(r, &rec, 2, 1, "quote opened at line 2 not closed within "
	           "max_record_bytes (64)");
	assert_text(&rec, "1\t\"never closed");
	for (int i = 2; i <= 12; i++) {
		char want[16];

		o = expect_ok(r, &rec, i + 1, (uint64_t)i);
		snprintf(want, sizeof want, "row %d", i);
		assert_field(o, "text", want);
		json_decref(o);
	}
	expect_eof(r);
	cf_reader_close(&r);
	free(path);
}

static void expect_header_error(const char *in, const char *msg_part)
{
	char *path = write_tmp(in, strlen(in));
	cf_reader *r = open_ok(path, CF_FMT_CSV, 0);
	cf_error err = {0};
	cf_raw rec;

	assert_int_equal(cf_reader_next(r, &rec, &err), CF_EDATA);
	if (!strstr(err.msg, msg_part))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg_part);
	assert_non_null(strstr(err.msg, path));
	/* sticky: the reader does not go on with a broken header */
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_reader_next(r, &rec, &err), CF_EDATA);
	assert_non_null(strstr(err.msg, msg_part));
	cf_reader_close(&r);
	free(path);
}

static void test_csv_header_errors(void **unused)
{
	expect_header_error("a,b,a\n1,2,3\n",
	                    ":1: duplicate header name \"a\" (columns 1 and 3)");
	expect_header_error("\na,,c\n1,2,3\n", ":2: header column 2 has an empty name");
	expect_header_error("a,\"b\n", ":1: bad header row: unterminated quote at end "
	                    "of input (opened at line 1)");
	expect_header_error("a,\"b\"c\n1,2\n", ":1: bad header row: unexpected "
	                    "character after closing quote at line 1");
	expect_header_error("a,\xc0\xaf\n", "invalid UTF-8 in the header at byte 3");
}

/* A UTF-16 or UTF-32 input is refused as a whole, with what it is and how
 * to convert it, instead of one NUL/UTF-8 error per line. */
static void test_wide_bom(void **unused)
{
	static const struct { const char *in; size_t len; const char *what; } c[] = {
		{ "\xFF\xFE{\0\"\0a\0\"\0:\0" "1\0}\0\n\0", 16, "UTF-16 LE" },
		{ "\xFE\xFF\0{\0\"\0a\0\"\0:\0" "1\0}\0\n", 16, "UTF-16 BE" },
		{ "\xFF\xFE\0\0{\0\0\0}\0\0\0", 12, "UTF-32 LE" },
		{ "\0\0\xFE\xFF\0\0\0{\0\0\0}", 12, "UTF-32 BE" },
		{ "\xFF\xFE", 2, "UTF-16 LE" },             /* just the mark */
	};
	static const cf_format fmts[] = { CF_FMT_JSONL, CF_FMT_CSV, CF_FMT_TSV };

	for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
		char *path = write_tmp(c[i].in, c[i].len);

		for (size_t f = 0; f < 3; f++) {
			cf_reader *r = open_ok(path, fmts[f], 0);
			cf_error err = {0};
			cf_raw rec;

			assert_int_equal(cf_reader_next(r, &rec, &err), CF_EDATA);
			if (!strstr(err.msg, c[i].what) || !strstr(err.msg, ":1: the input is ")
			    || !strstr(err.msg, "not UTF-8"))
				fail_msg("case %zu: message \"%s\"", i, err.msg);
			memset(&err, 0, sizeof err);
			assert_int_equal(cf_reader_next(r, &rec, &err), CF_EDATA);
			cf_reader_close(&r);
		}
		free(path);
	}
}

/* ---- the real corpora ------------------------------------------------------ */

static void test_cad_corpora(void **unused)
{
	static const struct { const char *file; long rows; } want[] = {
		{ "cad-sentiment/orig_train.tsv", 1707 },
		{ "cad-sentiment/orig_dev.tsv", 245 },
		{ "cad-sentiment/revised_train.tsv", 1707 },
		{ "cad-sentiment/revised_dev.tsv", 245 },
		{ "cad-sentiment/paired_train.tsv", 3414 },
		{ "cad-sentiment/paired_dev.tsv", 490 },
		{ "cad-nli/original_train.tsv", 1666 },
		{ "cad-nli/original_dev.tsv", 200 },
		{ "cad-nli/revised_train.tsv", 6664 },
		{ "cad-nli/revised_dev.tsv", 800 },
	};
	char path[512];
	struct stat sb;

	if (stat(SHARED_DATA, &sb) != 0 || !S_ISDIR(sb.st_mode))
		skip();
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		cf_reader *r;
		cf_error err = {0};
		cf_raw rec;
		long ok = 0, bad = 0, last_line = 0;
		int rc;

		snprintf(path, sizeof path, "%s/%s", SHARED_DATA, want[i].file);
		r = open_ok(path, CF_FMT_AUTO, 0);
		while ((rc = cf_reader_next(r, &rec, &err)) > 0) {
			if (rc == CF_READ_OK) {
				ok++;
				/* every row has a non-empty first column */
				assert_true(json_object_size(rec.obj) >= 2);
				json_decref(rec.obj);
			} else {
				bad++;
				print_error("%s:%ld: %s\n", path, rec.line, rec.reason);
			}
			assert_true(rec.line > last_line);
			last_line = rec.line;
		}
		assert_int_equal(rc, CF_READ_EOF);
		assert_int_equal(bad, 0);
		if (ok != want[i].rows)
			fail_msg("%s: %ld rows, want %ld", path, ok, want[i].rows);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(cf_reader_bytes(r), (uint64_t)sb.st_size);
		cf_reader_close(&r);
	}
}

static int setup(void **unused)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **unused)
{
	char path[sizeof tmpdir + 32];

	for (int i = 0; i < tmpn; i++) {
		snprintf(path, sizeof path, "%s/in%d", tmpdir, i);
		unlink(path);
	}
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_jsonl_good),
		cmocka_unit_test(test_jsonl_bom_crlf),
		cmocka_unit_test(test_jsonl_bad_lines),
		cmocka_unit_test(test_jsonl_overlong),
		cmocka_unit_test(test_jsonl_many),
		cmocka_unit_test(test_jsonl_agrees_with_jansson),
		cmocka_unit_test(test_jsonl_deep),
		cmocka_unit_test(test_empty_inputs),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_tsv_quoting),
		cmocka_unit_test(test_csv_bad_rows),
		cmocka_unit_test(test_csv_overlong),
		cmocka_unit_test(test_csv_quote_recovery),
		cmocka_unit_test(test_tsv_quote_open_past_max),
		cmocka_unit_test(test_csv_header_errors),
		cmocka_unit_test(test_wide_bom),
		cmocka_unit_test(test_cad_corpora),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
