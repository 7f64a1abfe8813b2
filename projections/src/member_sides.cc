#include "member_sides.h"

#include "json_fields.h"
#include "view_key.h"

namespace tandem {

void MemberSides::Side::FromJson(const boost::json::object& in) {
  client = json_fields::Str(in, "client");
}

std::string MemberSides::Key(const std::string& tenant, std::string_view member) const {
  return ViewKey({tenant, part_, member});
}

Status MemberSides::Invited(const RowReader& rows, const std::string& tenant,
                            const schema::MemberInvited& invited) {
  const std::string client = json_fields::S(invited.client_id());
  if (client.empty() && !firm_members_) return Status::OK();
  const std::string key = Key(tenant, json_fields::S(invited.member_id()));
  const Side* existing = nullptr;
  Status s = sides_.Peek(rows, key, &existing);
  if (!s.ok() || existing != nullptr) return s;  // the first invitation decides
  Side* side = nullptr;
  s = sides_.Get(rows, key, &side);
  if (s.ok()) side->client = client;
  return s;
}

Status MemberSides::SideOf(const RowReader& rows, const std::string& tenant,
                           std::string_view member, std::string* client) {
  const Side* side = nullptr;
  Status s = sides_.Peek(rows, Key(tenant, member), &side);
  if (s.ok() && side != nullptr) {
    *client = side->client;
  } else {
    client->clear();
  }
  return s;
}

}  // namespace tandem
