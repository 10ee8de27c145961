/*
 * TCP (RFC 9293, with RFC 5961, 6298, 7323, 5681/6582, 1122; Linux's
 * include/net/tcp.h shape). The contract between the TCP files:
 *
 *   tcp_ipv4.c     tcp_v4_rcv (lookup, socket lock/backlog), RST/ACK for
 *                  segments without a full socket, connect, tcp_prot, init
 *   tcp_input.c    tcp_rcv_state_process, tcp_rcv_established, RFC 5961
 *                  checks, options, ACK processing (RTT, NewReno), data
 *                  and FIN, the out-of-order queue
 *   tcp_minisocks.c request socks (SYN-RECEIVED), TIME_WAIT mini-sockets
 *   syncookies.c   SYN cookies when the SYN queue overflows
 *   tcp_output.c   building and sending segments, Nagle, windows,
 *                  retransmission, SYN/SYN-ACK/FIN/RST/ACK
 *   tcp_timer.c    retransmit (RFC 6298), delayed ACK, zero-window probe,
 *                  keepalive, SYN-ACK retransmit, TIME_WAIT expiry
 *   tcp.c          the socket calls: sendmsg, recvmsg, close, shutdown,
 *                  poll, ioctl, options, listen/accept; MIB counters
 *
 * Context and locks: input runs in softirq (NET_RX) with the socket's
 * spinlock held (bh_lock_sock); when a system call owns the socket the
 * segment waits in the backlog and runs from release_sock (process
 * context, still under the socket lock). Timers run in softirq and take
 * bh_lock_sock; if the socket is owned they re-arm shortly (Linux's
 * "defer if owned"). Fields of tcp_sock are [s]: socket lock (either
 * level) unless tagged otherwise.
 *
 * Sequence numbers compare modulo 2^32 with before()/after().
 */
#ifndef SQUALL_TCP_H
#define SQUALL_TCP_H

#include <stdint.h>
#include <net/core/sock.h>
#include <net/ipv4/inet_sock.h>
#include <net/ipv4/inet_hashtables.h>
#include <net/ipv4/tcp_states.h>

/* ---- the header ---- */

struct tcphdr {
	uint16_t source, dest;		/* network order */
	uint32_t seq, ack_seq;		/* network order */
	uint8_t doff_res;		/* data offset (words) in the high nibble */
	uint8_t flags;			/* TCPHDR_* */
	uint16_t window;
	uint16_t check;
	uint16_t urg_ptr;
} __attribute__((packed));

#define TCPHDR_FIN 0x01
#define TCPHDR_SYN 0x02
#define TCPHDR_RST 0x04
#define TCPHDR_PSH 0x08
#define TCPHDR_ACK 0x10
#define TCPHDR_URG 0x20
#define TCPHDR_ECE 0x40
#define TCPHDR_CWR 0x80

static inline struct tcphdr *tcp_hdr(const struct sk_buff *skb)
{
	return (struct tcphdr *)skb_transport_header(skb);
}
static inline unsigned int tcp_hdrlen(const struct tcphdr *th) { return (th->doff_res >> 4) * 4u; }

static inline int before(uint32_t seq1, uint32_t seq2) { return (int32_t)(seq1 - seq2) < 0; }
#define after(seq2, seq1) before(seq1, seq2)
static inline int between(uint32_t seq1, uint32_t seq2, uint32_t seq3) { return seq3 - seq2 >= seq1 - seq2; }

/* ---- options (RFC 9293 §3.1, RFC 7323, RFC 2018) ---- */

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WINDOW 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TIMESTAMP 8
#define TCP_MAX_WSCALE 14		/* RFC 7323 §2.3 */
#define TCP_MSS_DEFAULT 536		/* RFC 9293 §3.7.1: without the option */
#define TCP_MIN_MSS 88
#define TCP_NUM_SACKS 4

struct tcp_sack_block {
	uint32_t start_seq, end_seq;	/* host order */
};

