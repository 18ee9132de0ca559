/*
 * json_alloc.h - watch jansson's allocations (internal; see json_alloc.c).
 */
#ifndef CF_JSON_ALLOC_H
#define CF_JSON_ALLOC_H

/* Route jansson's allocations through the watcher.  Call before any JSON
 * value is made (main() does; cf_pipeline_new() does too). */
void cf_json_alloc_install(void);

/* 1 if a jansson allocation failed since the last call, then clear. */
int cf_json_oom_take(void);

#endif
