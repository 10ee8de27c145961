/*
 * A minimal streaming JSON writer: one object, written in order, commas
 * and escaping handled here. Keys are NULL inside arrays.
 */
#ifndef STORM_JSON_H
#define STORM_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	8

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

void json_begin(struct json *j, FILE *f);	/* the top-level "{" */
void json_end(struct json *j);			/* the matching "}\n" */
void json_obj(struct json *j, const char *key);
void json_arr(struct json *j, const char *key);
void json_close_obj(struct json *j);
void json_close_arr(struct json *j);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_num(struct json *j, const char *key, double v, int decimals);	/* NaN: null */
void json_str(struct json *j, const char *key, const char *s);		/* NULL: null */
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

#endif