struct tcp_options_received {
	uint32_t rcv_tsval, rcv_tsecr;	/* from the last segment with timestamps */
	uint32_t ts_recent;		/* RFC 7323 TS.Recent */
	uint64_t ts_recent_stamp;	/* jiffies when ts_recent was set (PAWS 24-day rule) */
	uint16_t mss_clamp;		/* the peer's MSS option, 0 = none */
	uint16_t user_mss;		/* TCP_MAXSEG */
	uint8_t saw_tstamp : 1, tstamp_ok : 1, sack_ok : 1, wscale_ok : 1, saw_sack : 1;
	uint8_t snd_wscale;		/* the peer's shift (applied to its windows) */
	uint8_t rcv_wscale;		/* ours (applied to windows we send) */
	uint8_t num_sacks;		/* blocks in sack[] from the last segment */
	struct tcp_sack_block sack[TCP_NUM_SACKS];
};

/*
 * Parse the options of @th (data offset already checked ≥ 20 and within
 * the segment) into @opt. Malformed options (a length below 2, or running
 * past the header, or a known option with the wrong length) end parsing
 * there; what was parsed before stands, as Linux's tcp_parse_options.
 * @syn: a SYN, where MSS/WS/SACK_PERM are meaningful. Returns 0, or -1 if
 * something malformed was seen (counted by the caller, not fatal).
 */
int tcp_parse_options(const struct tcphdr *th, int syn, struct tcp_options_received *opt);

/* ---- per-skb control block ---- */

struct tcp_skb_cb {
	uint32_t seq;			/* first sequence number */
	uint32_t end_seq;		/* seq + SYN + FIN + data length */
	uint32_t ack_seq;		/* (input) the ACK field */
	uint8_t tcp_flags;		/* TCPHDR_* */
	uint8_t sacked;			/* (output) TCPCB_* */
	uint16_t pad;
	uint64_t when;			/* (output) jiffies of the last transmission */
	uint64_t first_tx_us;		/* (output) ktime_ns()/1000 of the first one, for RTT */
};
#define TCPCB_RETRANS 0x01		/* retransmitted at least once (Karn: no RTT sample) */
#define TCPCB_SACKED_ACKED 0x02
#define TCP_SKB_CB(skb) ((struct tcp_skb_cb *)&((skb)->cb[0]))

/* ---- mini-sockets ---- */

/*
 * A connection in SYN-RECEIVED (Linux's tcp_request_sock): kept on its
 * listener's SYN table until the handshake's ACK makes a full socket, or
 * its SYN-ACK retries run out. Keys in __req_common: skc_daddr/dport = the
 * peer, skc_rcv_saddr/num = us; skc_state = TCP_NEW_SYN_RECV.
 */
struct request_sock {
	struct sock_common __req_common;
	struct sock *rsk_listener;		/* [I] with a reference */
	struct request_sock *dl_next;		/* [listener queue lock] SYN table or accept queue link */
	struct sock *sk;			/* the child, once on the accept queue */
	uint32_t rcv_isn, snt_isn;		/* [I] */
	uint32_t ts_recent;
	uint32_t rcv_wnd;
	uint16_t mss;				/* the peer's MSS option (clamped) */
	uint8_t snd_wscale, rcv_wscale;
	uint8_t tstamp_ok : 1, sack_ok : 1, wscale_ok : 1, cookie : 1;
	uint8_t num_retrans;			/* SYN-ACKs resent */
	uint64_t expires;			/* jiffies of the next SYN-ACK retransmit */
};

/*
 * TIME_WAIT (Linux's tcp_timewait_sock): what is left of a closed
 * connection for 2*MSL, in the established hash in place of the socket.
 * Keys in __tw_common (skc_state = TCP_TIME_WAIT).
 */
struct tcp_timewait_sock {
	struct sock_common __tw_common;
	uint8_t tw_substate;			/* TIME_WAIT, or FIN_WAIT2 for a timed one */
	uint16_t tw_sport;			/* network order */
	uint32_t tw_rcv_nxt, tw_snd_nxt;
	uint32_t tw_rcv_wnd;
	uint32_t tw_ts_recent;
	uint64_t tw_ts_recent_stamp;
	uint8_t tw_ts_ok;
	struct timer_list tw_timer;		/* expiry: unhash and free */
	struct inet_hashinfo *tw_hashinfo;
};

/* ---- the listener's queues (Linux's request_sock_queue) ---- */

