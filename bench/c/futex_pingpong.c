// C floor for bench/pingpong.ts: the same ping-pong protocol as membridge's, with nothing but
// fork(), one MAP_SHARED page and shared (not PRIVATE) FUTEX_WAIT/FUTEX_WAKE.
//
// Protocol (identical to src/segments/Doorbell.ts + src/platform/futex.ts + native DoWait):
//   two doorbells on separate cache lines, each { u32 seq; u32 sleepers; }.
//   ring:  atomic add seq (seq_cst), load sleepers (seq_cst); FUTEX_WAKE only if sleepers > 0.
//   wait:  spin for the budget (32 acquire loads + PAUSE between clock checks), then
//          sleepers++, FUTEX_WAIT(seq == seen), sleepers--; loop until seq != seen.
//   ping:  t0; ring A; wait B; t1.   pong: wait A; ring B.
// Spin modes: "none" (futex only), "fixed" (a constant budget), "adaptive" (the policy of
// src/platform/spinPolicy.ts: start 4 µs, ×2 on success up to 20 µs, ×0.75 on failure down to 0.5 µs,
// with the same probes of the full budget).
//
//   futex_pingpong <none|fixed|adaptive> <spinNs> <warmup> <iterations> [pingCpu pongCpu]
// prints one JSON line: {"mode":..., "medianUs":..., "p99Us":..., "p999Us":..., "meanUs":..., ...}
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#define PAUSE() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define PAUSE() __asm__ __volatile__("yield")
#else
#define PAUSE() ((void)0)
#endif

typedef struct {
  uint32_t seq;
  uint32_t sleepers;
  char pad[56];
} Bell;

enum { SPIN_NONE, SPIN_FIXED, SPIN_ADAPTIVE };
static int spin_mode;
static double budget_ns;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void ring(Bell* b) {
  __atomic_add_fetch(&b->seq, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&b->sleepers, __ATOMIC_SEQ_CST) > 0)
    syscall(SYS_futex, &b->seq, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
}

// Returns only when seq != seen. The spin is that of src/platform/futex.ts (spinWord), in C with
// PAUSE; the sleep that of native/membridge.cc DoWait.
// The policy of src/platform/spinPolicy.ts: the budget lies between 10 us and a cap, the typical
// answer time of waits that slept (x1.25), at least 30 us and at most 300 us. Below the cap, every
// probe_every-th spin spins the whole cap; success restores the budget, failure doubles the
// interval (16 .. 64). Its learn(): a change that came during the sleep after a failed spin, within
// the cap, sets the budget to 1.5 times that answer time. (The pause on descheduled spins,
// src/platform/SpinContention.ts, is left out: this benchmark pins each side to its own CPU.)
#define MIN_SPIN_NS 10000.0
#define MAX_SPIN_NS 30000.0
#define LONG_SPIN_NS 300000.0
static int since_probe, probe_every = 16;
static double answer_ns;

static double spin_cap(void) {
  double c = answer_ns * 1.25;
  return c < MAX_SPIN_NS ? MAX_SPIN_NS : c > LONG_SPIN_NS ? LONG_SPIN_NS : c;
}

static void wait_bell(Bell* b, uint32_t seen) {
  for (;;) {
    if (__atomic_load_n(&b->seq, __ATOMIC_ACQUIRE) != seen) return;
    int spun = 0, spin_ok = 0, probing = 0;
    double cap = spin_cap();
    double spin_ns = budget_ns < cap ? budget_ns : cap;
    if (spin_mode == SPIN_ADAPTIVE && budget_ns < cap && ++since_probe >= probe_every) {
      since_probe = 0;
      probing = 1;
      spin_ns = cap;
    }
    uint64_t began = now_ns();
    if (spin_mode != SPIN_NONE && spin_ns > 0) {
      spun = 1;
      uint64_t start = began, budget = (uint64_t)spin_ns;
      for (;;) {
        for (int i = 0; i < 32 && !spin_ok; i++) {
          if (__atomic_load_n(&b->seq, __ATOMIC_ACQUIRE) != seen) spin_ok = 1;
          else PAUSE();
        }
        if (spin_ok || now_ns() - start >= budget) break;
      }
    }
    if (spun && spin_mode == SPIN_ADAPTIVE) {
      if (probing) {
        if (spin_ok) budget_ns = cap, probe_every = 16;
        else probe_every = probe_every * 2 > 64 ? 64 : probe_every * 2;
      } else {
        budget_ns = spin_ok ? (budget_ns * 2 > cap ? cap : budget_ns * 2) : (budget_ns * 0.75 < MIN_SPIN_NS ? MIN_SPIN_NS : budget_ns * 0.75);
      }
    }
    if (spin_ok) return;
    __atomic_add_fetch(&b->sleepers, 1, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, &b->seq, FUTEX_WAIT, seen, NULL, NULL, 0);
    __atomic_sub_fetch(&b->sleepers, 1, __ATOMIC_SEQ_CST);
    if (spin_mode == SPIN_ADAPTIVE && __atomic_load_n(&b->seq, __ATOMIC_ACQUIRE) != seen) {
      double answer = (double)(now_ns() - began);
      answer_ns = answer_ns == 0 ? answer : answer_ns * 0.8 + (answer < 2.5e6 ? answer : 2.5e6) * 0.2;
      cap = spin_cap();
      if (answer <= cap && answer * 1.5 > budget_ns) budget_ns = answer * 1.5 > cap ? cap : answer * 1.5, probe_every = 16;
      return;
    }
  }
}

