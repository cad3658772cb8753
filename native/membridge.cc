// membridge native layer: syscalls only.
//
// Everything here is mechanism: open/create/unlink shm segments, map them into a window of a
// WebAssembly.Memory, put anonymous pages back, wait and wake on futex words, and report whether a
// process still exists. Failures come back as negative errno values (never thrown) so that the one
// TypeScript module src/platform/errno.ts turns them into typed errors. Only misuse of the API itself
// (wrong argument types, ranges outside the view) throws, as TypeError/RangeError.
//
// See docs/native.md for the contract of every function.
#include "abi.h"
#include <napi.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include <algorithm>
#include <unistd.h>
#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>


namespace {

// ---------------------------------------------------------------------------------------------
// Arguments

// Base pointer and length of the memory a Uint8Array (over an ArrayBuffer or a SharedArrayBuffer)
// views. napi_get_arraybuffer_info rejects SharedArrayBuffers on Node 20 and Deno, so the base is
// taken from the typed array (data - byteOffset); the usable length is the view's own length.
struct View {
  uint8_t* data;
  size_t length;
};

View GetView(const Napi::Env& env, const Napi::Value& v) {
  if (!v.IsTypedArray()) throw Napi::TypeError::New(env, "expected a Uint8Array view");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value ab;
  size_t byteOffset = 0;
  napi_status st = napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &byteOffset);
  if (st != napi_ok || type != napi_uint8_array) throw Napi::TypeError::New(env, "expected a Uint8Array view");
  return View{static_cast<uint8_t*>(data), length};
}

int64_t GetInt(const Napi::Env& env, const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string("expected a number for ") + what);
  double d = v.As<Napi::Number>().DoubleValue();
  if (d != d || d < -9007199254740991.0 || d > 9007199254740991.0 || (double)(int64_t)d != d)
    throw Napi::TypeError::New(env, std::string("expected an integer for ") + what);
  return (int64_t)d;
}

double GetDouble(const Napi::Env& env, const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string("expected a number for ") + what);
  return v.As<Napi::Number>().DoubleValue();
}

std::string GetString(const Napi::Env& env, const Napi::Value& v, const char* what) {
  if (!v.IsString()) throw Napi::TypeError::New(env, std::string("expected a string for ") + what);
  return v.As<Napi::String>().Utf8Value();
}

// POSIX leaves shm names loosely defined; on Linux they are files in /dev/shm. We accept a single
// path component without NUL so that a name can never escape /dev/shm. The TS layer is stricter.
bool ValidShmName(const std::string& name) {
  if (name.empty() || name.size() > 250) return false;
  if (name == "." || name == "..") return false;
  for (char c : name)
    if (c == '/' || c == '\0') return false;
  return true;
}

Napi::Number Num(const Napi::Env& env, double v) { return Napi::Number::New(env, v); }

// ---------------------------------------------------------------------------------------------
// Segments

Napi::Value PageSize(const Napi::CallbackInfo& info) { return Num(info.Env(), (double)sysconf(_SC_PAGESIZE)); }

// shmCreate(name, size, mode) -> fd | -errno. Exclusive: an existing segment is EEXIST.
Napi::Value ShmCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = GetString(env, info[0], "name");
  int64_t size = GetInt(env, info[1], "size");
  int64_t mode = GetInt(env, info[2], "mode");
  if (!ValidShmName(name)) return Num(env, -EINVAL);
  if (size < 0 || mode < 0 || mode > 0777) return Num(env, -EINVAL);
  std::string path = "/" + name;
  int fd = shm_open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
  if (fd < 0) return Num(env, -errno);
  // umask may have narrowed the mode; the caller asked for exactly this one.
  fchmod(fd, (mode_t)mode);
  if (size > 0 && ftruncate(fd, (off_t)size) != 0) {
    int e = errno;
    close(fd);
    shm_unlink(path.c_str());
    return Num(env, -e);
  }
  return Num(env, fd);
}

// shmOpen(name) -> fd | -errno (read-write).
Napi::Value ShmOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = GetString(env, info[0], "name");
  if (!ValidShmName(name)) return Num(env, -EINVAL);
  std::string path = "/" + name;
  int fd = shm_open(path.c_str(), O_RDWR | O_CLOEXEC, 0);
  return Num(env, fd < 0 ? -errno : fd);
}

// shmUnlink(name) -> 0 | -errno
Napi::Value ShmUnlink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = GetString(env, info[0], "name");
  if (!ValidShmName(name)) return Num(env, -EINVAL);
  std::string path = "/" + name;
  return Num(env, shm_unlink(path.c_str()) == 0 ? 0 : -errno);
}

// fdStat(fd) -> [size, mode, uid] | -errno
Napi::Value FdStat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = (int)GetInt(env, info[0], "fd");
  struct stat sb;
  if (fstat(fd, &sb) != 0) return Num(env, -errno);
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set((uint32_t)0, Num(env, (double)sb.st_size));
  out.Set((uint32_t)1, Num(env, (double)(sb.st_mode & 07777)));
  out.Set((uint32_t)2, Num(env, (double)sb.st_uid));
  return out;
}