struct request_sock_queue {
	struct spinlock lock;			/* guards everything below */
	struct request_sock *syn_table[64];	/* SYN-RECEIVED requests, by peer hash */
	unsigned int qlen;			/* requests in the SYN table */
	unsigned int max_qlen;			/* SYN backlog (listen backlog, at least 8) */
	struct request_sock *accept_head, *accept_tail;	/* established, not yet accepted */
	unsigned int accept_len;		/* sk_ack_backlog */
	unsigned int max_accept;		/* sk_max_ack_backlog: listen()'s backlog */
	uint8_t defer_accept;			/* TCP_DEFER_ACCEPT seconds (optional) */
};

/* ---- the connection ---- */

struct inet_connection_sock {
	struct inet_sock icsk_inet;		/* must stay first */
	struct request_sock_queue icsk_accept_queue;	/* listeners only */
	struct timer_list icsk_retransmit_timer;	/* RTO, zero-window probe */
	struct timer_list icsk_delack_timer;
	uint32_t icsk_rto;			/* jiffies (RFC 6298: ≥ 1 s initial, 200 ms min as Linux) */
	uint8_t icsk_ca_state;			/* TCP_CA_* */
	uint8_t icsk_retransmits;		/* consecutive RTO retransmissions */
	uint8_t icsk_pending;			/* ICSK_TIME_RETRANS / ICSK_TIME_PROBE0 */
	uint8_t icsk_backoff;
	uint8_t icsk_syn_retries;		/* 0: the default (tcp_syn_retries = 6) */
	uint8_t icsk_probes_out;		/* unanswered zero-window or keepalive probes */
	struct {
		uint8_t pending;		/* ICSK_ACK_SCHED | ICSK_ACK_TIMER */
		uint8_t quick;			/* segments to ACK at once (slow start of ACKs) */
		uint8_t pingpong;		/* interactive: delay ACKs to piggyback */
		uint32_t ato;			/* delayed-ACK timeout, jiffies (40 ms min, 200 ms max) */
		uint64_t timeout;
		uint64_t lrcvtime;		/* jiffies of the last data received */
		uint16_t rcv_mss;
	} icsk_ack;
};

enum { TCP_CA_Open, TCP_CA_Disorder, TCP_CA_CWR, TCP_CA_Recovery, TCP_CA_Loss };
#define ICSK_TIME_RETRANS 1
#define ICSK_TIME_PROBE0 3
#define ICSK_ACK_SCHED 1
#define ICSK_ACK_TIMER 2
#define ICSK_ACK_PUSHED 4

struct tcp_sock {
	struct inet_connection_sock inet_conn;	/* must stay first */

	/* RFC 9293 §3.3.1 send sequence space */
	uint32_t snd_una;		/* oldest unacknowledged */
	uint32_t snd_nxt;		/* next to send */
	uint32_t snd_wnd;		/* the peer's window, scaled */
	uint32_t snd_wl1, snd_wl2;	/* seq/ack of the segment that last updated snd_wnd */
	uint32_t write_seq;		/* end of the data queued by sendmsg */
	uint32_t pushed_seq;
	uint32_t max_window;		/* largest window the peer offered */
	/* receive sequence space */
	uint32_t rcv_nxt;		/* next expected */
	uint32_t rcv_wnd;		/* our current window */
	uint32_t rcv_wup;		/* rcv_nxt when rcv_wnd was last advertised */
	uint32_t copied_seq;		/* read by the application up to here */
	uint32_t rcv_ssthresh, window_clamp;
	uint32_t mss_cache;		/* current effective send MSS */
	uint16_t advmss;		/* the MSS we announce */

	/* RTT (RFC 6298), in microseconds */
	uint32_t srtt_us;		/* smoothed RTT << 3 */
	uint32_t mdev_us;		/* mean deviation << 2 */
	uint32_t rttvar_us;

	/* congestion control: Reno/NewReno (RFC 5681, 6582) */
	uint32_t snd_cwnd;		/* segments */
	uint32_t snd_ssthresh;
	uint32_t snd_cwnd_cnt;		/* congestion-avoidance accumulator */
	uint32_t high_seq;		/* snd_nxt when recovery began (NewReno "recover") */
	uint32_t prior_ssthresh;
	uint32_t packets_out;		/* segments sent, not yet acknowledged */
	uint32_t retrans_out;
	uint32_t sacked_out;		/* Reno: duplicate ACKs counted since the last new ACK */
	uint32_t undo_marker;

