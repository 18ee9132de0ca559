/*
 * http_wire.c - incremental HTTP/1.1 response parser; see http_wire.h.
 *
 * States: the status line, header lines, then the body by its framing
 * (length, chunks: size line / data / CRLF / trailers, or until the
 * connection ends).  Lines are assembled in w->line (a line longer than
 * it is an error), body bytes go through zlib when the answer is encoded.
 * Where libcurl 7.88 is lax and a response could be read wrong (the
 * connection ending inside the headers, two different Content-Lengths)
 * this parser fails the response instead; see docs/BENCHMARKS.md
 * "llmhttp, session 5".
 */
#include <string.h>
#include <strings.h>
#include "http_wire.h"

enum { S_STATUS, S_HEADER, S_BODY_LEN, S_BODY_CLOSE, S_CHUNK_SIZE, S_CHUNK_DATA,
       S_CHUNK_END, S_TRAILER, S_DONE, S_FAILED };

#define MAX_HEAD (256u << 10)   /* one header block */

void cf_http_wire_init(cf_http_wire *w, cf_buf *body)
{
	memset(w, 0, offsetof(cf_http_wire, line));
	w->line_len = 0;
	w->retry_after[0] = '\0';
	w->body = body;
	w->content_length = -1;
	w->state = S_STATUS;
	body->len = 0;
	if (body->p)
		body->p[0] = '\0';
}

void cf_http_wire_done(cf_http_wire *w)
{
	if (w->z_on)
		inflateEnd(&w->z);
	w->z_on = 0;
}

static int fail(cf_http_wire *w, int code)
{
	cf_http_wire_done(w);
	w->state = S_FAILED;
	w->err = code;
	return -code;
}

static int put_plain(cf_http_wire *w, const char *p, size_t n)
{
	int rc = cf_buf_put(w->body, p, n);

	if (rc < 0)
		return fail(w, CF_WIRE_ETOOBIG);   /* the cap (or no memory) */
	return 0;
}

/* Encoded body bytes through zlib (initialised) into the body. */
static int inflate_feed(cf_http_wire *w, const char *p, size_t n)
{
	unsigned char out[16384];
	int zr;

	w->z.next_in = (Bytef *)(uintptr_t)p;
	w->z.avail_in = (uInt)n;
	/* on while input is left or the last call filled the output (zlib
	 * may hold more): else a read boundary would change the body */
	for (;;) {
		w->z.next_out = out;
		w->z.avail_out = sizeof out;
		zr = inflate(&w->z, Z_NO_FLUSH);
		/* what came out before a bad byte counts first (the cap), as it
		 * would have in smaller reads */
		if (sizeof out - w->z.avail_out &&
		    put_plain(w, (const char *)out, sizeof out - w->z.avail_out) < 0)
			return -w->err;
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
			return fail(w, CF_WIRE_EENCODING);
		if (zr == Z_STREAM_END) {
			w->z_end = 1;      /* what follows is ignored, as curl does */
			break;
		}
		if (w->z.avail_out && (!w->z.avail_in || zr == Z_BUF_ERROR))
			break;
	}
	return 0;
}

/* Body bytes as they came on the wire: decoded when encoded.  "deflate"
 * is zlib-wrapped by the standard but raw from some servers: the first two
 * bytes tell (a zlib header is method 8 and a multiple of 31). */
static int put_body(cf_http_wire *w, const char *p, size_t n)
{
	int wbits;

	if (!w->coding)
		return put_plain(w, p, n);
	if (w->z_end)
		return 0;
	if (!w->z_on) {
		while (w->npre < 2 && n) {
			w->pre[w->npre++] = *p++;
			n--;
		}
		if (w->npre < 2)
			return 0;
		if (w->coding == 1)
			wbits = 15 + 32;     /* gzip or zlib header, either */
		else
			wbits = ((unsigned char)w->pre[0] & 0x0f) == 8 &&
			        ((unsigned char)w->pre[0] << 8 | (unsigned char)w->pre[1]) % 31 == 0 ?
			        15 : -15;
		memset(&w->z, 0, sizeof w->z);
		if (inflateInit2(&w->z, wbits) != Z_OK)
			return fail(w, CF_WIRE_EENCODING);
		w->z_on = 1;
		if (inflate_feed(w, w->pre, 2) < 0)
			return -w->err;
	}
	return n ? inflate_feed(w, p, n) : 0;
}

/* The body is complete: an encoded one must have reached its end. */
static int finish(cf_http_wire *w)
{
	if (w->coding && (w->z_on || w->npre) && !w->z_end)
		return fail(w, CF_WIRE_EENCODING);   /* the stream was cut */
	cf_http_wire_done(w);
	w->state = S_DONE;
	return CF_WIRE_DONE;
}

