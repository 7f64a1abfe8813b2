// Threads named by their role, so that `top -H`, perf and gdb tell them apart.
#pragma once

#include <functional>
#include <thread>

namespace tandem {

// Starts `body` on a new thread called `name`, or its first 15 characters (the kernel keeps no
// more, and refuses a longer name rather than cutting it).
std::thread NamedThread(const char* name, std::function<void()> body);

}  // namespace tandem
