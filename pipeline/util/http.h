/*
 * http.h - a shared asynchronous HTTP client for JSON APIs (internal).
 *
 * Two transports under one queue: http:// URLs go through cfaug's own
 * HTTP/1.1 client (http_conn.c: kept-alive connections per host:port, one
 * request at a time on each), everything else (https://, a proxy in the
 * environment, userinfo, or every URL when CFAUG_HTTP_CLIENT=curl) through
 * the libcurl multi interface: one multi handle, a pool of easy handles,
 * connections kept alive and reused, HTTP/2 multiplexing when the server
 * offers it.  Both give failures the same CURLcode words and retry rules.  Requests are submitted into a queue and started while
 * fewer than `concurrency` are in flight and the token buckets (requests per
 * minute, tokens per minute) allow; each completion is delivered to the
 * callback as soon as it arrives, never held back by slower requests.
 *
 * Retries: 408, 409, 429, 5xx, timeouts and dropped or refused connections
 * are retried up to max_retries times with exponential backoff and full
 * jitter, or after the server's Retry-After (seconds or an HTTP date) when
 * that is longer.  A Retry-After beyond retry_after_max_s, or a wait that
 * would pass the request's deadline (deadline_s from its first attempt),
 * fails the request at once instead of waiting.
 *
 * Circuit breaker: max_consecutive_failures attempts in a row without an
 * HTTP answer (refused, unresolvable, TLS, timeout, dropped) or with a 5xx,
 * or more than max_failure_rate of the last failure_window attempts failing
 * that way, stop the client: the request that trips it is delivered as
 * CF_HTTP_FATAL with `unreachable` set and a message naming the endpoint
 * (without userinfo or query values) and the last cause.  A 429 does not
 * count (the server is alive); a request given up on after its retries
 * does.
 *
 * File descriptors: concurrency is lowered to what RLIMIT_NOFILE leaves
 * (the soft limit is first raised to the hard one), with a warning on
 * stderr, instead of failing connections for want of a descriptor.
 * Only http:// and https:// URLs are fetched (CURLOPT_PROTOCOLS_STR), and
 * redirects are not followed.  400/401/403/404 and other 4xx, and a 429 whose error code
 * is `insufficient_quota`, are fatal: the completion says so and the client
 * starts nothing new afterwards (what is in flight still completes).  One
 * exception: a 400 whose error code is `context_length_exceeded` concerns
 * that request only and is reported as a failed request, not a fatal one.
 *
 * Secrets: the API key is sent as "Authorization: Bearer KEY" and never put
 * into a message.  Every response body is scrubbed in place before anyone
 * sees it: the key, and any piece of it of 8 bytes or more, becomes "***"
 * (servers echo keys back in error messages, and a 200 body may echo the
 * request headers).  A key holding a control character (CR/LF would
 * inject a header) is refused.  Control characters of remote text are
 * escaped (\xNN) in error messages, which reach the terminal.
 *
 * Memory: the response of one request is capped at max_response_bytes (a
 * longer one fails that request).  The queue holds what the caller submits;
 * callers bound it (the llm stage by the runner's window).
 */
#ifndef CF_HTTP_H
#define CF_HTTP_H

#include <stddef.h>
#include "cfaug/cfaug.h"

typedef struct cf_http cf_http;

typedef struct cf_http_opts {
	long concurrency;            /* most requests in flight; >= 1 */
	double requests_per_minute;  /* token bucket; 0 = unlimited */
	double tokens_per_minute;    /* token bucket on est_tokens; 0 = unlimited */
	long max_retries;            /* retries after the first attempt */
	double timeout_s;            /* per attempt, whole transfer */
	double connect_timeout_s;    /* 0: min(timeout_s, 10) */
	size_t max_response_bytes;   /* 0: 8 MiB */
	double backoff_base_s;       /* first backoff ceiling; 0: 0.5 s */
	double backoff_max_s;        /* largest backoff; 0: 30 s */
	double retry_after_max_s;    /* longest Retry-After honoured (a longer
	                                one fails the request); 0: 180 s */
	double deadline_s;           /* a request's attempts and waits, from its
	                                first start; 0: 600 s */
	long max_consecutive_failures; /* circuit breaker; 0: 10 */
	double max_failure_rate;     /* over failure_window attempts; 0: 0.5,
	                                >= 1: off */
	long failure_window;         /* 0: 50 */
	int quiet;                   /* no notices on stderr */
	const char *api_key;         /* NULL or "": no Authorization header */
	uint64_t jitter_seed;        /* seeds the backoff jitter */
} cf_http_opts;

