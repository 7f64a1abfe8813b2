// Debian's Boost 1.81 ships Boost.JSON as headers only; this is the one translation unit that
// compiles its implementation for the whole program.
#include <boost/json/src.hpp>