	struct tcp_options_received rx_opt;
	uint32_t tsoffset;		/* added to our timestamps (random per connection) */
	uint64_t rcv_tstamp;		/* jiffies of the last ACK received (keepalive, probes) */
	uint64_t lsndtime;		/* jiffies of the last data sent */

	struct sk_buff_head out_of_order_queue;	/* sorted by seq */
	struct sk_buff *send_head;	/* first unsent skb on sk_write_queue; NULL: all sent */

	uint8_t nonagle;		/* TCP_NAGLE_OFF (TCP_NODELAY) | TCP_NAGLE_PUSH */
	uint8_t syn_retries_left;
	int linger2;			/* FIN_WAIT2 timeout, jiffies (tcp_fin_timeout 60 s) */
	uint32_t keepalive_time, keepalive_intvl;	/* jiffies; 0 = defaults 7200 s / 75 s */
	uint8_t keepalive_probes;	/* 0 = default 9 */

	/* RFC 5961 §7 challenge-ACK rate limit */
	uint32_t challenge_count;
	uint64_t challenge_stamp;	/* jiffies / HZ when the count was reset */
	uint64_t last_oow_ack_time;	/* jiffies of the last dupACK to an out-of-window segment */

	/* accounting for stats */
	uint32_t segs_in, segs_out, total_retrans;

	uint32_t lost_out;		/* sent skbs marked TCPCB_LOST (appended, input side) */
	uint32_t snd_sml;		/* end of the last small segment sent (Nagle/Minshall; appended, output side) */
};

#define TCP_NAGLE_OFF 1
#define TCP_NAGLE_CORK 2
#define TCP_NAGLE_PUSH 4

static inline struct inet_connection_sock *inet_csk(const struct sock *sk)
{
	return (struct inet_connection_sock *)sk;
}
static inline struct tcp_sock *tcp_sk(const struct sock *sk)
{
	return (struct tcp_sock *)sk;
}
static inline struct request_sock *inet_reqsk(const struct sock *sk)
{
	return (struct request_sock *)sk;
}
static inline struct tcp_timewait_sock *tcp_twsk(const struct sock *sk)
{
	return (struct tcp_timewait_sock *)sk;
}

/* ---- constants (Linux's defaults) ---- */

#define TCP_TIMEWAIT_LEN_DEFAULT_MS 60000	/* 2*MSL as Linux (60 s); tcp_tw_ms= shortens it */
#define TCP_FIN_TIMEOUT_MS 60000
#define TCP_RTO_MIN_MS 200
#define TCP_RTO_MAX_MS 120000
#define TCP_TIMEOUT_INIT_MS 1000		/* RFC 6298 §2.1 */
#define TCP_DELACK_MIN_MS 40
#define TCP_DELACK_MAX_MS 200
#define TCP_SYN_RETRIES 6
#define TCP_SYNACK_RETRIES 5
#define TCP_RETRIES2 15
#define TCP_INIT_CWND 10			/* RFC 6928, as Linux */
#define TCP_SYNQ_DEFAULT 128

/* ---- the table and the protocol ---- */

extern struct inet_hashinfo tcp_hashinfo;
extern struct proto tcp_prot;

/* tcp_ipv4.c */
int tcp_v4_rcv(struct sk_buff *skb);			/* consumes skb */
int tcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb);	/* socket locked; consumes */
void tcp_v4_send_reset(const struct sock *sk, struct sk_buff *skb);	/* RFC 9293 §3.10.7.1 reply to skb */
void tcp_v4_send_ack(const struct sk_buff *skb, uint32_t seq, uint32_t ack, uint32_t win,
		     uint32_t tsval, uint32_t tsecr, int ts);	/* for mini-sockets */
int tcp_v4_connect(struct sock *sk, const void *uaddr, int addr_len);
uint32_t secure_tcp_seq(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport);	/* RFC 6528 */
void tcp_init(void);					/* hashes, protocol, protosw */

