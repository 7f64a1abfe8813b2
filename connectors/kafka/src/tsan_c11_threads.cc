// ThreadSanitizer builds only (CMakeLists.txt): librdkafka's threads, mutexes and condition
// variables, through POSIX calls ThreadSanitizer sees.
//
// Why: Debian's librdkafka uses C11 threads (thrd_create, mtx_lock, cnd_wait), and glibc runs
// them on its internal pthread functions, past the interceptors of GCC 12's ThreadSanitizer. A
// thread librdkafka starts is then unknown to it (its first allocation crashes: the mock
// cluster's thread did, before any test code ran), and a message handed from a librdkafka
// thread to ours would look unordered. These definitions in the program take precedence over
// glibc's for librdkafka, and call the pthread functions ThreadSanitizer intercepts. glibc's
// C11 types are its pthread types (thrd_t is pthread_t, mtx_t a pthread_mutex_t, cnd_t a
// pthread_cond_t, once_flag a pthread_once_t), which is what glibc's own versions rely on.
// Every C11 function that starts, ends or joins a thread, or locks, waits or signals, is here,
// in this one file: the programs' link pulls the file in by one of its names
// (--undefined=thrd_create), and a function left to glibc would lock or unlock where
// ThreadSanitizer does not see it (an unlock it did not see locked is a report). The others
// (thrd_current, thrd_equal, thrd_sleep, thrd_yield, tss_*) order nothing and stay glibc's.
#include <errno.h>
#include <pthread.h>
#include <threads.h>

#include <cstdint>
#include <new>

static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t));
static_assert(sizeof(thrd_t) == sizeof(pthread_t));
static_assert(sizeof(once_flag) == sizeof(pthread_once_t));

namespace {

int FromErrno(int rc) {
  switch (rc) {
    case 0:
      return thrd_success;
    case ENOMEM:
      return thrd_nomem;
    case EBUSY:
      return thrd_busy;
    case ETIMEDOUT:
      return thrd_timedout;
    default:
      return thrd_error;
  }
}

pthread_mutex_t* Posix(mtx_t* m) { return reinterpret_cast<pthread_mutex_t*>(m); }
pthread_cond_t* Posix(cnd_t* c) { return reinterpret_cast<pthread_cond_t*>(c); }
pthread_t* Posix(thrd_t* t) { return reinterpret_cast<pthread_t*>(t); }

struct Start {
  thrd_start_t run;
  void* arg;
};

void* RunStart(void* p) {
  const Start start = *static_cast<Start*>(p);
  delete static_cast<Start*>(p);
  return reinterpret_cast<void*>(static_cast<intptr_t>(start.run(start.arg)));
}

}  // namespace

extern "C" {

int thrd_create(thrd_t* thread, thrd_start_t run, void* arg) {
  auto* start = new (std::nothrow) Start{run, arg};
  if (start == nullptr) return thrd_nomem;
  // Straight into `thread`, as glibc does: the handle is set before the thread runs.
  const int rc = pthread_create(Posix(thread), nullptr, RunStart, start);
  if (rc != 0) delete start;
  return FromErrno(rc);
}

[[noreturn]] void thrd_exit(int result) {
  pthread_exit(reinterpret_cast<void*>(static_cast<intptr_t>(result)));
}

int thrd_join(thrd_t thread, int* result) {
  void* value = nullptr;
  const int rc = pthread_join(thread, &value);
  if (rc == 0 && result != nullptr) {
    *result = static_cast<int>(reinterpret_cast<intptr_t>(value));
  }
  return FromErrno(rc);
}

int thrd_detach(thrd_t thread) { return FromErrno(pthread_detach(thread)); }

int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  // As glibc: only these two are recursive; any other type is a plain mutex, never an error.
  if (type == (mtx_plain | mtx_recursive) || type == (mtx_timed | mtx_recursive)) {
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  }
  const int rc = pthread_mutex_init(Posix(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return FromErrno(rc);
}

void mtx_destroy(mtx_t* m) { pthread_mutex_destroy(Posix(m)); }
int mtx_lock(mtx_t* m) { return FromErrno(pthread_mutex_lock(Posix(m))); }
int mtx_trylock(mtx_t* m) { return FromErrno(pthread_mutex_trylock(Posix(m))); }
int mtx_timedlock(mtx_t* __restrict m, const struct timespec* __restrict until) {
  return FromErrno(pthread_mutex_timedlock(Posix(m), until));
}
int mtx_unlock(mtx_t* m) { return FromErrno(pthread_mutex_unlock(Posix(m))); }

int cnd_init(cnd_t* c) { return FromErrno(pthread_cond_init(Posix(c), nullptr)); }
void cnd_destroy(cnd_t* c) { pthread_cond_destroy(Posix(c)); }
int cnd_signal(cnd_t* c) { return FromErrno(pthread_cond_signal(Posix(c))); }
int cnd_broadcast(cnd_t* c) { return FromErrno(pthread_cond_broadcast(Posix(c))); }
int cnd_wait(cnd_t* c, mtx_t* m) { return FromErrno(pthread_cond_wait(Posix(c), Posix(m))); }
int cnd_timedwait(cnd_t* c, mtx_t* m, const struct timespec* until) {
  return FromErrno(pthread_cond_timedwait(Posix(c), Posix(m), until));
}

void call_once(once_flag* flag, void (*run)()) {
  pthread_once(reinterpret_cast<pthread_once_t*>(flag), run);
}

}  // extern "C"