// fdGrow(fd, size) -> 0 | -errno. Only ever enlarges: shrinking a mapped segment makes other
// processes fault with SIGBUS, which no WebAssembly trap handler catches.
Napi::Value FdGrow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = (int)GetInt(env, info[0], "fd");
  int64_t size = GetInt(env, info[1], "size");
  struct stat sb;
  if (fstat(fd, &sb) != 0) return Num(env, -errno);
  if (size <= sb.st_size) return Num(env, 0);
  return Num(env, ftruncate(fd, (off_t)size) == 0 ? 0 : -errno);
}

// fdAllocate(fd, offset, length) -> 0 | -errno. Reserves the file's blocks now (posix_fallocate),
// so that a full /dev/shm is ENOSPC here rather than SIGBUS at the first touch of an unbacked page.
Napi::Value FdAllocate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = (int)GetInt(env, info[0], "fd");
  int64_t offset = GetInt(env, info[1], "offset");
  int64_t length = GetInt(env, info[2], "length");
  if (offset < 0 || length <= 0) return Num(env, -EINVAL);
  int r;
  do r = posix_fallocate(fd, (off_t)offset, (off_t)length); while (r == EINTR);
  return Num(env, -r);
}

// effectiveUid() -> geteuid(). Deno's process.geteuid() and a stat of /proc/self need more than the
// --allow-ffi --allow-read the README documents; the owner checks need only this number.
Napi::Value EffectiveUid(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), (double)geteuid());
}

// closeFd(fd) -> 0 | -errno
Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = (int)GetInt(env, info[0], "fd");
  return Num(env, close(fd) == 0 ? 0 : -errno);
}

// shmList(prefix) -> string[] | -errno: names in /dev/shm that start with prefix.
Napi::Value ShmList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string prefix = GetString(env, info[0], "prefix");
  DIR* d = opendir("/dev/shm");
  if (!d) return Num(env, -errno);
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN) continue;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    out.Set(n++, Napi::String::New(env, name));
  }
  closedir(d);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Windows

// baseAddress(view) -> bigint: where the memory behind the view starts in this process.
Napi::Value BaseAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View v = GetView(env, info[0]);
  return Napi::BigInt::New(env, (uint64_t)(uintptr_t)v.data);
}

uint8_t* WindowAddr(const Napi::Env& env, const View& v, int64_t offset, int64_t length) {
  long ps = sysconf(_SC_PAGESIZE);
  if (offset < 0 || length <= 0 || (uint64_t)(offset + length) > v.length)
    throw Napi::RangeError::New(env, "window outside the memory view");
  uint8_t* at = v.data + offset;
  if (((uintptr_t)at) % (uintptr_t)ps || length % ps) throw Napi::RangeError::New(env, "window not page aligned");
  return at;
}

// mapInto(view, offset, length, fd, populate) -> 0 | -errno
// Replaces [offset, offset+length) of the memory with a MAP_SHARED mapping of fd from file offset 0.
Napi::Value MapInto(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View v = GetView(env, info[0]);
  int64_t offset = GetInt(env, info[1], "offset");
  int64_t length = GetInt(env, info[2], "length");
  int fd = (int)GetInt(env, info[3], "fd");
  bool populate = info.Length() > 4 && info[4].ToBoolean().Value();
  uint8_t* at = WindowAddr(env, v, offset, length);
  int flags = MAP_SHARED | MAP_FIXED | (populate ? MAP_POPULATE : 0);
  void* p = mmap(at, (size_t)length, PROT_READ | PROT_WRITE, flags, fd, 0);
  if (p == MAP_FAILED) return Num(env, -errno);
  if (p != at) {  // cannot happen with MAP_FIXED; never leave a stray mapping behind
    munmap(p, (size_t)length);
    return Num(env, -EFAULT);
  }
  return Num(env, 0);
}

