// The fingerprint of a command: what a retry must repeat exactly to be answered as the first
// attempt under its command id.
//
// Why: a command id is the idempotency key of its actor's command. A retry (the same command
// sent again after a timeout) is answered with the first attempt's events; a different command
// sent under an id already used must be refused instead, or its sender is told that a command
// which never ran succeeded. The events a command writes carry its fingerprint as their
// causation id, so that the first attempt can be told from another command later.
#pragma once

#include <string>

#include "tandem/domain/command.h"

namespace tandem {

// "sha256:" and the hex SHA-256 of the command's type, workspace, actor, id, expected version
// and every field, each length-prefixed so that no two commands encode alike (hashed where the
// fields lie: an upload's content is not copied). Fields given
// with their default are fields given: a retry sends the command as it was.
std::string CommandFingerprint(const Command& command);

}  // namespace tandem
