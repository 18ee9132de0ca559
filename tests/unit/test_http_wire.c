/*
 * test_http_wire.c - the HTTP/1.1 response parser (pipeline/util/http_wire.c)
 * as data: every response is fed whole, byte by byte, and cut in two at
 * every position (headers, chunk sizes, CR LF pairs and gzip streams split
 * across reads), and must give the same outcome, status, body, Retry-After
 * and connection reuse each time.  Errors are the libcurl codes curl 7.88
 * gives for the same bytes (checked by hand with curl(1) against a raw
 * server), except where noted as stricter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>
#include "http_wire.h"

typedef struct wcase {
	const char *name;
	const char *in;      /* NULL: built by the test (gzip cases) */
	size_t len;          /* 0: strlen(in) */
	int eof;             /* the connection ends after the bytes */
	int want;            /* CF_WIRE_DONE or -CF_WIRE_E* */
	long status;
	const char *body;
	int conn_close;
	const char *retry_after;
	size_t max;          /* body cap; 0: 1 MiB */
	size_t left_over;    /* bytes after the response, not taken */
} wcase;

#define OK200 "HTTP/1.1 200 OK\r\n"

static const wcase cases[] = {
	{ "length", OK200 "Content-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}",
	  0, 0, CF_WIRE_DONE, 200, "{\"ok\":true}", 0, "", 0, 0 },
	{ "length, bytes after it", OK200 "Content-Length: 2\r\n\r\nokEXTRA",
	  0, 0, CF_WIRE_DONE, 200, "ok", 0, "", 0, 5 },
	{ "chunked, extensions, trailers", OK200 "Transfer-Encoding: chunked\r\n\r\n"
	  "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n",
	  0, 0, CF_WIRE_DONE, 200, "Wikipedia in\r\n\r\nchunks.", 0, "", 0, 0 },
	{ "chunked, upper and lower hex, LF only", OK200 "transfer-encoding: Chunked\n\n"
	  "a\nabcdefghij\nA\r\nABCDEFGHIJ\r\n0\n\n",
	  0, 0, CF_WIRE_DONE, 200, "abcdefghijABCDEFGHIJ", 0, "", 0, 0 },
	{ "chunked wins over a length", OK200 "Content-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "2\r\nok\r\n0\r\n\r\n", 0, 0, CF_WIRE_DONE, 200, "ok", 0, "", 0, 0 },
	{ "100 Continue skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
	  "Content-Length: 2\r\n\r\nok", 0, 0, CF_WIRE_DONE, 201, "ok", 0, "", 0, 0 },
	{ "Connection: close honoured", OK200 "Connection: close\r\nContent-Length: 2\r\n\r\nok",
	  0, 0, CF_WIRE_DONE, 200, "ok", 1, "", 0, 0 },
	{ "HTTP/1.0 closes", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
	  0, 0, CF_WIRE_DONE, 200, "ok", 1, "", 0, 0 },
	{ "HTTP/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok",
	  0, 0, CF_WIRE_DONE, 200, "ok", 0, "", 0, 0 },
	{ "body until the end", OK200 "\r\nuntil close", 0, 1, CF_WIRE_DONE, 200, "until close", 1, "", 0, 0 },
	{ "204 without a body", "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, CF_WIRE_DONE, 204, "", 0, "", 0, 0 },
	{ "429 with Retry-After", "HTTP/1.1 429 Too Many Requests\r\nRetry-After:  7 \r\n"
	  "Content-Length: 4\r\n\r\nslow", 0, 0, CF_WIRE_DONE, 429, "slow", 0, "7", 0, 0 },
	{ "a Retry-After date", "HTTP/1.1 503 Busy\r\nretry-after: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
	  "Content-Length: 0\r\n\r\n", 0, 0, CF_WIRE_DONE, 503, "", 0,
	  "Wed, 21 Oct 2015 07:28:00 GMT", 0, 0 },
	{ "status without a reason", "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok",
	  0, 0, CF_WIRE_DONE, 200, "ok", 0, "", 0, 0 },
	{ "identity coding", OK200 "Content-Encoding: identity\r\nContent-Length: 2\r\n\r\nok",
	  0, 0, CF_WIRE_DONE, 200, "ok", 0, "", 0, 0 },
	/* errors */
	{ "nothing at all", "", 0, 1, -CF_WIRE_ENOTHING, 0, "", 1, "", 0, 0 },
	{ "not HTTP (0.9)", "garbage\r\n\r\n", 0, 0, -CF_WIRE_EPROTO, 0, "", 1, "", 0, 0 },
	{ "bad status code", "HTTP/1.1 abc\r\n\r\n", 0, 0, -CF_WIRE_EPROTO, 0, "", 1, "", 0, 0 },
	{ "status 99", "HTTP/1.1 99 OK\r\n\r\n", 0, 0, -CF_WIRE_EPROTO, 0, "", 1, "", 0, 0 },
	{ "status 1000", "HTTP/1.1 1000 OK\r\n\r\n", 0, 0, -CF_WIRE_EPROTO, 0, "", 1, "", 0, 0 },
	{ "HTTP/2 status line", "HTTP/2 200\r\n\r\n", 0, 0, -CF_WIRE_EPROTO, 0, "", 1, "", 0, 0 },
	{ "101 unasked", "HTTP/1.1 101 Switching\r\n\r\n", 0, 0, -CF_WIRE_EPROTO, 0, "", 1, "", 0, 0 },
	{ "NUL in the status line", "HTTP/1.1 200 O\0K\r\n\r\n", 19, 0, -CF_WIRE_EPROTO, 0, "", 1, "", 0, 0 },
	{ "header without colon", OK200 "badheader\r\nContent-Length: 2\r\n\r\nok",
	  0, 0, -CF_WIRE_EWEIRD, 200, "", 1, "", 0, 0 },
	{ "bad length", OK200 "Content-Length: abc\r\n\r\nok", 0, 0, -CF_WIRE_EWEIRD, 200, "", 1, "", 0, 0 },
	{ "negative length", OK200 "Content-Length: -1\r\n\r\nok", 0, 0, -CF_WIRE_EWEIRD, 200, "", 1, "", 0, 0 },
	{ "two different lengths (curl: partial)", OK200 "Content-Length: 2\r\nContent-Length: 3\r\n\r\nok",
	  0, 0, -CF_WIRE_EWEIRD, 200, "", 1, "", 0, 0 },
	{ "huge length", OK200 "Content-Length: 99999999999999999999999\r\n\r\n",
	  0, 0, -CF_WIRE_EWEIRD, 200, "", 1, "", 0, 0 },
	{ "unknown coding", OK200 "Content-Encoding: br2\r\nContent-Length: 2\r\n\r\nok",
	  0, 0, -CF_WIRE_EENCODING, 200, "", 1, "", 0, 0 },
	{ "not gzip", OK200 "Content-Encoding: gzip\r\nContent-Length: 2\r\n\r\nok",
	  0, 0, -CF_WIRE_EENCODING, 200, "", 1, "", 0, 0 },
	{ "gzip transfer coding", OK200 "Transfer-Encoding: gzip\r\n\r\nok",
	  0, 0, -CF_WIRE_EENCODING, 200, "", 1, "", 0, 0 },
	{ "bad chunk size", OK200 "Transfer-Encoding: chunked\r\n\r\nzz\r\nab",
	  0, 0, -CF_WIRE_ERECV, 200, "", 1, "", 0, 0 },
	{ "chunk without its CR LF", OK200 "Transfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n",
	  0, 0, -CF_WIRE_ERECV, 200, "", 1, "", 0, 0 },
	{ "huge chunk size", OK200 "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
	  0, 0, -CF_WIRE_ERECV, 200, "", 1, "", 0, 0 },
	{ "chunked cut", OK200 "Transfer-Encoding: chunked\r\n\r\n5\r\nab", 0, 1,
	  -CF_WIRE_EPARTIAL, 200, "", 1, "", 0, 0 },
	{ "chunked cut before the last chunk", OK200 "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n",
	  0, 1, -CF_WIRE_EPARTIAL, 200, "", 1, "", 0, 0 },
	{ "length cut", OK200 "Content-Length: 10\r\n\r\nabc", 0, 1, -CF_WIRE_EPARTIAL, 200, "", 1, "", 0, 0 },
	{ "cut inside the headers (curl: an empty 200)", OK200 "Content-Le", 0, 1,
	  -CF_WIRE_EPARTIAL, 200, "", 1, "", 0, 0 },
	{ "cut inside the status line", "HTTP/1.1 2", 0, 1, -CF_WIRE_EPARTIAL, 0, "", 1, "", 0, 0 },
	{ "body over the cap", OK200 "Content-Length: 10\r\n\r\n0123456789", 0, 0,
	  -CF_WIRE_ETOOBIG, 200, "", 1, "", 9, 0 },
	{ "chunked body over the cap", OK200 "Transfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n",
	  0, 0, -CF_WIRE_ETOOBIG, 200, "", 1, "", 9, 0 },
	{ "a body at the cap", OK200 "Content-Length: 10\r\n\r\n0123456789", 0, 0,
	  CF_WIRE_DONE, 200, "0123456789", 0, "", 11, 0 },
};

typedef struct outcome {
	int rc;
	long status;
	char body[4096];
	size_t body_len;
	int conn_close;
	char retry_after[64];
	size_t used;
} outcome;

/* Feed in[0..len) in pieces cut at the given positions (sorted, < len). */
static void run(const wcase *c, const char *in, size_t len, const size_t *cuts, size_t ncut,
                outcome *o)
{
	cf_http_wire w;
	cf_buf body = { 0 };
	size_t from = 0, i, used, to;
	int rc = CF_WIRE_MORE;

	body.max = c->max ? c->max : 1u << 20;
	cf_http_wire_init(&w, &body);
	o->used = 0;
	for (i = 0; i <= ncut && rc == CF_WIRE_MORE; i++) {
		to = i < ncut ? cuts[i] : len;
		rc = cf_http_wire_feed(&w, in + from, to - from, &used);
		o->used += used;
		if (rc == CF_WIRE_MORE)
			assert_int_equal(used, to - from);
		from = to;
	}
	if (rc == CF_WIRE_MORE && c->eof)
		rc = cf_http_wire_eof(&w);
	o->rc = rc;
	o->status = w.status >= 200 ? w.status : 0;
	o->body_len = body.len;
	assert_true(body.len < sizeof o->body);
	memcpy(o->body, body.p ? body.p : "", body.len);
	o->body[body.len] = '\0';
	o->conn_close = rc != CF_WIRE_DONE || w.conn_close;
	snprintf(o->retry_after, sizeof o->retry_after, "%s", w.retry_after);
	cf_http_wire_done(&w);
	cf_buf_free(&body);
}

static void check(const wcase *c, const char *in, size_t len, const char *how, const outcome *o)
{
	if (o->rc != c->want)
		fail_msg("%s (%s): rc %d, want %d", c->name, how, o->rc, c->want);
	if (c->want != CF_WIRE_DONE)
		return;
	if (o->status != c->status || o->body_len != strlen(c->body) ||
	    memcmp(o->body, c->body, o->body_len) != 0 || o->conn_close != c->conn_close ||
	    strcmp(o->retry_after, c->retry_after) != 0 || len - o->used != c->left_over)
		fail_msg("%s (%s): status %ld body '%s' close %d retry '%s' left %zu", c->name, how,
		         o->status, o->body, o->conn_close, o->retry_after, len - o->used);
}

/* Whole, byte by byte, and cut in two at every position. */
static void run_all_ways(const wcase *c, const char *in, size_t len)
{
	outcome o;
	size_t *cuts = malloc((len + 1) * sizeof *cuts), i;
	char how[64];

	assert_non_null(cuts);
	run(c, in, len, NULL, 0, &o);
	check(c, in, len, "whole", &o);
	for (i = 1; i < len; i++)
		cuts[i - 1] = i;
	run(c, in, len, cuts, len ? len - 1 : 0, &o);
	check(c, in, len, "byte by byte", &o);
	for (i = 1; i < len; i++) {
		run(c, in, len, &i, 1, &o);
		snprintf(how, sizeof how, "cut at %zu", i);
		check(c, in, len, how, &o);
	}
	free(cuts);
}

static void test_cases(void **st)
{
	size_t i;

	(void)st;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_all_ways(&cases[i], cases[i].in, cases[i].len ? cases[i].len : strlen(cases[i].in));
}

/* deflate src with zlib: gzip wrapper (wbits 31), zlib (15) or raw (-15) */
static size_t pack(const char *src, int wbits, unsigned char *out, size_t size)
{
	z_stream z;

	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)src;
	z.avail_in = (uInt)strlen(src);
	z.next_out = out;
	z.avail_out = (uInt)size;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return size - z.avail_out;
}

static void test_encoded(void **st)
{
	static const char text[] = "{\"choices\": [{\"message\": {\"content\": \"<new>NOT this "
	                           "review, NOT this review, NOT this review</new>\"}}]}";
	unsigned char z[512];
	char in[1024], *p;
	size_t zn, n, k;
	wcase c;
	int way;

	(void)st;
	for (way = 0; way < 6; way++) {
		const char *coding = way % 3 == 0 ? "gzip" : way % 3 == 1 ? "deflate" : "deflate";
		int wbits = way % 3 == 0 ? 31 : way % 3 == 1 ? 15 : -15;
		memset(&c, 0, sizeof c);
		c.name = way < 3 ? "encoded, by length" : "encoded, chunked";
		c.want = CF_WIRE_DONE;
		c.status = 200;
		c.body = text;
		c.retry_after = "";
		zn = pack(text, wbits, z, sizeof z);
		if (way < 3) {
			n = (size_t)sprintf(in, OK200 "Content-Encoding: %s\r\nContent-Length: %zu\r\n\r\n",
			                    coding, zn);
			memcpy(in + n, z, zn);
			n += zn;
		} else {
			/* chunks of 7 bytes: the stream is cut inside chunks too */
			n = (size_t)sprintf(in, OK200 "Content-Encoding: %s\r\nTransfer-Encoding: chunked\r\n\r\n",
			                    coding);
			for (k = 0; k < zn; k += 7) {
				size_t m = zn - k < 7 ? zn - k : 7;
				n += (size_t)sprintf(in + n, "%zx\r\n", m);
				memcpy(in + n, z + k, m);
				n += m;
				memcpy(in + n, "\r\n", 2);
				n += 2;
			}
			memcpy(in + n, "0\r\n\r\n", 5);
			n += 5;
		}
		run_all_ways(&c, in, n);
		/* the same stream cut short: a length that ends inside it */
		if (way < 3) {
			p = strstr(in, "Content-Length: ");
			assert_non_null(p);
			n = (size_t)sprintf(in, OK200 "Content-Encoding: %s\r\nContent-Length: %zu\r\n\r\n",
			                    coding, zn - 4);
			memcpy(in + n, z, zn - 4);
			n += zn - 4;
			c.name = "encoded stream cut short";
			c.want = -CF_WIRE_EENCODING;
			run_all_ways(&c, in, n);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_encoded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
