// The native floor for bench/messaging: two processes ping-pong over a shared futex word (a
// round trip = store + FUTEX_WAKE, then FUTEX_WAIT until the reply), with a bounded spin before
// sleeping like membridge's waits. Prints {"median": µs, "p99": µs} for N round trips.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long futex(_Atomic int* w, int op, int v) { return syscall(SYS_futex, w, op, v, NULL, NULL, 0); }
static double now_us(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
static int cmp(const void* a, const void* b) { double x = *(const double*)a, y = *(const double*)b; return x < y ? -1 : x > y; }

static void wait_for(_Atomic int* w, int want, long spin) {
  for (long i = 0; i < spin; i++) { if (atomic_load(w) == want) return; __builtin_ia32_pause(); }
  for (;;) { int v = atomic_load(w); if (v == want) return; futex(w, FUTEX_WAIT, v); }
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20000;
  long spin = argc > 2 ? atol(argv[2]) : 2000;
  _Atomic int* w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  atomic_store(w, 0);
  pid_t child = fork();
  if (child == 0) {
    for (int i = 0; i < n + 1000; i++) { wait_for(w, 2 * i + 1, spin); atomic_store(w, 2 * i + 2); futex(w, FUTEX_WAKE, 1); }
    _exit(0);
  }
  double* t = malloc(sizeof(double) * n);
  for (int i = 0; i < n + 1000; i++) {
    double t0 = now_us();
    atomic_store(w, 2 * i + 1); futex(w, FUTEX_WAKE, 1);
    wait_for(w, 2 * i + 2, spin);
    if (i >= 1000) t[i - 1000] = now_us() - t0;
  }
  waitpid(child, NULL, 0);
  qsort(t, n, sizeof(double), cmp);
  printf("{\"median\": %.3f, \"p99\": %.3f}\n", t[n / 2], t[(int)(n * 0.99)]);
  return 0;
}
