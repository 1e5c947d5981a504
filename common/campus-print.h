/*
 * campus-print.h: the campus report and a contact trace of the hub
 * (docs/hub.md) as text tables or CSV, from their JSON.  The hub serves
 * them (GET /v1/report?format=text|csv) and gatectl prints them from the
 * JSON it asked for, so both print the same thing.
 */
#ifndef GATED_CAMPUS_PRINT_H
#define GATED_CAMPUS_PRINT_H

#include <stdio.h>

#include <jansson.h>

enum campus_format { CAMPUS_TEXT, CAMPUS_CSV };

/* "text" | "csv": 0 with *fmt set, else -1. */
int	campus_format_parse(const char *, enum campus_format *);
/* A report of GET /v1/report to f. */
void	campus_report_print(FILE *f, const json_t *report,
	    enum campus_format);
/* A trace of GET /v1/contacts to f. */
void	campus_contacts_print(FILE *f, const json_t *trace,
	    enum campus_format);

#endif
