/*
 * input_decomp.c - transparent decompression under the readers: gzip (zlib)
 * and zstd (libzstd), told by the input's first bytes (magic numbers), not
 * by its name, so a compressed stdin works too.
 *
 * The readers call cf_input_read() where they called read(): it returns
 * plain bytes whatever the input is.  Plain input pays one copy of the
 * (at most 4) bytes peeked at open, then reads straight from the fd.
 * Memory is one compressed-input buffer of CF_DECOMP_IN bytes plus the
 * codec's own state (zlib 32 KiB window; zstd up to its 128 MiB window
 * limit, ZSTD_d_windowLogMax 27), whatever the input's size.
 *
 * Concatenated gzip members and zstd frames (what `cat a.gz b.gz` and
 * `cfaug merge` make) are read as one stream.  A truncated or corrupt
 * stream is CF_EDATA naming the input and the codec's message.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "input.h"

#define CF_DECOMP_IN (128u * 1024u)

enum { DZ_NONE, DZ_GZIP, DZ_ZSTD };

struct cf_decomp {
	int kind;
	unsigned char *in;        /* compressed bytes [pos, len); peek bytes for DZ_NONE */
	size_t pos, len, cap;
	int in_eof;
	uint64_t raw_bytes;       /* bytes read from the fd (compressed) */
	z_stream z;
	int z_ready, z_done;      /* inflateInit2 done; member ended */
	ZSTD_DStream *zs;
	size_t zs_hint;           /* 0: the last frame is complete */
};

static ssize_t read_fd(cf_reader *r, void *buf, size_t n)
{
	ssize_t k;

	do
		k = read(r->fd, buf, n);
	while (k < 0 && errno == EINTR);
	if (k > 0 && r->dz)
		r->dz->raw_bytes += (uint64_t)k;
	return k;
}

/* Refill d->in from the fd once; 1 bytes added, 0 end of input, <0 error. */
static int refill(cf_reader *r, cf_error *err)
{
	struct cf_decomp *d = r->dz;
	ssize_t k;

	if (d->pos == d->len)
		d->pos = d->len = 0;
	if (d->in_eof || d->len == d->cap)
		return 0;
	k = read_fd(r, d->in + d->len, d->cap - d->len);
	if (k < 0)
		return cf_input_fatal(r, err, CF_EIO, "%s: %s", cf_input_name(r),
		                      strerror(errno));
	if (k == 0) {
		d->in_eof = 1;
		return 0;
	}
	d->len += (size_t)k;
	return 1;
}

int cf_decomp_open(cf_reader *r, cf_error *err)
{
	struct cf_decomp *d = calloc(1, sizeof *d);
	int rc = 0;

	if (!d || !(d->in = malloc(CF_DECOMP_IN))) {
		free(d);
		return cf_error_set(err, CF_ENOMEM, "%s: out of memory", cf_input_name(r));
	}
	d->cap = CF_DECOMP_IN;
	r->dz = d;
	/* peek: a short read from a pipe must not decide the format */
	while (d->len < 4 && (rc = refill(r, err)) > 0)
		;
	if (rc < 0)
		return rc;
	if (d->len >= 2 && d->in[0] == 0x1f && d->in[1] == 0x8b) {
		d->kind = DZ_GZIP;
		if (inflateInit2(&d->z, 15 + 16) != Z_OK)
			return cf_error_set(err, CF_ENOMEM, "%s: cannot start zlib",
			                    cf_input_name(r));
		d->z_ready = 1;
	} else if (d->len >= 4 && !memcmp(d->in, "\x28\xb5\x2f\xfd", 4)) {
		d->kind = DZ_ZSTD;
		if (!(d->zs = ZSTD_createDStream()) || ZSTD_isError(ZSTD_initDStream(d->zs)) ||
		    ZSTD_isError(ZSTD_DCtx_setParameter(d->zs, ZSTD_d_windowLogMax, 27)))
			return cf_error_set(err, CF_ENOMEM, "%s: cannot start zstd",
			                    cf_input_name(r));
	}
	return 0;
}

const char *cf_decomp_name(const cf_reader *r)
{
	if (!r || !r->dz)
		return "none";
	return r->dz->kind == DZ_GZIP ? "gzip" : r->dz->kind == DZ_ZSTD ? "zstd" : "none";
}

