/*
 * Private to the TCP input side (tcp_ipv4.c, tcp_input.c, tcp_input_ack.c,
 * tcp_minisocks.c, syncookies.c): what those files call in each other and
 * nobody else should. The public contract is tcp.h.
 */
#ifndef SQUALL_TCP_INPUT_H
#define SQUALL_TCP_INPUT_H

#include <net/ipv4/tcp.h>

/* tcp_ack() flags (Linux's FLAG_*) */
#define FLAG_DATA 0x01			/* the segment carries data */
#define FLAG_WIN_UPDATE 0x02		/* the send window was updated */
#define FLAG_DATA_ACKED 0x04		/* new data was acknowledged */
#define FLAG_RETRANS_DATA_ACKED 0x08	/* ... some of it retransmitted (Karn) */
#define FLAG_SYN_ACKED 0x10		/* our SYN was acknowledged */
#define FLAG_SND_UNA_ADVANCED 0x400
#define FLAG_UPDATE_TS_RECENT 0x4000	/* RFC 7323 §4.3: may update TS.Recent */
#define FLAG_NO_CHALLENGE_ACK 0x8000	/* the caller answers unacceptable ACKs itself */
#define FLAG_ACKED (FLAG_DATA_ACKED | FLAG_SYN_ACKED)

#define ICSK_ACK_NOW 8			/* icsk_ack.pending: ACK at once (Linux's value) */
#define TCP_MAX_QUICKACKS 16		/* Linux: quick ACKs at the start of a transfer */
#define TCP_INFINITE_SSTHRESH 0x7fffffff
#define TCP_FASTRETRANS_THRESH 3	/* RFC 5681 §3.2: the third duplicate ACK */
#define TCP_PAWS_WINDOW 1		/* Linux: tolerate a TSval one tick back */
#define TCP_PAWS_24DAYS (60u * 60 * 24 * 24)	/* RFC 7323 §5.5: TS.Recent is invalid after this (seconds) */
#define TCP_PAWS_MSL 60			/* seconds: a RST may pass PAWS after this */
#define TCPOLEN_TSTAMP_ALIGNED 12

/* The tw isn for a SYN that reopens a TIME_WAIT (RFC 6191), carried in the input skb's CB. */
#define tcp_tw_isn when

/* tcp_input_ack.c */
int tcp_ack(struct sock *sk, const struct sk_buff *skb, int flag);	/* <0 bad, 0 old, >0 ok */
void tcp_init_cong(struct sock *sk);


/* tcp_input.c */
int tcp_paws_reject(const struct tcp_options_received *rx_opt, int rst);
void tcp_replace_ts_recent(struct tcp_sock *tp, uint32_t seq);
int tcp_in_window(uint32_t seq, uint32_t end_seq, uint32_t s_win, uint32_t e_win);
void tcp_conn_request(struct sock *sk, struct sk_buff *skb);	/* LISTEN got a SYN; not consumed */
void tcp_initialize_rcv_mss(struct sock *sk);
void tcp_mss_from_peer(struct sock *sk);	/* mss_cache from the clamp and our MTU */
uint32_t tcp_receive_window(const struct tcp_sock *tp);
void tcp_openreq_init_rwin(struct request_sock *req, const struct sock *listener);

/* tcp_input_data.c */
void tcp_data_queue(struct sock *sk, struct sk_buff *skb);
void tcp_data_snd_check(struct sock *sk);
void tcp_ack_snd_check(struct sock *sk);

/* tcp_minisocks.c */
struct request_sock *reqsk_alloc_for(struct sock *listener, const struct sk_buff *skb,
				     const struct tcp_options_received *opt);
int tcp_child_process(struct sock *parent, struct sock *child, struct sk_buff *skb);
struct sock *tcp_v4_syn_recv_sock(struct sock *listener, struct sk_buff *skb,
				  struct request_sock *req, int *own_req);
void tcp_v4_reqsk_send_ack(const struct sk_buff *skb, const struct request_sock *req);
struct sock *__tcp_check_req(struct sock *sk, struct sk_buff *skb, struct request_sock *req,
			     int *stolen);
struct sock *tcp_complete_hashdance(struct sock *sk, struct sock *child, struct request_sock *req,
				    int own_req, int *stolen);
void tcp_v4_timewait_ack(struct tcp_timewait_sock *tw, const struct sk_buff *skb);
enum tcp_tw_status { TCP_TW_SUCCESS, TCP_TW_RST, TCP_TW_ACK, TCP_TW_SYN };
int syncookie_recent_overflow(void);
void syncookie_note_overflow(void);

/* tcp_ipv4.c */
uint32_t tcp_keyed_hash(uint32_t a, uint32_t b, uint32_t c, uint32_t d, int key);
int tcp_v4_checksum_ok(const struct sk_buff *skb);
extern int sysctl_tcp_syncookies;	/* 0 off, 1 on SYN queue overflow (default), 2 always */
extern int sysctl_tcp_sack;		/* take the peer's SACK-permitted (tcp_sack=) */

#endif
