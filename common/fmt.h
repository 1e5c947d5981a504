/*
 * fmt.h: the formatting gated, gated-hub and gatectl share (fmt.c): text
 * from a database as a JSON string, a time in local time as the gate
 * writes it, a CSV field.
 */
#ifndef GATED_FMT_H
#define GATED_FMT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* A JSON string of s (null for NULL), bytes jansson refuses made '?'. */
json_t	*fmt_json_string(const char *s);
/* Local time with its offset, "2026-11-29T08:15:02+0100"; null if not. */
json_t	*fmt_json_time(int64_t ts_ms);
/* One CSV field (RFC 4180): quoted when it holds , " CR or LF. */
void	 fmt_csv_field(FILE *, const char *);

#endif
