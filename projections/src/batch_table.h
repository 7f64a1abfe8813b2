// Hash tables a fold fills during a batch and empties at its flush.
#pragma once

#include <cstddef>

namespace tandem {

// Empties `table` after a batch. A table a rebuild's round grew to thousands of entries is
// released rather than cleared: an open-addressing table is walked over its whole capacity, and
// the live batches of a few entries that follow would walk (and keep) it every time.
template <class Table>
void EmptyAfterBatch(Table* table, size_t keep_below = 1024) {
  if (table->size() > keep_below) {
    *table = Table();
  } else {
    table->clear();
  }
}

}  // namespace tandem