/* tcp_input.c */
int tcp_rcv_state_process(struct sock *sk, struct sk_buff *skb);	/* 1: caller sends RST; consumes otherwise */
void tcp_rcv_established(struct sock *sk, struct sk_buff *skb);	/* consumes */
void tcp_reset(struct sock *sk);				/* an acceptable RST arrived */
void tcp_fin(struct sock *sk);
void tcp_rtt_estimator(struct sock *sk, long mrtt_us);		/* RFC 6298 §2 */
void tcp_init_transfer(struct sock *sk);			/* entering ESTABLISHED */

/* tcp_minisocks.c */
struct sock *tcp_check_req(struct sock *listener, struct sk_buff *skb, struct request_sock *req);
struct sock *tcp_create_openreq_child(const struct sock *listener, const struct request_sock *req,
				      const struct sk_buff *skb);
void tcp_time_wait(struct sock *sk, int state, long timeo_jiffies);	/* replace sk by a tw sock */
int tcp_timewait_state_process(struct tcp_timewait_sock *tw, struct sk_buff *skb);	/* consumes; may RST */
void inet_twsk_put(struct tcp_timewait_sock *tw);
struct request_sock *reqsk_alloc(struct sock *listener);
void reqsk_free(struct request_sock *req);

/* syncookies.c */
uint32_t cookie_v4_init_sequence(const struct sk_buff *skb, uint16_t *mssp);
struct sock *cookie_v4_check(struct sock *listener, struct sk_buff *skb);

/* tcp_output.c */
int tcp_transmit_skb(struct sock *sk, struct sk_buff *skb, int clone);	/* clone: keep skb queued */
void tcp_write_xmit(struct sock *sk, int nonagle);
void tcp_push_pending_frames(struct sock *sk);
void tcp_send_ack(struct sock *sk);
void tcp_send_delayed_ack(struct sock *sk);
void tcp_send_fin(struct sock *sk);
void tcp_send_active_reset(struct sock *sk);
int tcp_send_synack(const struct sock *listener, struct request_sock *req, const struct sk_buff *syn);
int tcp_connect(struct sock *sk);			/* send the SYN */
int tcp_retransmit_skb(struct sock *sk, struct sk_buff *skb);
void tcp_xmit_retransmit_queue(struct sock *sk);
void tcp_send_probe0(struct sock *sk);
void tcp_send_challenge_ack(struct sock *sk);		/* RFC 5961 §7 rate-limited */
uint32_t tcp_current_mss(struct sock *sk);
uint16_t tcp_select_window(struct sock *sk);		/* the window field to send, scaled */

/* tcp_timer.c */
void tcp_init_xmit_timers(struct sock *sk);
void tcp_clear_xmit_timers(struct sock *sk);
void inet_csk_reset_xmit_timer(struct sock *sk, int what, uint64_t when_jiffies);
void inet_csk_clear_xmit_timer(struct sock *sk, int what);
void tcp_set_keepalive(struct sock *sk, int on);
void tcp_reqsk_timer_arm(struct sock *listener);	/* SYN-ACK retransmits for its SYN table */

/* tcp.c */
void tcp_set_state(struct sock *sk, int state);		/* counts CurrEstab etc., rehashes as needed */
void tcp_done(struct sock *sk);				/* CLOSED: unhash, wake, orphan cleanup */
void tcp_init_sock(struct sock *sk);
unsigned int tcp_poll_mask(struct sock *sk);
extern unsigned int tcp_tw_ms;				/* TIME_WAIT length (tcp_tw_ms= for tests) */

/* ---- MIB counters (Linux's names: /proc/net/snmp "Tcp:", /proc/net/netstat "TcpExt:") ---- */

