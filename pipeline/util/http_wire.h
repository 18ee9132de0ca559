/*
 * http_wire.h - an incremental HTTP/1.1 response parser (internal).
 *
 * Bytes from the socket are fed as they arrive, split anywhere; the parser
 * reads the status line (1xx interim answers are skipped), the headers it
 * needs (Content-Length, Transfer-Encoding: chunked, Content-Encoding gzip
 * or deflate, Connection, Retry-After) and the body, framed by length,
 * chunks or the end of the connection, decoded and appended to `body`
 * under its cap (body->max).  Anything it cannot read exactly is an error
 * with a reason, never a guess: a response is complete or it fails.
 *
 * Errors are named by the libcurl code the curl transport gives for the
 * same fault, so both transports retry and word failures alike (http.c
 * words them with curl_easy_strerror).
 *
 * Ownership: the parser owns its zlib state (cf_http_wire_done frees it);
 * `body` is the caller's.
 */
#ifndef CF_HTTP_WIRE_H
#define CF_HTTP_WIRE_H

#include <stddef.h>
#include <zlib.h>
#include "cfaug/util.h"

enum {
	CF_WIRE_MORE = 0,     /* feed more */
	CF_WIRE_DONE = 1      /* the response is complete */
};

/* Error codes: the matching CURLcode values (checked in http_conn.c). */
enum {
	CF_WIRE_EPROTO = 1,   /* status line not HTTP/1.x: CURLE_UNSUPPORTED_PROTOCOL */
	CF_WIRE_EWEIRD = 8,   /* bad header or framing: CURLE_WEIRD_SERVER_REPLY */
	CF_WIRE_EPARTIAL = 18,/* connection ended inside the body: CURLE_PARTIAL_FILE */
	CF_WIRE_ETOOBIG = 23, /* body over its cap: CURLE_WRITE_ERROR */
	CF_WIRE_ENOTHING = 52,/* connection ended before any byte: CURLE_GOT_NOTHING */
	CF_WIRE_ERECV = 56,   /* bad chunk framing: CURLE_RECV_ERROR */
	CF_WIRE_EENCODING = 61/* bad or unknown content coding: CURLE_BAD_CONTENT_ENCODING */
};

typedef struct cf_http_wire {
	int state;
	int err;               /* CF_WIRE_E*, once failed */
	long status;           /* final status (2xx..5xx) */
	int minor;             /* HTTP/1.minor */
	int conn_close;        /* the connection cannot be reused after this */
	int chunked;
	int coding;            /* 0 identity, 1 gzip/zlib, 2 deflate */
	int z_on, z_end;
	char pre[2];           /* an encoded body's first bytes */
	int npre;
	long long content_length;   /* -1: none given */
	unsigned long long left;    /* body bytes (or chunk bytes) to come */
	size_t head_bytes;          /* of the current header block */
	size_t seen;                /* bytes fed so far */
	char line[8192];       /* the line being assembled */
	size_t line_len;
	char retry_after[64];  /* its value, trimmed; "" when absent */
	cf_buf *body;
	z_stream z;
} cf_http_wire;

/* Ready to read one response into body (body->len is reset to 0). */
void cf_http_wire_init(cf_http_wire *w, cf_buf *body);

/* Feed n bytes; *used is set to how many were taken (fewer than n only
 * when the response completed: the rest belongs to no response).  Returns
 * CF_WIRE_MORE, CF_WIRE_DONE, or -code on an error (w->err). */
int cf_http_wire_feed(cf_http_wire *w, const char *p, size_t n, size_t *used);

/* The connection ended: DONE when that ends the body (no length given),
 * else -code (nothing received: -CF_WIRE_ENOTHING). */
int cf_http_wire_eof(cf_http_wire *w);

/* Free the zlib state (safe to call twice). */
void cf_http_wire_done(cf_http_wire *w);

#endif
