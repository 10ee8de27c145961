/*
 * The TCP packet-trace harness (smoltcp's tests, lwIP's tcp_helper): the
 * whole stack hosted (tests/unit/host/net_shim.c: a fake NIC, jiffies
 * under the test's control), segments forged from a template and received
 * through net_rx → ip_rcv → tcp_v4_rcv, what we send read back off the
 * NIC and compared field by field.
 *
 *	struct seg s = SEG_TEMPL;		// the peer → us
 *	s.flags = TCPHDR_SYN; s.seq = REMOTE_ISN;
 *	inject(&s);
 *	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_SYN | TCPHDR_ACK,
 *				  .ack = REMOTE_ISN + 1, .any = ANY_SEQ });
 *	expect_nothing();
 *
 * Later designators override RECV_TEMPL's (GCC's -Woverride-init is off
 * in files that include this header). Addresses are network order (IP4()),
 * everything else host order. Setup/teardown check that every skb and
 * sock the test made is gone again and that no frame was left unread
 * (teardown closes whatever sockets the helpers made and lets timers run
 * out first). Time moves only in advance_ms().
 */
#ifndef TCP_HARNESS_H
#define TCP_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include "host/net_shim.h"
#include <net/ipv4/tcp.h>
#include <net/socket.h>

#pragma GCC diagnostic ignored "-Woverride-init"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Woverride-init-side-effects"
#else
#pragma GCC diagnostic ignored "-Winitializer-overrides"
#endif

#define LOCAL_IP SHIM_IP
#define REMOTE_IP PEER_IP
#define LOCAL_PORT 80
#define REMOTE_PORT 40000
#define REMOTE_ISN 1000000u
#define TS_PEER 5000u			/* the peer's TSval clock start */

/* What expect_seg() need not compare. */
#define ANY_WIN 0x01
#define ANY_SEQ 0x02
#define ANY_ACK 0x04
#define ANY_TSVAL 0x08
#define ANY_TSECR 0x10
#define NO_TS 0x20			/* the timestamp option must be absent */
#define ANY_LEN 0x40			/* any payload length (data not compared) */
#define ANY_PSH 0x80			/* PSH may or may not be set */

struct seg {
	uint32_t saddr, daddr;		/* network order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;			/* TCPHDR_* */
	uint16_t win;			/* the header field as sent (scaled) */
	/* options, each only if asked for: mss > 0, wscale ≥ 0, sack_perm, ts, nsack */
	int mss;
	int wscale;
	int sack_perm;
	int ts;
	uint32_t tsval, tsecr;
	int nsack;
	struct tcp_sack_block sack[TCP_NUM_SACKS];
	const uint8_t *raw_opts;	/* inject: these option bytes instead (padded to words) */
	unsigned int raw_optlen;
	const void *data;		/* payload; NULL with len > 0: the pattern byte i = seq + i */
	unsigned int len;
	/* inject only */
	int doff;			/* data offset in words if nonzero (malformed headers) */
	int bad_csum;
	int csum_ok;			/* arrive with CHECKSUM_UNNECESSARY */
	uint8_t urg_hi, urg_lo;		/* urgent pointer bytes */
	/* expect only */
	unsigned int any;		/* ANY_* / NO_TS */
};

#define SEG_TEMPL .saddr = REMOTE_IP, .daddr = LOCAL_IP, .sport = REMOTE_PORT, .dport = LOCAL_PORT, \
		  .win = 65535, .wscale = -1
#define RECV_TEMPL .saddr = LOCAL_IP, .daddr = REMOTE_IP, .sport = LOCAL_PORT, .dport = REMOTE_PORT, \
		   .wscale = -1, .any = ANY_WIN

/* cmocka setup/teardown (see above). */
int tcp_harness_setup(void **state);
int tcp_harness_teardown(void **state);

/* The peer sends @s. */
void inject(const struct seg *s);
/* Build @s as IP payload into @buf (room for 60 + len); returns the TCP length. Fuzzer seeds use it. */
unsigned int build_tcp(uint8_t *buf, const struct seg *s);

/* What we sent: 1 and *out, or 0 if nothing (non-TCP frames are skipped and counted). */
int next_seg(struct seg *out);
unsigned int tx_pending(void);
const struct seg *expect_seg_at(const struct seg *want, const char *file, int line);
void expect_nothing_at(const char *file, int line);
#define expect_seg(...) expect_seg_at((__VA_ARGS__), __FILE__, __LINE__)
#define expect_nothing() expect_nothing_at(__FILE__, __LINE__)

/* Time: @ms milliseconds pass, timers run (HZ 250 hosted: 4 ms a jiffy). */
void advance_ms(uint64_t ms);

/* MIB counters since setup. */
int64_t mib_delta(enum tcp_mib field);

/* ---- sockets without the syscall layer (all released by teardown if the test does not) ---- */

struct sock *harness_socket(void);
struct sock *harness_listen(uint16_t port, int backlog);
struct sock *harness_accept(struct sock *listener);	/* NULL if the accept queue is empty */
struct sock *harness_connect(uint16_t lport, uint16_t rport);	/* lport 0: ephemeral; SYN left to read */
void harness_close(struct sock *sk);			/* close(): tcp_close, then the file's reference */
void harness_abort(struct sock *sk);			/* tcp_disconnect (RST where due), then close */

/* Handshake options the peer offers. */
struct hs_opts {
	int mss;			/* 0: 1460 */
	int wscale;			/* -1: none */
	int ts;				/* timestamps */
	int sack_perm;
	uint16_t win;			/* 0: 65535 */
};

/*
 * A passive open through a listener on LOCAL_PORT: SYN, our SYN-ACK (its
 * ISN in *iss), the ACK; returns the accepted child (ESTABLISHED). The
 * listener is in *listener (may be NULL). Peer ISN REMOTE_ISN, TSval TS_PEER.
 */
struct sock *harness_established(const struct hs_opts *o, uint32_t *iss, struct sock **listener);

/* Receive @len bytes into @buf (tcp_recvmsg, non-blocking); returns its result. */
long harness_recv(struct sock *sk, void *buf, size_t len);
long harness_send(struct sock *sk, const void *buf, size_t len);

/* The pattern byte at sequence @seq (payloads with data == NULL). */
static inline uint8_t seg_pattern(uint32_t seq) { return (uint8_t)(seq * 7 + 3); }

#endif
