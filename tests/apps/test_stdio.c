/*
 * Runtime test: newlib's stdio and malloc from many threads at once.
 * Checks that snprintf/sscanf (with per-thread dtoa state) give the same
 * answers under contention, that malloc'd blocks keep their contents, that
 * lines written to one shared FILE are never torn, and that memory
 * allocated in one thread can be freed in another.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"

#define NTHREADS	8
#define ROUNDS		2000
#define LINE_EVERY	10
#define KEEP		100

struct result {
	int bad_fmt;	/* snprintf/sscanf round trips that disagreed */
	int bad_mem;	/* failed or corrupted allocations */
	void *kept[KEEP];	/* freed later by main */
};

static struct result res[NTHREADS];
static FILE *shared;

static int round_trip(long id, int i, size_t n)
{
	char buf[160], s[8];
	long id2;
	int i2;
	unsigned x;
	double d;
	long long ll;
	size_t n2;

	snprintf(buf, sizeof(buf), "%ld:%d:%x:%.2f:%s:%lld:%zu", id, i,
		 (unsigned)i, i / 4.0, "abc", (long long)i << 33, n);
	if (sscanf(buf, "%ld:%d:%x:%lf:%7[a-z]:%lld:%zu", &id2, &i2, &x, &d, s,
		   &ll, &n2) != 7)
		return 0;
	return id2 == id && i2 == i && x == (unsigned)i && d == i / 4.0 &&
	       !strcmp(s, "abc") && ll == (long long)i << 33 && n2 == n;
}

static int check_block(const unsigned char *p, size_t n, int v)
{
	for (size_t k = 0; k < n; k++)
		if (p[k] != v)
			return 0;
	return 1;
}

static void *worker(void *arg)
{
	long id = (long)arg;
	struct result *r = &res[id];
	unsigned seed = (unsigned)id * 7919 + 1;

	for (int i = 0; i < ROUNDS; i++) {
		size_t n = 16 + (size_t)rand_r(&seed) % 4096;
		unsigned char *p = malloc(n);

		if (!p) {
			r->bad_mem++;
			continue;
		}
		memset(p, (int)id, n);
		r->bad_fmt += !round_trip(id, i, n);
		if (i % 64 == 0)
			sched_yield();
		r->bad_mem += !check_block(p, n, (int)id);
		if (i < KEEP)
			r->kept[i] = p;
		else
			free(p);
		if (i % LINE_EVERY == 0)
			fprintf(shared, "T%ld L%d payload-%ld-%d\n", id, i, id, i);
	}
	printf("# thread %ld done\n", id);
	return NULL;
}

/* Every line must be exactly what one fprintf wrote; count them per thread. */
static int check_lines(char *text, int *per_thread)
{
	int bad = 0;

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		long id, id2;
		int i, i2, end = 0;

		if (sscanf(line, "T%ld L%d payload-%ld-%d%n", &id, &i, &id2, &i2,
			   &end) != 4 || line[end] || id != id2 || i != i2 ||
		    id < 0 || id >= NTHREADS) {
			bad++;
			continue;
		}
		per_thread[id]++;
	}
	return bad;
}

int main(void)
{
	pthread_t t[NTHREADS];
	int fmt = 0, mem = 0, created = 0, per_thread[NTHREADS] = { 0 };
	char *text = NULL;
	size_t len = 0;
	int bad_lines, counts_ok = 1;

	shared = open_memstream(&text, &len);
	ok(shared != NULL, "open_memstream gives a FILE shared by all threads");
	if (!shared)
		return tap_done();
	for (long i = 0; i < NTHREADS; i++)
		created += pthread_create(&t[i], NULL, worker, (void *)i) == 0;
	ok(created == NTHREADS, "%d threads started", created);
	for (int i = 0; i < created; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NTHREADS; i++) {
		fmt += res[i].bad_fmt;
		mem += res[i].bad_mem;
	}
	ok(fmt == 0, "%d x %d snprintf/sscanf round trips agree (%d bad)",
	   NTHREADS, ROUNDS, fmt);
	ok(mem == 0, "malloc'd blocks keep their contents (%d bad)", mem);
	fclose(shared);
	bad_lines = check_lines(text, per_thread);
	for (int i = 0; i < NTHREADS; i++)
		counts_ok &= per_thread[i] == ROUNDS / LINE_EVERY;
	ok(bad_lines == 0 && counts_ok,
	   "%d lines through one FILE, none torn or lost (%d bad)",
	   NTHREADS * ROUNDS / LINE_EVERY, bad_lines);
	free(text);
	for (int i = 0; i < NTHREADS; i++)
		for (int k = 0; k < KEEP; k++)
			free(res[i].kept[k]);
	ok(1, "blocks malloc'd in threads freed by main");
	return tap_done();
}