// restore(view, offset, length) -> 0 | -errno: private zero pages back over a window.
Napi::Value Restore(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View v = GetView(env, info[0]);
  int64_t offset = GetInt(env, info[1], "offset");
  int64_t length = GetInt(env, info[2], "length");
  uint8_t* at = WindowAddr(env, v, offset, length);
  void* p = mmap(at, (size_t)length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  return Num(env, p == MAP_FAILED ? -errno : 0);
}

// ---------------------------------------------------------------------------------------------
// Truncation guard. A process that shrinks a segment's file (ftruncate) while others map it makes
// their next access past the new end raise SIGBUS, which would kill them: no JavaScript engine
// turns it into an exception. The guard keeps a table of the windows this process maps; a SIGBUS
// whose address lies in one of them replaces that whole window with private zero pages and
// returns, so the faulting load or store runs again against zeros. The window's segment header
// then reads as state 0 ("not ready"), which every layer already reports with a typed error
// (NOT_FOUND, CLOSED, PEER_GONE). Faults outside the table go to the handler installed before.

constexpr int kGuardSlots = 4096;
std::atomic<uintptr_t> g_guardStart[kGuardSlots];
std::atomic<size_t> g_guardLength[kGuardSlots];
std::atomic<uint32_t> g_guardFaults{0};
struct sigaction g_previousBus;
std::once_flag g_guardInstalled;

void OnBus(int sig, siginfo_t* si, void* ctx) {
  uintptr_t addr = (uintptr_t)si->si_addr;
  for (int i = 0; i < kGuardSlots; i++) {
    uintptr_t start = g_guardStart[i].load(std::memory_order_acquire);
    if (start == 0 || addr < start) continue;
    size_t length = g_guardLength[i].load(std::memory_order_acquire);
    if (addr - start >= length) continue;
    // mmap is a plain system call on Linux, safe here in practice (not on POSIX's list).
    if (mmap((void*)start, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) break;
    g_guardFaults.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (g_previousBus.sa_flags & SA_SIGINFO) {
    if (g_previousBus.sa_sigaction) g_previousBus.sa_sigaction(sig, si, ctx);
    return;
  }
  if (g_previousBus.sa_handler != SIG_DFL && g_previousBus.sa_handler != SIG_IGN) {
    g_previousBus.sa_handler(sig);
    return;
  }
  // Not ours and nobody else's: die of it as the default would.
  signal(SIGBUS, SIG_DFL);
}

void InstallBusHandler() {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = OnBus;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, &g_previousBus);
}

// guardWindow(view, offset, length) -> 0 | -ENOSPC (table full: the window is then unguarded).
Napi::Value GuardWindow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View v = GetView(env, info[0]);
  uint8_t* at = WindowAddr(env, v, GetInt(env, info[1], "offset"), GetInt(env, info[2], "length"));
  std::call_once(g_guardInstalled, InstallBusHandler);
  size_t length = (size_t)GetInt(env, info[2], "length");
  for (int i = 0; i < kGuardSlots; i++) {
    uintptr_t expected = 0;
    if (g_guardStart[i].load(std::memory_order_relaxed) != 0) continue;
    g_guardLength[i].store(length, std::memory_order_release);
    if (g_guardStart[i].compare_exchange_strong(expected, (uintptr_t)at, std::memory_order_acq_rel)) return Num(env, 0);
  }
  return Num(env, -ENOSPC);
}

// unguardWindow(view, offset) -> 0: forgets the window starting at offset.
Napi::Value UnguardWindow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View v = GetView(env, info[0]);
  int64_t offset = GetInt(env, info[1], "offset");
  if (offset < 0 || (uint64_t)offset >= v.length) throw Napi::RangeError::New(env, "window outside the memory view");
  uintptr_t at = (uintptr_t)(v.data + offset);
  for (int i = 0; i < kGuardSlots; i++) {
    if (g_guardStart[i].load(std::memory_order_acquire) == at) g_guardStart[i].store(0, std::memory_order_release);
  }
  return Num(env, 0);
}

// guardFaults() -> how many truncated windows the guard has replaced so far.
Napi::Value GuardFaults(const Napi::CallbackInfo& info) { return Num(info.Env(), (double)g_guardFaults.load()); }

// ---------------------------------------------------------------------------------------------
// Futex (shared: no FUTEX_PRIVATE_FLAG, so waits cross processes through the mapped file)

long SysFutex(int32_t* addr, int op, int32_t val, const struct timespec* ts) {
  return syscall(SYS_futex, addr, op, val, ts, nullptr, 0);
}

// Wait results come from abi.h, shared with TypeScript.
enum WaitCode {
  kWoken = MEMBRIDGE_WAIT_WOKEN,
  kNotEqual = MEMBRIDGE_WAIT_NOT_EQUAL,
  kTimedOut = MEMBRIDGE_WAIT_TIMED_OUT,
  kInterrupted = MEMBRIDGE_WAIT_INTERRUPTED,
  kCancelled = MEMBRIDGE_WAIT_CANCELLED,
};

// The waiter-count protocol (docs/layout.md, "futex word"): the waiter adds itself to the count
// right before sleeping, and the kernel re-checks the word, so a waker that stores first and reads
// the count second (both sequentially consistent) either sees the waiter or the waiter sees the
// new value. Wakers therefore only make the syscall when someone really sleeps.
// A Waiter's cancel() that lands between the check of `cancel` and FUTEX_WAIT wakes nobody, and
// the thread would then sleep its whole timeout (or forever). So a cancellable wait sleeps in slices
// of at most kCancelSliceMs and looks at `cancel` between them: a lost cancel costs one slice.
constexpr double kCancelSliceMs = 20;

double MonotonicMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int DoWait(int32_t* word, int32_t expected, double timeoutMs, int32_t* waiters, const std::atomic<bool>* cancel) {
  const double deadline = cancel && timeoutMs >= 0 ? MonotonicMs() + timeoutMs : -1;
  if (waiters) __atomic_add_fetch(waiters, 1, __ATOMIC_SEQ_CST);
  if (cancel && cancel->load()) {
    if (waiters) __atomic_sub_fetch(waiters, 1, __ATOMIC_SEQ_CST);
    return kCancelled;
  }
  long r;
  int e;
  for (;;) {
    double sliceMs = timeoutMs;
    if (cancel) sliceMs = deadline < 0 ? kCancelSliceMs : std::min(kCancelSliceMs, std::max(0.0, deadline - MonotonicMs()));
    struct timespec ts, *pts = nullptr;
    if (sliceMs >= 0) {
      double sec = sliceMs / 1000.0;
      ts.tv_sec = (time_t)sec;
      ts.tv_nsec = (long)((sec - (double)ts.tv_sec) * 1e9);
      if (ts.tv_nsec >= 1000000000L) ts.tv_nsec = 999999999L;
      pts = &ts;
    }
    r = SysFutex(word, FUTEX_WAIT, expected, pts);
    e = errno;
    // A slice ran out: sleep on unless cancelled or the wait's own timeout has passed.
    if (cancel && r != 0 && e == ETIMEDOUT && !cancel->load() && (deadline < 0 || MonotonicMs() < deadline)) continue;
    break;
  }
  if (waiters) __atomic_sub_fetch(waiters, 1, __ATOMIC_SEQ_CST);
  if (cancel && cancel->load()) return kCancelled;
  if (r == 0) return kWoken;
  if (e == EAGAIN) return kNotEqual;
  if (e == ETIMEDOUT) return kTimedOut;
  if (e == EINTR) return kInterrupted;
  return -e;
}

