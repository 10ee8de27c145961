/*
 * TCP states, with Linux's values (include/net/tcp_states.h), shared by
 * the socket layer (connect/accept/shutdown rules) and TCP itself. UDP
 * uses TCP_CLOSE and TCP_ESTABLISHED for unconnected/connected.
 */
#ifndef SQUALL_TCP_STATES_H
#define SQUALL_TCP_STATES_H

enum {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,		/* now a valid state */
	TCP_NEW_SYN_RECV,	/* a request sock in the established hash */
	TCP_MAX_STATES
};

#define TCPF(state) (1 << (state))

#endif
