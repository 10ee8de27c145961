#ifndef SQUALL_APP_H
#define SQUALL_APP_H

#include <stddef.h>
#include <stdint.h>

/* The image's ring-3 app; see app.c. */
int app_present(void);
int app_start(void);	/* 0, or -errno after printing why */
void app_symbol(uint64_t addr, char *buf, size_t n);	/* "name+off/size" or "?" */

#endif