enum tcp_mib {
	TCP_MIB_ACTIVEOPENS, TCP_MIB_PASSIVEOPENS, TCP_MIB_ATTEMPTFAILS, TCP_MIB_ESTABRESETS,
	TCP_MIB_CURRESTAB, TCP_MIB_INSEGS, TCP_MIB_OUTSEGS, TCP_MIB_RETRANSSEGS,
	TCP_MIB_INERRS, TCP_MIB_OUTRSTS, TCP_MIB_CSUMERRORS,
	/* TcpExt */
	LINUX_MIB_LISTENOVERFLOWS, LINUX_MIB_LISTENDROPS, LINUX_MIB_SYNCOOKIESSENT,
	LINUX_MIB_SYNCOOKIESRECV, LINUX_MIB_SYNCOOKIESFAILED, LINUX_MIB_TCPCHALLENGEACK,
	LINUX_MIB_TCPSYNCHALLENGE, LINUX_MIB_PAWSESTABREJECTED, LINUX_MIB_TCPTIMEOUTS,
	LINUX_MIB_TCPFASTRETRANS, LINUX_MIB_DELAYEDACKS, LINUX_MIB_TCPABORTONDATA,
	LINUX_MIB_TCPABORTONCLOSE, LINUX_MIB_TCPABORTONTIMEOUT, LINUX_MIB_TW,
	LINUX_MIB_TCPBACKLOGDROP, LINUX_MIB_TCPOFOQUEUE, LINUX_MIB_TCPRCVQDROP,
	LINUX_MIB_TCPZEROWINDOWDROP, LINUX_MIB_TCPREQQFULLDROP, LINUX_MIB_TCPKEEPALIVE,
	LINUX_MIB_TCPACKSKIPPEDSEQ, LINUX_MIB_TCPACKSKIPPEDPAWS,
	TCP_MIB_MAX
};
void tcp_mib_inc(enum tcp_mib field);			/* per CPU, any context */
void tcp_mib_add(enum tcp_mib field, long n);
uint64_t tcp_mib_read(enum tcp_mib field);		/* summed */
uint64_t tcp_mib_read_cpu(enum tcp_mib field, unsigned int cpu);	/* one CPU's row */
const char *tcp_mib_name(enum tcp_mib field);		/* "ActiveOpens", "ListenOverflows", ... */

/* ---- appended by the input side (docs/tcp-notes.md, 2026-11-22) ---- */

#define TCPCB_LOST 0x04			/* to be retransmitted (tcp_enter_loss, fast retransmit) */
#define TCPCB_SACKED_RETRANS 0x08	/* a retransmission of it is in flight (in retrans_out) */

/* RFC 7323 timestamp clock: milliseconds from jiffies; sent as this + tp->tsoffset. */
static inline uint32_t tcp_clock_ms(void) { return (uint32_t)(jiffies * 1000 / HZ); }

/* Segments in the network (Linux's tcp_packets_in_flight, without SACK). */
static inline uint32_t tcp_packets_in_flight(const struct tcp_sock *tp)
{
	uint32_t left = tp->sacked_out + tp->lost_out;

	return (tp->packets_out > left ? tp->packets_out - left : 0) + tp->retrans_out;
}

/* Listener queues (Linux's sk_acceptq_is_full / inet_csk_reqsk_queue_is_full). */
static inline int sk_acceptq_is_full(const struct sock *sk)
{
	return inet_csk(sk)->icsk_accept_queue.accept_len > inet_csk(sk)->icsk_accept_queue.max_accept;
}
static inline int inet_csk_reqsk_queue_is_full(const struct sock *sk)
{
	return inet_csk(sk)->icsk_accept_queue.qlen >= inet_csk(sk)->icsk_accept_queue.max_qlen;
}

/* tcp_ipv4.c */
uint32_t secure_tcp_ts_off(uint32_t saddr, uint32_t daddr);	/* tp->tsoffset for the pair */
int tcp_v4_init_sock(struct sock *sk);			/* tcp_prot.init: tcp_init_sock + ops */
void tcp_v4_destroy_sock(struct sock *sk);		/* tcp_prot.destroy: timers, queues */
void sock_gen_put(struct sock *sk);			/* put a full, request or timewait sock */

/* tcp_input.c */
void tcp_enter_loss(struct sock *sk);			/* RTO: ssthresh, cwnd 1, mark LOST */

/* tcp_minisocks.c: request socks and the listener's queues (each takes the queue lock) */
void reqsk_put(struct request_sock *req);
int inet_csk_reqsk_queue_hash_add(struct sock *listener, struct request_sock *req);	/* 0, -EINVAL (not listening), -EADDRINUSE */
int inet_csk_reqsk_queue_drop(struct sock *listener, struct request_sock *req);	/* SYN table + ehash; 1 if it was on the table */
struct sock *inet_csk_reqsk_queue_add(struct sock *listener, struct request_sock *req,
				      struct sock *child);	/* NULL: not listening any more */