int32_t* WordAt(const Napi::Env& env, const View& v, int64_t offset) {
  if (offset < 0 || (offset & 3) || (uint64_t)offset + 4 > v.length) throw Napi::RangeError::New(env, "futex word outside the view or misaligned");
  return reinterpret_cast<int32_t*>(v.data + offset);
}

// The arguments of a wait: (view, offset, expected, timeoutMs (<0: none), sleepersOffset (<0:
// none)), shared by futexWait and Waiter.wait.
struct WaitArgs {
  int32_t* word;
  int32_t expected;
  double timeoutMs;
  int32_t* sleepers;
};

WaitArgs GetWaitArgs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View v = GetView(env, info[0]);
  WaitArgs a;
  a.word = WordAt(env, v, GetInt(env, info[1], "offset"));
  a.expected = (int32_t)(uint32_t)GetInt(env, info[2], "expected");
  a.timeoutMs = GetDouble(env, info[3], "timeoutMs");
  int64_t so = GetInt(env, info[4], "sleepersOffset");
  a.sleepers = so < 0 ? nullptr : WordAt(env, v, so);
  return a;
}

// futexWait(view, offset, expected, timeoutMs, sleepersOffset) -> code
Napi::Value FutexWait(const Napi::CallbackInfo& info) {
  WaitArgs a = GetWaitArgs(info);
  return Num(info.Env(), DoWait(a.word, a.expected, a.timeoutMs, a.sleepers, nullptr));
}

// futexWake(view, offset, count) -> number woken | -errno
Napi::Value FutexWake(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View v = GetView(env, info[0]);
  int32_t* word = WordAt(env, v, GetInt(env, info[1], "offset"));
  int64_t count = GetInt(env, info[2], "count");
  if (count < 1 || count > INT_MAX) count = INT_MAX;
  long r = SysFutex(word, FUTEX_WAKE, (int32_t)count, nullptr);
  return Num(env, r < 0 ? -errno : (double)r);
}

// ---------------------------------------------------------------------------------------------
// Waiter: one dedicated thread that serves one async wait at a time.
//
// Async waits must not run on the host's thread pool: blocked futex waits starve fs, crypto and DNS
// there (docs/runtime-notes.md, rule 3). The thread's state is shared with the thread itself so that the
// JS object can be collected while the thread is still returning from a wait.

struct WaiterState {
  std::mutex mu;
  std::condition_variable cv;
  bool hasRequest = false;
  bool stop = false;
  int32_t* word = nullptr;
  int32_t expected = 0;
  int32_t* waiters = nullptr;
  double timeoutMs = -1;
  uint32_t token = 0;
  std::atomic<bool> cancel{false};
  // Null once the host destroyed the function (after our release, or at environment teardown,
  // which may come before the Waiter's own finalizer): it must not be used or released again.
  napi_threadsafe_function tsfn = nullptr;
  bool released = false;
};

struct Completion {
  uint32_t token;
  int code;
};

