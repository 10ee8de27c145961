/*
 * Shared by the ESTABLISHED packet-trace tests (test_tcp_established.c,
 * test_tcp_validate.c): a connection set up through the harness, the
 * peer's data segments, and our bare ACK. Each test file is its own
 * program, so each has its own iss.
 */
#ifndef TCP_EST_H
#define TCP_EST_H

#include "tcp_harness.h"

#define RCV (REMOTE_ISN + 1)		/* the peer's first data byte */

static uint32_t iss;			/* our ISN on the current connection */

static inline struct sock *est(int ts, int sack)
{
	struct hs_opts o = { .wscale = -1, .ts = ts, .sack_perm = sack };

	return harness_established(&o, &iss, NULL);
}

/* The peer's segment at @seq with @len pattern bytes, acking @ack. */
static inline struct seg data_seg(uint32_t seq, unsigned int len, uint32_t ack)
{
	return (struct seg){ SEG_TEMPL, .flags = TCPHDR_ACK, .seq = seq, .ack = ack, .len = len };
}

/* Our bare ACK of @a (more designators may follow). */
#define EXPECT_ACK(a, ...) \
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 1, .ack = (a), __VA_ARGS__ })

#endif