struct request_sock *reqsk_queue_remove(struct sock *listener);	/* accept-queue head, or NULL */
uint32_t tcp_synack_tsval(const struct request_sock *req);	/* TSval for its SYN-ACK */
void inet_twsk_kill(struct tcp_timewait_sock *tw);	/* stop its timer, unhash (caller's reference stays) */
void tcp_write_queue_purge(struct sock *sk);		/* free every queued skb, reset the counts */

/* tcp.c: struct proto methods (Linux's names), and the listen hook for af_inet */
void tcp_close(struct sock *sk, long timeout);
int tcp_disconnect(struct sock *sk, int flags);
struct sock *inet_csk_accept(struct sock *sk, int flags, int *err);
int tcp_ioctl(struct sock *sk, int cmd, int *karg);
int tcp_shutdown(struct sock *sk, int how);
int tcp_setsockopt(struct sock *sk, int level, int optname, const void *optval, unsigned int optlen);
int tcp_getsockopt(struct sock *sk, int level, int optname, void *optval, int *optlen);
long tcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t len);
long tcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags, int *addr_len);
int inet_csk_listen_start(struct sock *sk, int backlog);
/* accept()'s sleep: an exclusive waiter on sk_wq, or not under wakeup=all (sysctl_accept_wake_all). */
struct wait_queue_entry;
void inet_csk_add_accept_waiter(struct sock *sk, struct wait_queue_entry *wait);
extern int sysctl_accept_wake_all;

/* ---- appended by the output side (docs/tcp-notes.md, 2026-11-22) ---- */

#define ICSK_TIME_DACK 2			/* Linux's value; for inet_csk_{reset,clear}_xmit_timer */

/* The write queue: sent then unsent skbs; send_head is the first unsent (Linux's tcp_send_head). */
static inline struct sk_buff *tcp_write_queue_head(const struct sock *sk)
{
	return skb_peek(&sk->sk_write_queue);
}
static inline struct sk_buff *tcp_send_head(const struct sock *sk) { return tcp_sk(sk)->send_head; }

static inline void inet_csk_schedule_ack(struct sock *sk)
{
	inet_csk(sk)->icsk_ack.pending |= ICSK_ACK_SCHED;
}
static inline int inet_csk_ack_scheduled(const struct sock *sk)
{
	return inet_csk(sk)->icsk_ack.pending & ICSK_ACK_SCHED;
}

/* tcp_output.c */
void tcp_select_initial_window(const struct sock *sk, uint32_t mss, uint32_t *rcv_wnd,
			       uint32_t *window_clamp, int wscale_ok, uint8_t *rcv_wscale);
uint16_t tcp_advmss(const struct sock *sk);		/* the MSS option we send */
void tcp_check_probe_timer(struct sock *sk);		/* unsent data, nothing in flight: PROBE0 */
uint32_t __tcp_select_window(struct sock *sk);		/* the window we could offer now, unscaled */
struct sk_buff *tcp_stream_alloc_skb(unsigned int size);	/* MAX_HEADER headroom + @size */
void tcp_skb_entail(struct sock *sk, struct sk_buff *skb);	/* write-queue tail, wmem_queued */
int tcp_write_wakeup(struct sock *sk);			/* window probe / keepalive probe */

/* tcp_timer.c */
void inet_csk_reset_keepalive_timer(struct sock *sk, uint64_t len_jiffies);	/* relative */
void inet_csk_delete_keepalive_timer(struct sock *sk);

/* tcp.c and inet_connection_sock_accept.c */
void sk_stream_write_space(struct sock *sk);		/* TCP's sk_write_space */
void tcp_cleanup_rbuf(struct sock *sk, int copied);	/* window-update ACK after reading */
void inet_csk_destroy_sock(struct sock *sk);		/* CLOSE orphan: timers, queues, port */
void inet_csk_listen_stop(struct sock *sk);		/* drop requests, abort unaccepted children */

#endif
