// Threads named by their role, so that `top -H`, perf and gdb tell them apart (a name is cut
// to 15 characters by the kernel).
#pragma once

#include <functional>
#include <thread>

namespace tandem {

// Starts `body` on a new thread called `name`.
std::thread NamedThread(const char* name, std::function<void()> body);

}  // namespace tandem
