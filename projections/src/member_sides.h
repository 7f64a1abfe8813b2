// MemberSides: which side each member of a workspace is on (the client it belongs to, "" for
// the firm's people), from their invitations, for folds that tell a client's question from the
// firm's answer. A row per member: an invitation writes its own row, not a row of every member
// of the workspace (which grew with the members and was rewritten on each invitation).
#pragma once

#include <string>
#include <string_view>

#include "doc_cache.h"
#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

struct MemberSideOptions {
  // The key part after the tenant under which the view keeps its member rows.
  std::string_view part;
  // Whether the firm's people get a row too; a client view keeps only the clients' people.
  bool firm_members = true;
};

class MemberSides {
 public:
  MemberSides(const MemberSideOptions& options, RowCacheBudget* budget)
      : part_(options.part), firm_members_(options.firm_members), sides_(budget) {}

  // Records the invited member's side; the first invitation of a member decides.
  Status Invited(const RowReader& rows, const std::string& tenant,
                 const schema::MemberInvited& invited);
  // The client `member` belongs to, "" for the firm's people and for anyone never invited.
  Status SideOf(const RowReader& rows, const std::string& tenant, std::string_view member,
                std::string* client);

  void Flush(ViewRows* rows) { sides_.Flush(rows); }
  void Forget() { sides_.Forget(); }

 private:
  struct Side {
    std::string client;
    void Write(JsonLine* out) const { out->Str("client", client); }
    void FromJson(const boost::json::object& in);
  };
  std::string Key(const std::string& tenant, std::string_view member) const;

  std::string part_;  // a copy: the options' view need not outlive the constructor
  bool firm_members_;
  DocCache<Side> sides_;
};

}  // namespace tandem
