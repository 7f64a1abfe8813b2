#include <iostream>
#include <random>

#include "cli_options.h"
#include "tandem/event_json.h"
#include "verbs.h"

namespace tandem::cli {
namespace {

template <typename T>
NewEvent MakeEvent(const std::string& actor, schema::Audience audience, T payload) {
  NewEvent e;
  e.actor = actor;
  e.audience = audience;
  e.payload.Set(std::move(payload));
  return e;
}

std::string ShortId() {
  std::random_device rd;
  return std::to_string(rd() % 1000000);
}

}  // namespace

int RunDemo(const std::vector<std::string>& args) {
  po::options_description desc("demo options");
  AddCommonOptions(&desc);
  po::variables_map vm;
  int rc = ParseVerbOptions("demo", "Builds a small collaboration history and prints it.", desc,
                            args, &vm);
  if (rc >= 0) return rc;
  std::unique_ptr<EventLog> log;
  if (!OpenLog(vm, EventLogOptions(), &log)) return kExitFailed;
  std::unique_ptr<EventJsonCodec> codec;
  Status s = EventJsonCodec::Create(&codec);
  if (!s.ok()) return Fail("demo", s);

  const std::string tenant = "northwind-" + ShortId();
  const StreamId project{tenant, "project-website"};
  using schema::Audience;
  schema::ProjectCreatedT created;
  created.project_id = "project-website";
  created.client_id = "client-contoso";
  created.name = "Contoso website relaunch";
  schema::MilestonePlannedT planned;
  planned.project_id = "project-website";
  planned.milestone_id = "m-design";
  planned.title = "Design sign-off";
  planned.planned_date = "2026-12-01";
  schema::MilestoneRescheduledT slipped;
  slipped.project_id = "project-website";
  slipped.milestone_id = "m-design";
  slipped.old_date = "2026-12-01";
  slipped.new_date = "2026-12-08";
  slipped.reason = "Brand guidelines arrived late";
  schema::CommentPostedT internal_note;
  internal_note.project_id = "project-website";
  internal_note.thread_id = "t-internal";
  internal_note.comment_id = "c1";
  internal_note.thread_audience = Audience::Internal;
  internal_note.body = "Designer out sick, keep the client informed";
  schema::MilestoneCompletedT done;
  done.project_id = "project-website";
  done.milestone_id = "m-design";
  done.completed_date = "2026-12-08";

  std::vector<NewEvent> story = {
      MakeEvent("member:olivia", Audience::Client, created),
      MakeEvent("member:olivia", Audience::Client, planned),
      MakeEvent("member:olivia", Audience::Client, slipped),
      MakeEvent("member:sam", Audience::Internal, internal_note),
      MakeEvent("member:olivia", Audience::Client, done),
  };
  AppendResult result;
  s = log->Append(project, ExpectedVersion::NoStream(), story, "demo-" + tenant, &result);
  if (!s.ok()) return Fail("demo", s);
  std::cout << "appended " << story.size() << " events to " << project.ToString()
            << " at positions " << result.first_position << ".." << result.last_position
            << " (synced)\n";

  // A retry with the same idempotency key writes nothing and returns the same positions.
  AppendResult retry;
  s = log->Append(project, ExpectedVersion::NoStream(), story, "demo-" + tenant, &retry);
  if (!s.ok()) return Fail("demo", s);
  std::cout << "retried the same append: deduplicated=" << (retry.deduplicated ? "yes" : "no")
            << " positions " << retry.first_position << ".." << retry.last_position << "\n";

  // A stale writer is refused.
  s = log->Append(project, ExpectedVersion::Exact(2), {story[3]}, "", &retry);
  std::cout << "stale append (expected version 2): " << s.ToString() << "\n\nthe stream now:\n";
  std::vector<RecordedEvent> events;
  s = log->ReadStreamForward(project, 1, ReadOptions(), &events);
  if (!s.ok()) return Fail("demo", s);
  std::string line;
  for (const RecordedEvent& e : events) {
    s = codec->ToJson(e, &line);
    if (!s.ok()) return Fail("demo", s);
    std::cout << line << "\n";
  }
  return kExitOk;
}

}  // namespace tandem::cli
