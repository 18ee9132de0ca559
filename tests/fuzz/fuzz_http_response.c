/*
 * fuzz_http_response.c - libFuzzer target for the HTTP/1.1 response parser
 * of the own transport (pipeline/util/http_wire.c).
 *
 * Input: two configuration bytes, then the bytes a server sends.  Byte 0
 * picks the body cap (64 B .. 1 MiB) and whether the connection ends
 * after the bytes; byte 1 seeds how they are cut into reads.  Checked,
 * not just survived:
 *   - fed whole and fed in pieces, the outcome, status, body, Retry-After,
 *     connection reuse and bytes taken are the same;
 *   - an error is one of the parser's codes; a finished response has a
 *     final status (200..999), a body within the cap and a Retry-After
 *     without control characters;
 *   - after the end, more bytes are not taken.
 */
#include <stdint.h>
#include <string.h>
#include "fuzz_util.h"
#include "http_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct out {
	int rc;
	long status;
	int conn_close;
	size_t used;
	char retry_after[64];
	cf_buf body;
} out;

static void run(const char *p, size_t n, size_t cap, int eof, unsigned seed, int whole,
                out *o)
{
	cf_http_wire w;
	size_t from = 0, used, k;
	int rc = CF_WIRE_MORE;

	memset(o, 0, sizeof *o);
	o->body.max = cap;
	cf_http_wire_init(&w, &o->body);
	while (from < n && rc == CF_WIRE_MORE) {
		if (whole) {
			k = n - from;
		} else {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % 23;
			if (k > n - from)
				k = n - from;
		}
		rc = cf_http_wire_feed(&w, p + from, k, &used);
		CHECK(used <= k);
		CHECK(rc != CF_WIRE_MORE || used == k);
		o->used += used;
		from += k;
	}
	if (rc == CF_WIRE_DONE) {
		/* more bytes after the end are left alone */
		CHECK(cf_http_wire_feed(&w, "x", 1, &used) == CF_WIRE_DONE && used == 0);
	}
	if (rc == CF_WIRE_MORE && eof)
		rc = cf_http_wire_eof(&w);
	o->rc = rc;
	o->status = w.status;
	o->conn_close = w.conn_close;
	memcpy(o->retry_after, w.retry_after, sizeof o->retry_after);
	cf_http_wire_done(&w);
	cf_http_wire_done(&w);     /* twice is safe */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 64, 1024, 65536, 1u << 20 };
	out a, b;
	size_t cap, i;
	int eof;

	if (size < 2)
		return 0;
	cap = caps[data[0] & 3];
	eof = data[0] >> 2 & 1;
	run((const char *)data + 2, size - 2, cap, eof, data[1], 1, &a);
	run((const char *)data + 2, size - 2, cap, eof, data[1], 0, &b);
	CHECK(a.rc == b.rc);
	CHECK(a.rc == CF_WIRE_DONE || a.rc == CF_WIRE_MORE || a.rc == -CF_WIRE_EPROTO ||
	      a.rc == -CF_WIRE_EWEIRD || a.rc == -CF_WIRE_EPARTIAL || a.rc == -CF_WIRE_ETOOBIG ||
	      a.rc == -CF_WIRE_ENOTHING || a.rc == -CF_WIRE_ERECV || a.rc == -CF_WIRE_EENCODING);
	if (a.rc == CF_WIRE_DONE) {
		CHECK(a.status == b.status && a.status >= 200 && a.status <= 999);
		CHECK(a.conn_close == b.conn_close);
		CHECK(a.used == b.used && a.used <= size - 2);
		CHECK(a.body.len == b.body.len && a.body.len <= cap);
		CHECK(a.body.len == 0 || memcmp(a.body.p, b.body.p, a.body.len) == 0);
		CHECK(strcmp(a.retry_after, b.retry_after) == 0);
		for (i = 0; a.retry_after[i]; i++)
			CHECK((unsigned char)a.retry_after[i] >= 0x20 ||
			      a.retry_after[i] == '\t');
	}
	cf_buf_free(&a.body);
	cf_buf_free(&b.body);
	return 0;
}