class Waiter : public Napi::ObjectWrap<Waiter> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Waiter",
                       {InstanceMethod("wait", &Waiter::Wait), InstanceMethod("cancel", &Waiter::Cancel),
                        InstanceMethod("close", &Waiter::Close), InstanceMethod("pending", &Waiter::Pending)});
  }

  explicit Waiter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Waiter>(info), state_(std::make_shared<WaiterState>()) {
    Napi::Env env = info.Env();
    napi_value name = Napi::String::New(env, "membridge-waiter");
    auto* hold = new std::shared_ptr<WaiterState>(state_);
    napi_status st = napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, hold, &Waiter::Finalized, this,
                                                     &Waiter::CallJs, &state_->tsfn);
    if (st != napi_ok) delete hold;
    if (st != napi_ok) throw Napi::Error::New(env, "cannot create a threadsafe function");
    napi_unref_threadsafe_function(env, state_->tsfn);
    std::shared_ptr<WaiterState> s = state_;
    std::thread([s] { Loop(s); }).detach();
  }

  ~Waiter() override { Stop(); }

 private:
  static void Loop(std::shared_ptr<WaiterState> s) {
    std::unique_lock<std::mutex> lk(s->mu);
    for (;;) {
      s->cv.wait(lk, [&] { return s->hasRequest || s->stop; });
      if (s->stop) return;
      int32_t* word = s->word;
      int32_t expected = s->expected;
      int32_t* waiters = s->waiters;
      double timeoutMs = s->timeoutMs;
      uint32_t token = s->token;
      lk.unlock();
      int code = DoWait(word, expected, timeoutMs, waiters, &s->cancel);
      lk.lock();
      s->hasRequest = false;
      if (s->stop || !s->tsfn) return;
      if (napi_call_threadsafe_function(s->tsfn, new Completion{token, code}, napi_tsfn_nonblocking) != napi_ok) return;
    }
  }

  // The host destroyed the threadsafe function: stop the thread, which must no longer call it.
  static void Finalized(napi_env, void* data, void*) {
    std::unique_ptr<std::shared_ptr<WaiterState>> hold(static_cast<std::shared_ptr<WaiterState>*>(data));
    WaiterState* s = hold->get();
    int32_t* word = nullptr;
    {
      std::lock_guard<std::mutex> g(s->mu);
      s->tsfn = nullptr;
      s->stop = true;
      s->cancel.store(true);
      if (s->hasRequest) word = s->word;
    }
    s->cv.notify_one();
    if (word) SysFutex(word, FUTEX_WAKE, INT_MAX, nullptr);
  }

  static void CallJs(napi_env env, napi_value, void* ctx, void* data) {
    std::unique_ptr<Completion> done(static_cast<Completion*>(data));
    if (!env) return;
    Waiter* self = static_cast<Waiter*>(ctx);
    if (!self->deferred_ || done->token != self->token_) return;
    Napi::HandleScope scope{Napi::Env(env)};
    napi_unref_threadsafe_function(env, self->state_->tsfn);
    std::unique_ptr<Napi::Promise::Deferred> d = std::move(self->deferred_);
    self->keep_.Reset();
    d->Resolve(Napi::Number::New(env, done->code));
  }

  // wait(view, offset, expected, timeoutMs, waitersOffset) -> Promise<code>
  Napi::Value Wait(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (deferred_) throw Napi::Error::New(env, "a wait is already pending on this waiter");
    if (closed_) throw Napi::Error::New(env, "the waiter is closed");
    WaitArgs a = GetWaitArgs(info);
    deferred_.reset(new Napi::Promise::Deferred(Napi::Promise::Deferred::New(env)));
    keep_ = Napi::Persistent(info[0].As<Napi::Object>());
    // A pending wait keeps the event loop alive, like a timer; an idle waiter does not.
    napi_ref_threadsafe_function(env, state_->tsfn);
    {
      std::lock_guard<std::mutex> g(state_->mu);
      state_->word = a.word;
      state_->expected = a.expected;
      state_->waiters = a.sleepers;
      state_->timeoutMs = a.timeoutMs;
      state_->token = ++token_;
      state_->cancel.store(false);
      state_->hasRequest = true;
    }
    state_->cv.notify_one();
    return deferred_->Promise();
  }

  // cancel(): the pending wait resolves with code 5 (cancelled). Waking the word is a spurious
  // wake-up for other sleepers on it, which every user of a futex word must tolerate anyway.
  Napi::Value Cancel(const Napi::CallbackInfo& info) {
    int32_t* word = nullptr;
    {
      std::lock_guard<std::mutex> g(state_->mu);
      if (state_->hasRequest) {
        state_->cancel.store(true);
        word = state_->word;
      }
    }
    if (word) SysFutex(word, FUTEX_WAKE, INT_MAX, nullptr);
    return info.Env().Undefined();
  }

  Napi::Value Pending(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), (bool)deferred_); }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (deferred_) {
      std::unique_ptr<Napi::Promise::Deferred> d = std::move(deferred_);
      keep_.Reset();
      napi_unref_threadsafe_function(env, state_->tsfn);
      d->Resolve(Napi::Number::New(env, kCancelled));
    }
    Stop();
    return env.Undefined();
  }

  void Stop() {
    if (closed_) return;
    closed_ = true;
    int32_t* word = nullptr;
    napi_threadsafe_function tsfn = nullptr;
    {
      std::lock_guard<std::mutex> g(state_->mu);
      state_->stop = true;
      state_->cancel.store(true);
      if (state_->hasRequest) word = state_->word;
      if (state_->tsfn && !state_->released) {
        state_->released = true;
        tsfn = state_->tsfn;
      }
    }
    state_->cv.notify_one();
    if (word) SysFutex(word, FUTEX_WAKE, INT_MAX, nullptr);
    // The thread checks `stop` under the mutex before touching the function, so releasing it now
    // cannot race with a call from the thread.
    if (tsfn) napi_release_threadsafe_function(tsfn, napi_tsfn_abort);
  }

  std::shared_ptr<WaiterState> state_;
  std::unique_ptr<Napi::Promise::Deferred> deferred_;
  Napi::ObjectReference keep_;
  uint32_t token_ = 0;
  bool closed_ = false;
};

// ---------------------------------------------------------------------------------------------
// Process-shared glibc pthread objects (for the shared functions of Python's sysframe, whose
// segment holds a pthread_mutex_t and two pthread_cond_t; layout in src/messaging/sysframeFunction.ts).
//
// Only the libc calls, on objects at an offset of a view: init, timed lock, unlock, signal, timed
// wait. Every wait has a deadline (CLOCK_MONOTONIC); what to do on a timeout, a dead peer or a
// stuck mutex is decided in TypeScript. Linux/glibc/x86-64 only (pshAvailable says so).

#if defined(__linux__) && defined(__GLIBC__) && defined(__x86_64__)
#define MB_PSH 1
#else
#define MB_PSH 0
#endif