uint64_t cf_decomp_raw_bytes(const cf_reader *r)
{
	return r && r->dz ? r->dz->raw_bytes : 0;
}

static ssize_t read_gzip(cf_reader *r, char *buf, size_t n, cf_error *err)
{
	struct cf_decomp *d = r->dz;
	size_t made;
	int rc, zr;

	for (;;) {
		if (d->pos == d->len && (rc = refill(r, err)) < 0)
			return rc;
		if (d->z_done) {
			if (d->pos == d->len)
				return 0;                      /* clean end */
			inflateReset(&d->z);               /* the next member */
			d->z_done = 0;
		}
		if (d->pos == d->len)
			return cf_input_fatal(r, err, CF_EDATA, "%s: truncated gzip data "
			                      "(the stream ends inside a member)",
			                      cf_input_name(r));
		d->z.next_in = d->in + d->pos;
		d->z.avail_in = (uInt)(d->len - d->pos);
		d->z.next_out = (Bytef *)buf;
		d->z.avail_out = (uInt)(n > (1u << 30) ? (1u << 30) : n);
		made = d->z.avail_out;
		zr = inflate(&d->z, Z_NO_FLUSH);
		d->pos = d->len - d->z.avail_in;
		made -= d->z.avail_out;
		if (zr == Z_STREAM_END)
			d->z_done = 1;
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			return cf_input_fatal(r, err, CF_EDATA, "%s: bad gzip data: %s",
			                      cf_input_name(r), d->z.msg ? d->z.msg
			                      : "inflate failed");
		if (made)
			return (ssize_t)made;
	}
}

static ssize_t read_zstd(cf_reader *r, char *buf, size_t n, cf_error *err)
{
	struct cf_decomp *d = r->dz;
	ZSTD_inBuffer in;
	ZSTD_outBuffer out;
	size_t zr;
	int rc;

	for (;;) {
		if (d->pos == d->len && (rc = refill(r, err)) < 0)
			return rc;
		if (d->pos == d->len) {
			if (d->zs_hint == 0)
				return 0;
			/* the decoder may still hold output for input it has taken */
		}
		in.src = d->in + d->pos;
		in.size = d->len - d->pos;
		in.pos = 0;
		out.dst = buf;
		out.size = n;
		out.pos = 0;
		zr = ZSTD_decompressStream(d->zs, &out, &in);
		d->pos += in.pos;
		if (ZSTD_isError(zr))
			return cf_input_fatal(r, err, CF_EDATA, "%s: bad zstd data: %s",
			                      cf_input_name(r), ZSTD_getErrorName(zr));
		d->zs_hint = zr;
		if (out.pos)
			return (ssize_t)out.pos;
		if (d->pos == d->len && d->in_eof) {
			if (zr == 0)
				return 0;
			return cf_input_fatal(r, err, CF_EDATA, "%s: truncated zstd data "
			                      "(the stream ends inside a frame)",
			                      cf_input_name(r));
		}
	}
}

ssize_t cf_input_read(cf_reader *r, char *buf, size_t n, cf_error *err)
{
	struct cf_decomp *d = r->dz;
	size_t k;
	ssize_t got;

	if (!d) {
		got = read_fd(r, buf, n);
		goto plain;
	}
	switch (d->kind) {
	case DZ_GZIP:
		return read_gzip(r, buf, n, err);
	case DZ_ZSTD:
		return read_zstd(r, buf, n, err);
	default:
		if (d->pos < d->len) {   /* the bytes peeked at open */
			k = d->len - d->pos < n ? d->len - d->pos : n;
			memcpy(buf, d->in + d->pos, k);
			d->pos += k;
			return (ssize_t)k;
		}
		if (d->in_eof)
			return 0;
		got = read_fd(r, buf, n);
	}
plain:
	if (got < 0)
		return cf_input_fatal(r, err, CF_EIO, "%s: %s", cf_input_name(r),
		                      strerror(errno));
	return got;
}

void cf_decomp_close(cf_reader *r)
{
	struct cf_decomp *d = r ? r->dz : NULL;

	if (!d)
		return;
	if (d->z_ready)
		inflateEnd(&d->z);
	ZSTD_freeDStream(d->zs);
	free(d->in);
	free(d);
	r->dz = NULL;
}