static void pin(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) perror("sched_setaffinity");
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static double pct(const double* s, long n, double p) {
  long i = (long)(p * (double)(n - 1) + 0.5);
  return s[i < 0 ? 0 : i >= n ? n - 1 : i];
}

int main(int argc, char** argv) {
  if (argc < 5 || !strcmp(argv[1], "--help")) {
    fprintf(stderr, "usage: %s <none|fixed|adaptive> <spinNs> <warmup> <iterations> [pingCpu pongCpu]\n", argv[0]);
    return 2;
  }
  spin_mode = !strcmp(argv[1], "none") ? SPIN_NONE : !strcmp(argv[1], "fixed") ? SPIN_FIXED : SPIN_ADAPTIVE;
  budget_ns = atof(argv[2]);
  long warmup = atol(argv[3]), iters = atol(argv[4]);
  int ping_cpu = argc > 6 ? atoi(argv[5]) : -1, pong_cpu = argc > 6 ? atoi(argv[6]) : -1;
  if (iters < 1 || warmup < 0) return 2;

  Bell* bells = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (bells == MAP_FAILED) return perror("mmap"), 1;
  Bell *a = &bells[0], *b = &bells[1];
  long total = warmup + iters;

  pid_t child = fork();
  if (child < 0) return perror("fork"), 1;
  if (child == 0) {
    pin(pong_cpu);
    uint32_t seen = 0;
    ring(b);  // ready
    for (long i = 0; i < total; i++) {
      wait_bell(a, seen);
      uint32_t now = __atomic_load_n(&a->seq, __ATOMIC_ACQUIRE);
      if (now != seen + 1) { fprintf(stderr, "pong: seq %u, expected %u\n", now, seen + 1); _exit(3); }
      seen = now;
      ring(b);
    }
    _exit(0);
  }
  pin(ping_cpu);
  wait_bell(b, 0);
  uint32_t seen = 1;
  double* samples = malloc(sizeof(double) * (size_t)iters);
  for (long i = 0; i < total; i++) {
    uint64_t t0 = now_ns();
    ring(a);
    wait_bell(b, seen);
    uint64_t t1 = now_ns();
    uint32_t now = __atomic_load_n(&b->seq, __ATOMIC_ACQUIRE);
    if (now != seen + 1) { fprintf(stderr, "ping: seq %u, expected %u\n", now, seen + 1); return 3; }
    seen = now;
    if (i >= warmup) samples[i - warmup] = (double)(t1 - t0) / 1000.0;
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return fprintf(stderr, "pong failed\n"), 1;
  double sum = 0;
  for (long i = 0; i < iters; i++) sum += samples[i];
  qsort(samples, (size_t)iters, sizeof(double), cmp_double);
  printf("{\"mode\":\"%s\",\"spinNs\":%g,\"iterations\":%ld,\"medianUs\":%.4f,\"p99Us\":%.4f,\"p999Us\":%.4f,\"meanUs\":%.4f,\"minUs\":%.4f,\"maxUs\":%.4f}\n",
         argv[1], atof(argv[2]), iters, pct(samples, iters, 0.5), pct(samples, iters, 0.99), pct(samples, iters, 0.999), sum / (double)iters,
         samples[0], samples[iters - 1]);
  return 0;
}