// pshAvailable() -> true where these functions work (glibc on x86-64: the sysframe layout's sizes).
Napi::Value PshAvailable(const Napi::CallbackInfo& info) {
#if MB_PSH
  return Napi::Boolean::New(info.Env(), sizeof(pthread_mutex_t) == 40 && sizeof(pthread_cond_t) == 48);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

#if MB_PSH
template <typename T>
T* PshAt(const Napi::Env& env, const View& v, int64_t offset) {
  if (offset < 0 || (offset & 7) || (uint64_t)offset + sizeof(T) > v.length) throw Napi::RangeError::New(env, "pthread object outside the view or misaligned");
  return reinterpret_cast<T*>(v.data + offset);
}

struct timespec PshDeadline(double timeoutMs) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  if (!(timeoutMs >= 0)) timeoutMs = 0;
  if (timeoutMs > 1e12) timeoutMs = 1e12;
  double sec = timeoutMs / 1000.0;
  time_t whole = (time_t)sec;
  ts.tv_sec += whole;
  ts.tv_nsec += (long)((sec - (double)whole) * 1e9);
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

int PshLock(pthread_mutex_t* m, double timeoutMs) {
  struct timespec ts = PshDeadline(timeoutMs);
  int r = pthread_mutex_clocklock(m, CLOCK_MONOTONIC, &ts);
  return r == 0 ? 0 : -r;
}

// The caller holds m. Returns 0 when signalled (or a spurious wake-up), -ETIMEDOUT at the deadline;
// either way m is held again on return (glibc re-acquires it without a deadline).
int PshCondWait(pthread_cond_t* c, pthread_mutex_t* m, double timeoutMs) {
  struct timespec ts = PshDeadline(timeoutMs);
  int r = pthread_cond_clockwait(c, m, CLOCK_MONOTONIC, &ts);
  return r == 0 ? 0 : -r;
}
#endif

// pshMutexInit(view, offset) -> 0 | -errno: a process-shared, default-type mutex, as Python makes it.
Napi::Value PshMutexInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if MB_PSH
  View v = GetView(env, info[0]);
  pthread_mutex_t* m = PshAt<pthread_mutex_t>(env, v, GetInt(env, info[1], "offset"));
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  int r = pthread_mutex_init(m, &a);
  pthread_mutexattr_destroy(&a);
  return Num(env, -r);
#else
  return Num(env, -ENOSYS);
#endif
}

// pshCondInit(view, offset) -> 0 | -errno: a process-shared condition variable, as Python makes it.
Napi::Value PshCondInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if MB_PSH
  View v = GetView(env, info[0]);
  pthread_cond_t* c = PshAt<pthread_cond_t>(env, v, GetInt(env, info[1], "offset"));
  pthread_condattr_t a;
  pthread_condattr_init(&a);
  pthread_condattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  int r = pthread_cond_init(c, &a);
  pthread_condattr_destroy(&a);
  return Num(env, -r);
#else
  return Num(env, -ENOSYS);
#endif
}

// pshMutexLock(view, offset, timeoutMs) -> 0 | -ETIMEDOUT | -errno (blocks this thread up to timeoutMs)
Napi::Value PshMutexLock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if MB_PSH
  View v = GetView(env, info[0]);
  pthread_mutex_t* m = PshAt<pthread_mutex_t>(env, v, GetInt(env, info[1], "offset"));
  return Num(env, PshLock(m, GetDouble(env, info[2], "timeoutMs")));
#else
  return Num(env, -ENOSYS);
#endif
}

// pshMutexUnlock(view, offset) -> 0 | -errno
Napi::Value PshMutexUnlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if MB_PSH
  View v = GetView(env, info[0]);
  pthread_mutex_t* m = PshAt<pthread_mutex_t>(env, v, GetInt(env, info[1], "offset"));
  return Num(env, -pthread_mutex_unlock(m));
#else
  return Num(env, -ENOSYS);
#endif
}

// pshCondSignal(view, offset) -> 0 | -errno
Napi::Value PshCondSignal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if MB_PSH
  View v = GetView(env, info[0]);
  pthread_cond_t* c = PshAt<pthread_cond_t>(env, v, GetInt(env, info[1], "offset"));
  return Num(env, -pthread_cond_signal(c));
#else
  return Num(env, -ENOSYS);
#endif
}

// PshWaiter: one dedicated thread that runs one blocking pthread call at a time (a timed lock, or a
// timed condition wait), off the event loop, and resolves a promise with its result. Built like
// Waiter above. A call can outlive its deadline only inside glibc's re-acquisition of the mutex
// after a condition wait; close() then resolves the promise at once (code -ECANCELED) and the
// thread ends whenever glibc returns.
struct PshState {
  std::mutex mu;
  std::condition_variable cv;
  bool hasRequest = false;
  bool stop = false;
  int op = 0;  // 1 lock, 2 cond wait
  void* mutex = nullptr;
  void* cond = nullptr;
  double timeoutMs = 0;
  uint32_t token = 0;
  napi_threadsafe_function tsfn = nullptr;
  bool released = false;
};

