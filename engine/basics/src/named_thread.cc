#include "tandem/basics/named_thread.h"

#include <pthread.h>

namespace tandem {

std::thread NamedThread(const char* name, std::function<void()> body) {
  std::thread t(std::move(body));
  // Naming is for people looking at the process; a name the kernel refuses changes nothing.
  pthread_setname_np(t.native_handle(), name);
  return t;
}

}  // namespace tandem
