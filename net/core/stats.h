/*
 * The kernel's stats endpoint (net/core/stats_server.c): its counters over
 * HTTP on TCP port 7070 (`stats_port=`), and a summary on the console when
 * the app exits (`stats_at_exit=`). The snapshot and its formats are in
 * stats_format.h, the request parser in stats_http.h.
 */
#ifndef SQUALL_STATS_H
#define SQUALL_STATS_H

#include <net/core/stats_format.h>

/* Fill @st from the kernel's counters (stats_collect.c). Process context. */
void stats_collect(struct stats_snapshot *st);

/* kernel_init, before the app starts: listen, then serve from a kernel thread. */
void stats_server_init(void);

/* The app has exited: print the short text summary if stats_at_exit is on. */
void stats_print_at_exit(void);

#endif
