// Who may issue which command. This is the first gate; each command then adds the checks of
// scope (a client-side member acts only on its own client's projects and only on what is shared
// with the client) and of the thing it touches (only the member an approval was requested from
// may answer it, a client admin manages only its own client's people, ...).
//
// The role table (Y = the role may issue the command; Auditor and ClientViewer only read):
//
//   command              Owner PM  Staff CAdmin CMember CViewer Auditor
//   client.add             Y   -    -     -      -       -       -
//   member.invite          Y   Y*   -     Y*     -       -       -      * client roles only
//   role.grant/revoke      Y   Y*   -     Y*     -       -       -      * client roles only
//   branding.set           Y   Y    -     Y      -       -       -
//   project.create         Y   Y    -     -      -       -       -
//   milestone.plan         Y   Y    -     -      -       -       -
//   milestone.reschedule   Y   Y    -     -      -       -       -
//   milestone.complete     Y   Y    -     -      -       -       -
//   milestone.start        Y   Y    Y     -      -       -       -
//   milestone.block/unblock Y  Y    Y     -      -       -       -
//   document.request       Y   Y    Y     -      -       -       -
//   file.upload            Y   Y    Y     Y      Y       -       -      client: requested docs
//   comment.post           Y   Y    Y     Y      Y       -       -      client: client threads
//   board.configure        Y   Y    -     -      -       -       -
//   card.create            Y   Y    Y     Y      Y       -       -      client: client Inbound
//   card.move / card.link  Y   Y    Y     -      -       -       -
//   approval.request       Y   Y    -     -      -       -       -
//   approval.grant/reject  -   -    -     Y      Y       -       -      the requested member
//   report_link.issue      Y   Y    -     Y      -       -       -      client: client links
//   report_link.revoke     Y   Y    -     Y      -       -       -      client: client links
//
// workspace.create is open to anyone: its actor becomes the new workspace's owner.
#pragma once

#include "tandem/domain/command.h"
#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

bool RoleMayIssue(CommandType type, schema::Role role);

}  // namespace tandem
