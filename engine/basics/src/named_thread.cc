#include "tandem/basics/named_thread.h"

#include <pthread.h>

#include <string>

namespace tandem {

std::thread NamedThread(const char* name, std::function<void()> body) {
  std::thread t(std::move(body));
  // Naming is for people looking at the process; a name the kernel refuses changes nothing.
  constexpr size_t kMaxName = 15;
  pthread_setname_np(t.native_handle(), std::string(name).substr(0, kMaxName).c_str());
  return t;
}

}  // namespace tandem