class PshWaiter : public Napi::ObjectWrap<PshWaiter> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "PshWaiter", {InstanceMethod("lock", &PshWaiter::Lock), InstanceMethod("condWait", &PshWaiter::CondWait),
                                          InstanceMethod("close", &PshWaiter::Close), InstanceMethod("pending", &PshWaiter::Pending)});
  }

  explicit PshWaiter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PshWaiter>(info), state_(std::make_shared<PshState>()) {
    Napi::Env env = info.Env();
    napi_value name = Napi::String::New(env, "membridge-pthread-waiter");
    auto* hold = new std::shared_ptr<PshState>(state_);
    napi_status st = napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, hold, &PshWaiter::Finalized, this,
                                                     &PshWaiter::CallJs, &state_->tsfn);
    if (st != napi_ok) delete hold;
    if (st != napi_ok) throw Napi::Error::New(env, "cannot create a threadsafe function");
    napi_unref_threadsafe_function(env, state_->tsfn);
    std::shared_ptr<PshState> s = state_;
    std::thread([s] { Loop(s); }).detach();
  }

  ~PshWaiter() override { Stop(); }

 private:
  static void Loop(std::shared_ptr<PshState> s) {
    std::unique_lock<std::mutex> lk(s->mu);
    for (;;) {
      s->cv.wait(lk, [&] { return s->hasRequest || s->stop; });
      if (s->stop) return;
      int op = s->op;
      void* mutex = s->mutex;
      void* cond = s->cond;
      double timeoutMs = s->timeoutMs;
      uint32_t token = s->token;
      lk.unlock();
      int code = -ENOSYS;
#if MB_PSH
      if (op == 1) code = PshLock(static_cast<pthread_mutex_t*>(mutex), timeoutMs);
      else code = PshCondWait(static_cast<pthread_cond_t*>(cond), static_cast<pthread_mutex_t*>(mutex), timeoutMs);
#else
      (void)op; (void)mutex; (void)cond; (void)timeoutMs;
#endif
      lk.lock();
      s->hasRequest = false;
      if (s->stop || !s->tsfn) return;
      if (napi_call_threadsafe_function(s->tsfn, new Completion{token, code}, napi_tsfn_nonblocking) != napi_ok) return;
    }
  }

  static void Finalized(napi_env, void* data, void*) {
    std::unique_ptr<std::shared_ptr<PshState>> hold(static_cast<std::shared_ptr<PshState>*>(data));
    PshState* s = hold->get();
    {
      std::lock_guard<std::mutex> g(s->mu);
      s->tsfn = nullptr;
      s->stop = true;
    }
    s->cv.notify_one();
  }

  static void CallJs(napi_env env, napi_value, void* ctx, void* data) {
    std::unique_ptr<Completion> done(static_cast<Completion*>(data));
    if (!env) return;
    PshWaiter* self = static_cast<PshWaiter*>(ctx);
    if (!self->deferred_ || done->token != self->token_) return;
    Napi::HandleScope scope{Napi::Env(env)};
    napi_unref_threadsafe_function(env, self->state_->tsfn);
    std::unique_ptr<Napi::Promise::Deferred> d = std::move(self->deferred_);
    self->keep_.Reset();
    d->Resolve(Napi::Number::New(env, done->code));
  }

  Napi::Value Start(const Napi::CallbackInfo& info, int op) {
    Napi::Env env = info.Env();
    if (deferred_) throw Napi::Error::New(env, "a call is already pending on this waiter");
    if (closed_) throw Napi::Error::New(env, "the waiter is closed");
#if MB_PSH
    View v = GetView(env, info[0]);
    void* cond = nullptr;
    void* mutex = nullptr;
    double timeoutMs;
    if (op == 1) {
      mutex = PshAt<pthread_mutex_t>(env, v, GetInt(env, info[1], "mutexOffset"));
      timeoutMs = GetDouble(env, info[2], "timeoutMs");
    } else {
      cond = PshAt<pthread_cond_t>(env, v, GetInt(env, info[1], "condOffset"));
      mutex = PshAt<pthread_mutex_t>(env, v, GetInt(env, info[2], "mutexOffset"));
      timeoutMs = GetDouble(env, info[3], "timeoutMs");
    }
#else
    throw Napi::Error::New(env, "process-shared pthread objects need glibc on x86-64");
    void* cond = nullptr;
    void* mutex = nullptr;
    double timeoutMs = 0;
#endif
    deferred_.reset(new Napi::Promise::Deferred(Napi::Promise::Deferred::New(env)));
    keep_ = Napi::Persistent(info[0].As<Napi::Object>());
    napi_ref_threadsafe_function(env, state_->tsfn);
    {
      std::lock_guard<std::mutex> g(state_->mu);
      state_->op = op;
      state_->mutex = mutex;
      state_->cond = cond;
      state_->timeoutMs = timeoutMs;
      state_->token = ++token_;
      state_->hasRequest = true;
    }
    state_->cv.notify_one();
    return deferred_->Promise();
  }

  // lock(view, mutexOffset, timeoutMs) -> Promise<0 | -ETIMEDOUT | -errno>
  Napi::Value Lock(const Napi::CallbackInfo& info) { return Start(info, 1); }
  // condWait(view, condOffset, mutexOffset, timeoutMs) -> Promise<0 | -ETIMEDOUT | -errno>
  Napi::Value CondWait(const Napi::CallbackInfo& info) { return Start(info, 2); }

  Napi::Value Pending(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), (bool)deferred_); }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (deferred_) {
      std::unique_ptr<Napi::Promise::Deferred> d = std::move(deferred_);
      keep_.Reset();
      napi_unref_threadsafe_function(env, state_->tsfn);
      d->Resolve(Napi::Number::New(env, -ECANCELED));
    }
    Stop();
    return env.Undefined();
  }

  void Stop() {
    if (closed_) return;
    closed_ = true;
    napi_threadsafe_function tsfn = nullptr;
    {
      std::lock_guard<std::mutex> g(state_->mu);
      state_->stop = true;
      if (state_->tsfn && !state_->released) {
        state_->released = true;
        tsfn = state_->tsfn;
      }
    }
    state_->cv.notify_one();
    if (tsfn) napi_release_threadsafe_function(tsfn, napi_tsfn_abort);
  }

  std::shared_ptr<PshState> state_;
  std::unique_ptr<Napi::Promise::Deferred> deferred_;
  Napi::ObjectReference keep_;
  uint32_t token_ = 0;
  bool closed_ = false;
};

