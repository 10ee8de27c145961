# The stats endpoint (TCP port 7070): the server and collector (kernel
# only), the HTTP request parser and the JSON/text formats (portable, so
# they also build on the host for unit tests and the fuzzer).
STATS_HOST_SRCS := net/core/stats_http.c net/core/stats_format.c
NET_SRCS += $(STATS_HOST_SRCS) net/core/stats_collect.c net/core/stats_server.c

UNIT_TESTS += stats_http stats_format
UNIT_SRCS_stats_http := net/core/stats_http.c
UNIT_SRCS_stats_format := net/core/stats_format.c

FUZZ_TARGETS += stats_http
FUZZ_SRCS_stats_http := net/core/stats_http.c
