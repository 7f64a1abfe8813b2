// The verbs of the `tandem` command; each returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace tandem::cli {

int RunAppend(const std::vector<std::string>& args);
int RunRead(const std::vector<std::string>& args);
int RunVerify(const std::vector<std::string>& args);
int RunCommand(const std::vector<std::string>& args);
int RunDemo(const std::vector<std::string>& args);
int RunView(const std::vector<std::string>& args);
int RunRebuild(const std::vector<std::string>& args);
int RunViewHash(const std::vector<std::string>& args);
int RunProjections(const std::vector<std::string>& args);
int RunReport(const std::vector<std::string>& args);
int RunWorker(const std::vector<std::string>& args);
int RunStatus(const std::vector<std::string>& args);
int RunTail(const std::vector<std::string>& args);
int RunServe(const std::vector<std::string>& args);

}  // namespace tandem::cli