// ---------------------------------------------------------------------------------------------
// Processes

// processStartTime(pid) -> start time in clock ticks since boot | -errno (-ESRCH when the process
// does not exist or is a zombie). Together with the pid it names a process even after pid reuse.
Napi::Value ProcessStartTime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t pid = GetInt(env, info[0], "pid");
  if (pid <= 0 || pid > 0x7fffffff) return Num(env, -ESRCH);
  char path[64];
  snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Num(env, errno == ENOENT ? -ESRCH : -errno);
  char buf[1024];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  int e = errno;
  close(fd);
  if (n <= 0) return Num(env, n == 0 ? -ESRCH : -e);
  buf[n] = 0;
  // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
  char* p = strrchr(buf, ')');
  if (!p) return Num(env, -EIO);
  p++;
  char state = 0;
  unsigned long long start = 0;
  // fields 3..22: state, then 18 numbers we skip, then starttime
  int field = 3;
  char* save = nullptr;
  for (char* tok = strtok_r(p, " ", &save); tok; tok = strtok_r(nullptr, " ", &save), field++) {
    if (field == 3) state = tok[0];
    if (field == 22) {
      start = strtoull(tok, nullptr, 10);
      break;
    }
  }
  if (field != 22) return Num(env, -EIO);
  if (state == 'Z' || state == 'X' || state == 'x') return Num(env, -ESRCH);
  return Num(env, (double)start);
}

// errnoName(n) -> "EEXIST" etc., for messages; the mapping to codes lives in TypeScript.
Napi::Value ErrnoName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t e = GetInt(env, info[0], "errno");
  return Napi::String::New(env, strerror((int)e));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, MEMBRIDGE_ABI_VERSION));
  // The wait results as this binary was compiled, so TypeScript can check its own (abi.h) copy.
  Napi::Object waitResults = Napi::Object::New(env);
  waitResults.Set("WOKEN", Napi::Number::New(env, kWoken));
  waitResults.Set("NOT_EQUAL", Napi::Number::New(env, kNotEqual));
  waitResults.Set("TIMED_OUT", Napi::Number::New(env, kTimedOut));
  waitResults.Set("INTERRUPTED", Napi::Number::New(env, kInterrupted));
  waitResults.Set("CANCELLED", Napi::Number::New(env, kCancelled));
  exports.Set("waitResults", waitResults);
  exports.Set("pageSize", Napi::Function::New(env, PageSize));
  exports.Set("shmCreate", Napi::Function::New(env, ShmCreate));
  exports.Set("shmOpen", Napi::Function::New(env, ShmOpen));
  exports.Set("shmUnlink", Napi::Function::New(env, ShmUnlink));
  exports.Set("shmList", Napi::Function::New(env, ShmList));
  exports.Set("fdStat", Napi::Function::New(env, FdStat));
  exports.Set("fdGrow", Napi::Function::New(env, FdGrow));
  exports.Set("fdAllocate", Napi::Function::New(env, FdAllocate));
  exports.Set("effectiveUid", Napi::Function::New(env, EffectiveUid));
  exports.Set("guardWindow", Napi::Function::New(env, GuardWindow));
  exports.Set("unguardWindow", Napi::Function::New(env, UnguardWindow));
  exports.Set("guardFaults", Napi::Function::New(env, GuardFaults));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  exports.Set("baseAddress", Napi::Function::New(env, BaseAddress));
  exports.Set("mapInto", Napi::Function::New(env, MapInto));
  exports.Set("restore", Napi::Function::New(env, Restore));
  exports.Set("futexWait", Napi::Function::New(env, FutexWait));
  exports.Set("futexWake", Napi::Function::New(env, FutexWake));
  exports.Set("Waiter", Waiter::Init(env));
  exports.Set("processStartTime", Napi::Function::New(env, ProcessStartTime));
  exports.Set("pshAvailable", Napi::Function::New(env, PshAvailable));
  exports.Set("pshMutexInit", Napi::Function::New(env, PshMutexInit));
  exports.Set("pshCondInit", Napi::Function::New(env, PshCondInit));
  exports.Set("pshMutexLock", Napi::Function::New(env, PshMutexLock));
  exports.Set("pshMutexUnlock", Napi::Function::New(env, PshMutexUnlock));
  exports.Set("pshCondSignal", Napi::Function::New(env, PshCondSignal));
  exports.Set("PshWaiter", PshWaiter::Init(env));
  exports.Set("strerror", Napi::Function::New(env, ErrnoName));
  return exports;
}

}  // namespace

NODE_API_MODULE(membridge, Init)
