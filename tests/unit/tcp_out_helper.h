/*
 * Host tests of the TCP output side (tcp_output.c, tcp_timer.c, tcp.c,
 * tcp_sockopt.c, inet_connection_sock_accept.c) in isolation: the input
 * side's functions are stood in for (tcp_out_helper.c) so these tests
 * do not depend on its progress, and the peer is played by the test:
 * what we send is read back from the shim NIC (through the real IP
 * output path) and parsed; what the peer "sends" is applied the way the
 * input side documented in docs/tcp-notes.md (fake_ack, fake_data).
 */
#ifndef TCP_OUT_HELPER_H
#define TCP_OUT_HELPER_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "host/net_shim.h"
#include <net/ipv4/tcp.h>
#include <net/socket.h>

#define LOCAL_PORT 7
#define REMOTE_PORT 40000
#define ISS 1000000u		/* our ISN (secure_tcp_seq stand-in) */
#define IRS 5000000u		/* the peer's */

/* A segment we sent, parsed. */
struct seg {
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t win;
	uint16_t sport, dport;
	unsigned int len;		/* payload */
	uint8_t data[2048];
	int mss, ws, sack_perm, ts, nsack;	/* options: -1 / 0 when absent */
	uint32_t tsval, tsecr;
	uint32_t sack[4][2];
	int csum_ok;
	int partial;		/* left to the device (CHECKSUM_PARTIAL) */
};

int next_seg(struct seg *s);		/* 1 and fills *s, or 0 if nothing was sent */
void expect_seg_flags(struct seg *s, uint8_t flags, uint32_t seq, unsigned int len, const char *file,
		      int line);
#define expect_seg(s, flags, seq, len) expect_seg_flags(s, flags, seq, len, __FILE__, __LINE__)
/* The same, PSH or not (forced pushes with a small peer window are Linux's). */
void expect_seg_nopsh(struct seg *s, uint8_t flags, uint32_t seq, unsigned int len, const char *file,
		      int line);
#define expect_seg_any_psh(s, flags, seq, len) expect_seg_nopsh(s, flags, seq, len, __FILE__, __LINE__)
#define expect_nothing() assert_int_equal(tcp_tx_pending(), 0)
unsigned int tcp_tx_pending(void);	/* TCP frames sent and not yet read (ARP answered) */
void tcp_tx_purge(void);

/* setup/teardown for cmocka: shim, ARP for the peer, MIB snapshot, leak checks. */
int tcp_out_setup(void **state);
int tcp_out_teardown(void **state);
uint64_t mib_delta(enum tcp_mib f);

/* Sockets without the syscall layer. */
struct sock *new_tcp_sock(void);
/* An ESTABLISHED socket as after a handshake: us ISS, peer IRS, peer window @wnd. */
struct sock *established_sock(int ts, int wscale, uint32_t wnd);
void put_sock(struct sock *sk);	/* drop the "file" reference (after close) */

/* The peer's side, as the input side applies it. */
void fake_ack(struct sock *sk, uint32_t ack, uint32_t wnd);	/* cumulative ACK + window (scaled) */
void fake_data(struct sock *sk, const void *data, unsigned int len, int fin);

/* Syscall-like calls. */
long do_send(struct sock *sk, const void *buf, size_t len, int flags);
long do_recv(struct sock *sk, void *buf, size_t len, int flags);
void advance_ms(uint64_t ms);

/* Stand-in bookkeeping. */
extern int stub_time_wait_calls, stub_time_wait_state;
extern long stub_time_wait_timeo;
extern int stub_enter_loss_calls;
struct request_sock *stub_req_add(struct sock *listener, uint32_t raddr, uint16_t rport);
void stub_accept_queue_add(struct sock *listener, struct sock *child);
extern int stub_reqs_alive;

#endif
