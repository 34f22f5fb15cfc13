// The floor under any streamed per-pixel correlation of a sparse IMM file (issue 20's throughput
// target), measured by bench/xpcs-corr.bench.js beside `cat` and xpcsCorrStream.
//
// It does far less than multi-tau: read the frames, parse each IMM header (dlen at byte 152, the
// layout of kernel-lib/src/formats/imm/header.ts), route every event to its labelled pixel and make
// ONE state update per event (the pixel's running sum, and one product when its previous event is
// within 15 frames: level 0's partner test). Multi-tau makes about 7.7 such updates per event at 1%
// fill (one per level until the event meets another in a pair average), each with its delays.
// Each thread takes a contiguous range of frames with its own state (sums merge at the end), so
// the threads never wait for each other.
//
// mode "direct": each event updates its pixel's state in place (random access into ~13 MB).
// mode "sorted": events are buffered 2^20 at a time and counting-sorted pixel-major first, then
//                every pixel's events are applied in order (the batch scheme of xpcs-stream.ts).
//
// usage: xpcs-stream-floor <file.imm> <frames> <labels.u8 (one byte per pixel, 0 = unlabelled)>
//                          <threads> <direct|sorted>
// prints {"seconds", "events", "sum", "bytes"}; "sum" (all values) checks that every event was read.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HEADER 1024
#define DLEN_AT 152
#define BATCH (1u << 20)
#define READ_BYTES (64u << 20)
#define PARTNER_FRAMES 15

typedef struct {
  int fd, sorted, first;
  int64_t from, to;
  uint32_t slots;
  const int32_t *slot;
  double sum;
  long events;
} job_t;

typedef struct {
  double *S, *G;
  int32_t *last;
  uint32_t *bs, *count, n;
  uint16_t *bv, *pv;
  int32_t *bt, *pt;
} state_t;

static void apply(state_t *s, uint32_t slot, int32_t t, double v) {
  s->S[slot] += v;
  if (t - s->last[slot] <= PARTNER_FRAMES) s->G[slot] += v;
  s->last[slot] = t;
}

/** Counting sort of the buffered events by slot (stable: frame order within a slot), then apply. */
static void flush(state_t *s, uint32_t P) {
  memset(s->count, 0, 4 * ((size_t)P + 1));
  for (uint32_t e = 0; e < s->n; e++) s->count[s->bs[e] + 1]++;
  for (uint32_t k = 1; k <= P; k++) s->count[k] += s->count[k - 1];
  for (uint32_t e = 0; e < s->n; e++) {
    uint32_t p = s->count[s->bs[e]]++;
    s->pv[p] = s->bv[e];
    s->pt[p] = s->bt[e];
  }
  uint32_t from = 0;
  for (uint32_t k = 0; k < P; k++) {
    for (uint32_t p = from; p < s->count[k]; p++) apply(s, k, s->pt[p], s->pv[p]);
    from = s->count[k];
  }
  s->n = 0;
}

static void frame(job_t *j, state_t *s, const uint8_t *f, uint32_t n, int32_t t) {
  const uint32_t *ix = (const uint32_t *)(f + HEADER);
  const uint16_t *vv = (const uint16_t *)(f + HEADER + 4 * (size_t)n);
  for (uint32_t e = 0; e < n; e++) {
    int32_t k = j->slot[ix[e]];
    if (k < 0) continue;
    j->events++;
    if (!j->sorted) {
      apply(s, (uint32_t)k, t, vv[e]);
      continue;
    }
    s->bs[s->n] = (uint32_t)k;
    s->bv[s->n] = vv[e];
    s->bt[s->n++] = t;
  }
  if (j->sorted && s->n >= BATCH) flush(s, j->slots);
}

static void *run(void *arg) {
  job_t *j = arg;
  size_t cap = READ_BYTES;
  uint8_t *buf = malloc(cap);
  state_t s = {.S = calloc(j->slots, 8), .G = calloc(j->slots, 8), .last = malloc(4 * (size_t)j->slots)};
  for (uint32_t k = 0; k < j->slots; k++) s.last[k] = -(1 << 30);
  if (j->sorted) {
    size_t n = BATCH + (1u << 20);
    s.bs = malloc(4 * n), s.bv = malloc(2 * n), s.bt = malloc(4 * n), s.pv = malloc(2 * n), s.pt = malloc(4 * n);
    s.count = malloc(4 * ((size_t)j->slots + 1));
  }
  int64_t off = j->from;
  size_t have = 0, pos = 0;
  for (int32_t t = j->first; off - (int64_t)(have - pos) < j->to;) {
    uint32_t n = 0;
    if (have - pos >= HEADER) memcpy(&n, buf + pos + DLEN_AT, 4);
    size_t need = HEADER + 6 * (size_t)n;
    if (have - pos < HEADER || have - pos < need) {
      memmove(buf, buf + pos, have - pos);
      have -= pos, pos = 0;
      if (need > cap) buf = realloc(buf, cap = need);
      int64_t want = j->to - off < (int64_t)(cap - have) ? j->to - off : (int64_t)(cap - have);
      ssize_t r = pread(j->fd, buf + have, (size_t)want, off);
      if (r <= 0) break;
      off += r, have += (size_t)r;
      continue;
    }
    frame(j, &s, buf + pos, n, t++);
    pos += need;
  }
  if (j->sorted) flush(&s, j->slots);
  for (uint32_t k = 0; k < j->slots; k++) j->sum += s.S[k];
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 6) return fprintf(stderr, "usage: %s file.imm frames labels.u8 threads direct|sorted\n", argv[0]), 2;
  int fd = open(argv[1], O_RDONLY), T = atoi(argv[2]), nth = atoi(argv[4]), sorted = !strcmp(argv[5], "sorted");
  FILE *lf = fopen(argv[3], "rb");
  if (fd < 0 || !lf || nth < 1 || nth > 64) return fprintf(stderr, "cannot open inputs\n"), 2;
  fseek(lf, 0, SEEK_END);
  long P = ftell(lf);
  rewind(lf);
  uint8_t *lab = malloc((size_t)P);
  if (fread(lab, 1, (size_t)P, lf) != (size_t)P) return 2;
  int32_t *slot = malloc(4 * (size_t)P), slots = 0;
  for (long p = 0; p < P; p++) slot[p] = lab[p] ? slots++ : -1;
  // Frame offsets from the headers (the same scan ImmSource makes before streaming).
  int64_t *at = malloc(8 * ((size_t)T + 1)), o = 0;
  uint8_t h[HEADER];
  for (int t = 0; t < T; t++) {
    at[t] = o;
    if (pread(fd, h, HEADER, o) != HEADER) return fprintf(stderr, "file has %d frames, not %d\n", t, T), 2;
    uint32_t n;
    memcpy(&n, h + DLEN_AT, 4);
    o += HEADER + 6 * (int64_t)n;
  }
  at[T] = o;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pthread_t th[64];
  job_t jobs[64];
  for (int i = 0; i < nth; i++) {
    int a = (int)((int64_t)T * i / nth), b = (int)((int64_t)T * (i + 1) / nth);
    jobs[i] = (job_t){fd, sorted, a, at[a], at[b], (uint32_t)slots, slot, 0, 0};
    pthread_create(&th[i], 0, run, &jobs[i]);
  }
  double sum = 0;
  long events = 0;
  for (int i = 0; i < nth; i++) pthread_join(th[i], 0), sum += jobs[i].sum, events += jobs[i].events;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double sec = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  printf("{\"seconds\": %.4f, \"events\": %ld, \"sum\": %.0f, \"bytes\": %lld}\n", sec, events, sum, (long long)o);
  return 0;
}
