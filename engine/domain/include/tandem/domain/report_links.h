// Report links: what the domain promises about them, for the views that keep them.
#pragma once

#include <cstdint>

namespace tandem {

// The longest a report link may live: report_link.issue refuses an expiry further than this
// from the time it decides at. So a link expiring at E was issued at E - kMaxReportLinkLifetimeUs
// or later, which a view may use as a clock of its own (one that never runs ahead of the
// domain's).
constexpr int64_t kMaxReportLinkLifetimeUs = 366LL * 24 * 3600 * 1000 * 1000;

}  // namespace tandem