static int is_tchar_end(char c) { return c == ',' || c == ' ' || c == '\t' || c == ';' || c == '\0'; }

/* Does the comma-separated list v hold token t (case-insensitive)? */
static int has_token(const char *v, const char *t)
{
	size_t n = strlen(t);

	while (*v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (strncasecmp(v, t, n) == 0 && is_tchar_end(v[n]))
			return 1;
		while (*v && *v != ',')
			v++;
	}
	return 0;
}

/* The last token of a comma-separated list, into buf. */
static void last_token(const char *v, char *buf, size_t size)
{
	const char *c = strrchr(v, ','), *e;
	size_t n;

	v = c ? c + 1 : v;
	while (*v == ' ' || *v == '\t')
		v++;
	for (e = v; *e && *e != ' ' && *e != '\t' && *e != ';'; e++)
		;
	n = (size_t)(e - v) < size - 1 ? (size_t)(e - v) : size - 1;
	memcpy(buf, v, n);
	buf[n] = '\0';
}

static int status_line(cf_http_wire *w, char *s)
{
	long code = 0;
	int i;

	if (strncmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') || s[8] != ' ')
		return fail(w, CF_WIRE_EPROTO);
	w->minor = s[7] - '0';
	for (i = 9; i < 12; i++) {
		if (s[i] < '0' || s[i] > '9')
			return fail(w, CF_WIRE_EPROTO);
		code = code * 10 + (s[i] - '0');
	}
	if ((s[12] != '\0' && s[12] != ' ') || code < 100)
		return fail(w, CF_WIRE_EPROTO);
	w->status = code;
	w->conn_close = w->minor == 0;    /* HTTP/1.0: unless keep-alive */
	w->chunked = 0;
	w->coding = 0;
	w->content_length = -1;
	w->retry_after[0] = '\0';
	w->state = S_HEADER;
	return 0;
}

static int header_line(cf_http_wire *w, char *s)
{
	char *v = strchr(s, ':'), *e, tok[32];

	if (*s == ' ' || *s == '\t')
		return 0;              /* obsolete line folding: nothing we read */
	if (!v || v == s)
		return fail(w, CF_WIRE_EWEIRD);
	*v++ = '\0';
	while (*v == ' ' || *v == '\t')
		v++;
	for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	*e = '\0';
	switch (s[0] | 0x20) {
	case 'c':
		if (strcasecmp(s, "content-length") == 0) {
			unsigned long long n = 0;
			const char *q = v;
			if (!*q)
				return fail(w, CF_WIRE_EWEIRD);
			for (; *q; q++) {
				if (*q < '0' || *q > '9' || n > (1ull << 58))
					return fail(w, CF_WIRE_EWEIRD);
				n = n * 10 + (unsigned)(*q - '0');
			}
			if (w->content_length >= 0 && (unsigned long long)w->content_length != n)
				return fail(w, CF_WIRE_EWEIRD);   /* two lengths: which? */
			w->content_length = (long long)n;
		} else if (strcasecmp(s, "content-encoding") == 0) {
			if (strchr(v, ','))
				return fail(w, CF_WIRE_EENCODING);   /* stacked codings */
			if (strcasecmp(v, "gzip") == 0 || strcasecmp(v, "x-gzip") == 0)
				w->coding = 1;
			else if (strcasecmp(v, "deflate") == 0)
				w->coding = 2;
			else if (strcasecmp(v, "identity") != 0 && *v)
				return fail(w, CF_WIRE_EENCODING);
		} else if (strcasecmp(s, "connection") == 0) {
			if (has_token(v, "close"))
				w->conn_close = 1;
			else if (has_token(v, "keep-alive"))
				w->conn_close = 0;
		}
		break;
	case 't':
		if (strcasecmp(s, "transfer-encoding") == 0) {
			last_token(v, tok, sizeof tok);
			if (strcasecmp(tok, "chunked") != 0 || strchr(v, ','))
				return fail(w, CF_WIRE_EENCODING);   /* gzip, chunked: not sent to us */
			w->chunked = 1;
		}
		break;
	case 'r':
		if (strcasecmp(s, "retry-after") == 0) {
			size_t n = strlen(v), i;
			for (i = 0; i < n; i++)
				if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
					return 0;    /* a bare CR...: no wait we can read */
			if (n >= sizeof w->retry_after)
				n = sizeof w->retry_after - 1;
			memcpy(w->retry_after, v, n);
			w->retry_after[n] = '\0';
		}
		break;
	default:
		break;
	}
	return 0;
}

/* The empty line ended a header block. */
static int end_of_head(cf_http_wire *w)
{
	if (w->status < 200) {
		if (w->status == 101)
			return fail(w, CF_WIRE_EPROTO);   /* no protocol switch asked */
		w->state = S_STATUS;              /* 100 Continue, 103: skipped */
		w->head_bytes = 0;
		return 0;
	}
	if (w->status == 204 || w->status == 304)
		return finish(w);
	if (w->chunked) {
		w->state = S_CHUNK_SIZE;
		return 0;
	}
	if (w->content_length >= 0) {
		w->left = (unsigned long long)w->content_length;
		w->state = S_BODY_LEN;
		return w->left ? 0 : finish(w);
	}
	w->conn_close = 1;      /* the end of the connection ends the body */
	w->state = S_BODY_CLOSE;
	return 0;
}

static int chunk_size(cf_http_wire *w, const char *s)
{
	unsigned long long n = 0;
	const char *q = s;
	int d;

	for (; *q; q++) {
		if (*q >= '0' && *q <= '9')
			d = *q - '0';
		else if ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f')
			d = (*q | 0x20) - 'a' + 10;
		else
			break;
		if (n >> 58)
			return fail(w, CF_WIRE_ERECV);
		n = n * 16 + (unsigned)d;
	}
	while (*q == ' ' || *q == '\t')
		q++;
	if (q == s || (*q && *q != ';'))
		return fail(w, CF_WIRE_ERECV);
	w->left = n;
	w->state = n ? S_CHUNK_DATA : S_TRAILER;
	return 0;
}

/* One complete line (CR LF or LF stripped) in the current state. */
static int line(cf_http_wire *w, char *s)
{
	switch (w->state) {
	case S_STATUS:
		return status_line(w, s);
	case S_HEADER:
		return *s ? header_line(w, s) : end_of_head(w);
	case S_CHUNK_SIZE:
		return chunk_size(w, s);
	case S_CHUNK_END:
		if (*s)
			return fail(w, CF_WIRE_ERECV);
		w->state = S_CHUNK_SIZE;
		return 0;
	case S_TRAILER:
		return *s ? 0 : finish(w);
	default:
		return fail(w, CF_WIRE_EWEIRD);
	}
}

static int is_line_state(int s)
{
	return s == S_STATUS || s == S_HEADER || s == S_CHUNK_SIZE || s == S_CHUNK_END ||
	       s == S_TRAILER;
}

int cf_http_wire_feed(cf_http_wire *w, const char *p, size_t n, size_t *used)
{
	size_t i = 0, k;
	int rc;

	*used = 0;
	if (w->state == S_FAILED)
		return -w->err;
	if (w->state == S_DONE)
		return CF_WIRE_DONE;
	w->seen += n;
	while (i < n) {
		if (is_line_state(w->state)) {
			const char *nl = memchr(p + i, '\n', n - i);
			k = nl ? (size_t)(nl - (p + i)) : n - i;
			if (w->line_len + k >= sizeof w->line ||
			    (w->state == S_HEADER && (w->head_bytes += k + 1) > MAX_HEAD))
				return fail(w, w->state == S_STATUS ? CF_WIRE_EPROTO :
				            w->state == S_HEADER ? CF_WIRE_EWEIRD : CF_WIRE_ERECV);
			memcpy(w->line + w->line_len, p + i, k);
			w->line_len += k;
			i += k;
			if (!nl)
				break;
			i++;     /* the LF */
			if (w->line_len && w->line[w->line_len - 1] == '\r')
				w->line_len--;
			w->line[w->line_len] = '\0';
			if (memchr(w->line, '\0', w->line_len))
				return fail(w, w->state == S_STATUS ? CF_WIRE_EPROTO : CF_WIRE_EWEIRD);
			w->line_len = 0;
			if ((rc = line(w, w->line)) < 0)
				return rc;
			if (rc == CF_WIRE_DONE) {
				*used = i;
				return rc;
			}
			continue;
		}
		k = n - i;
		if (w->state != S_BODY_CLOSE && k > w->left)
			k = (size_t)w->left;
		if ((rc = put_body(w, p + i, k)) < 0)
			return rc;
		i += k;
		if (w->state == S_BODY_CLOSE)
			continue;
		w->left -= k;
		if (!w->left) {
			if (w->state == S_CHUNK_DATA) {
				w->state = S_CHUNK_END;
			} else if ((rc = finish(w)) == CF_WIRE_DONE || rc < 0) {
				*used = i;
				return rc;
			}
		}
	}
	*used = i;
	return CF_WIRE_MORE;
}

int cf_http_wire_eof(cf_http_wire *w)
{
	if (w->state == S_DONE)
		return CF_WIRE_DONE;
	if (w->state == S_FAILED)
		return -w->err;
	if (w->state == S_BODY_CLOSE)
		return finish(w);
	if (!w->seen)
		return fail(w, CF_WIRE_ENOTHING);
	return fail(w, CF_WIRE_EPARTIAL);
}