typedef struct cf_http_request {
	const char *url;             /* copied */
	const char *body;            /* JSON, POSTed; copied */
	size_t body_len;
	void *user;                  /* handed back in the completion */
	double est_tokens;           /* charged to the tokens/min bucket */
} cf_http_request;

enum {
	CF_HTTP_OK = 0,        /* a 2xx response */
	CF_HTTP_FAILED = 1,    /* this request failed for good (retries used up,
	                          response too big, context too long, ...) */
	CF_HTTP_FATAL = 2      /* the endpoint refuses us: stop the run */
};

typedef struct cf_http_result {
	void *user;
	int outcome;           /* CF_HTTP_* */
	long status;           /* last HTTP status, 0 when none arrived */
	const char *body;      /* last response body (borrowed, NUL-ended) */
	size_t body_len;
	int attempts;          /* attempts made, >= 1 */
	double latency_s;      /* from the first attempt's start to completion,
	                          retries and backoff included */
	double queued_s;       /* waiting in the queue before the first start */
	const char *error;     /* FAILED/FATAL: one line, key scrubbed,
	                          control characters escaped */
	int unreachable;       /* FATAL from the circuit breaker */
} cf_http_result;

typedef struct cf_http_stats {
	uint64_t submitted, attempts, retries, completed, failed, fatal;
	uint64_t retry_after_honoured, retry_after_refused, deadline_expired;
	long concurrency;      /* in effect (after the RLIMIT_NOFILE clamp) */
	int tripped;           /* the circuit breaker stopped the client */
	uint64_t bytes_in, bytes_out;
	long max_in_flight;
	double wait_rate_s;    /* time requests waited for a token bucket */
} cf_http_stats;

/* Called once per request, as soon as it is finished; may submit new
 * requests.  r and everything it points to is valid during the call. */
typedef void (*cf_http_done_fn)(void *ctx, const cf_http_result *r);

/* A new client (free with cf_http_free).  CF_ENOMEM, CF_ECONFIG for a key
 * with a control character, or CF_ENET when curl cannot be set up. */
int cf_http_new(cf_http **out, const cf_http_opts *o, cf_error *err);

/* Queue a request; it starts when the window and the buckets allow (call
 * cf_http_poll to make progress).  Returns 0 or CF_ENOMEM. */
int cf_http_submit(cf_http *h, const cf_http_request *rq, cf_error *err);

/* Start what may start, move transfers on, and deliver every finished
 * request to done(ctx, ...).  Waits at most timeout_ms for something to
 * finish (0: do not wait) and returns as soon as something did.  Returns
 * the number of requests not yet delivered (queued, waiting to retry or in
 * flight), or a negative code when curl itself fails. */
int cf_http_poll(cf_http *h, int timeout_ms, cf_http_done_fn done, void *ctx,
                 cf_error *err);

/* Requests submitted and not yet delivered. */
size_t cf_http_pending(const cf_http *h);

/* Once a fatal answer arrived, nothing new is started. */
int cf_http_stopped(const cf_http *h);

const cf_http_stats *cf_http_get_stats(const cf_http *h);

/* Remove the client's API key and every piece of it of 8 bytes or more
 * from s (in place, each replaced by "***"). */
void cf_http_scrub(const cf_http *h, char *s);

/* The same on s[0..n) (need not be NUL-ended); returns the new length. */
size_t cf_http_scrub_n(const cf_http *h, char *s, size_t n);

/* url without its userinfo, its query values (k=***) and its fragment,
 * for messages and reports; cut to size. */
void cf_http_redact_url(const char *url, char *buf, size_t size);

/* Check a base URL given in a config: NULL if usable (http or https, a
 * host), else a static reason to follow the key's name ("must start with
 * http:// or https://"; the caller adds "url " or "base_url " and the
 * location).  Never echoes the URL. */
const char *cf_http_check_url(const char *url);

/* Free the client and every request it still holds (their user pointers
 * are not touched).  h and *h may be NULL. */
void cf_http_free(cf_http **h);

#endif
