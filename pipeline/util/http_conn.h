/*
 * http_conn.h - cfaug's own HTTP/1.1 transport for http:// URLs (internal).
 *
 * Used by http.c in place of libcurl for plain http:// endpoints (no TLS,
 * no proxy, no userinfo): libcurl's per-transfer work (multi-handle
 * bookkeeping, URL parsing, header building and parsing, two liveness
 * polls per reused connection) was most of the llm stage's CPU per
 * request.  https://, proxies and anything unusual stay on libcurl.
 *
 * One transfer per connection at a time (no pipelining); connections are
 * kept alive per host:port and reused, newest first.  Non-blocking sockets
 * in http.c's epoll set (tagged CF_HC_TAG in the event data), the request
 * written with one sendmsg (head + body), the response read by
 * http_wire.c.  Names are resolved once per host:port (getaddrinfo,
 * blocking: meant for loopback and LAN servers), every address tried in
 * turn (IPv6 and IPv4).  Timeouts as curl's: connect_timeout_s for the
 * connection, timeout_s for the whole attempt.  A request sent on a reused
 * connection that ends before any byte of an answer (the server closed it
 * while idle) is sent again once on a new connection, as curl does.
 * Failures carry the CURLcode curl gives for the same fault.
 *
 * Ownership: the transport owns its connections and transfers; the body
 * and the response buffer of a transfer are the caller's and must live
 * until it is reaped (or cf_hc_free).
 */
#ifndef CF_HTTP_CONN_H
#define CF_HTTP_CONN_H

#include <stddef.h>
#include <stdint.h>
#include "cfaug/util.h"

#define CF_HC_TAG (1ull << 32)   /* epoll data of our sockets: TAG | fd */

typedef struct cf_hc cf_hc;

typedef struct cf_hc_opts {
	double timeout_s, connect_timeout_s;
	long max_idle;            /* idle connections kept per host:port */
	const char *headers;      /* "Name: value\r\n"..., sent with every
	                             request (copied; zeroed on free: it may
	                             hold the API key) */
} cf_hc_opts;

typedef struct cf_hc_result {
	void *user;
	int cc;                   /* CURLcode: 0 when a response was read */
	long status;
	char retry_after[64];     /* the header's value, "" when none */
} cf_hc_result;

/* 1 when url is for this transport: http://, no userinfo, and no proxy
 * in the environment when c was made (http_proxy, all_proxy, ALL_PROXY).
 * c may be NULL (0). */
int cf_hc_wants(const cf_hc *c, const char *url);

int cf_hc_new(cf_hc **out, int epfd, const cf_hc_opts *o);

/* Start a POST of body to url; the answer's body goes to resp.  Returns 0
 * or CF_ENOMEM; failures to resolve or connect come back through reap. */
int cf_hc_start(cf_hc *c, const char *url, const char *body, size_t len,
                cf_buf *resp, void *user);

/* An epoll event whose data has CF_HC_TAG. */
void cf_hc_event(cf_hc *c, uint64_t data, unsigned events);

/* Fail transfers past their time; seconds to the next deadline (-1: none). */
double cf_hc_expire(cf_hc *c, double now);

/* A finished transfer into *res; 1 when there was one, else 0. */
int cf_hc_reap(cf_hc *c, cf_hc_result *res);

/* Transfers started and not yet reaped. */
long cf_hc_active(const cf_hc *c);

/* Close every connection, drop every transfer.  c and *c may be NULL. */
void cf_hc_free(cf_hc **c);

#endif
