// The end of `tandem demo`: the views the story produced, read as the people who would read
// them (the client's timeline and action items as the client sees them, the owner's report).
#pragma once

#include <string>

#include "tandem/log/event_log.h"

namespace tandem::cli {

// Folds the log into the views in `views_dir` and prints them. False if a read failed.
bool ShowDemoViews(EventLog* log, const std::string& views_dir, const std::string& workspace);

}  // namespace tandem::cli
