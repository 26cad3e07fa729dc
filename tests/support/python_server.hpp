// PythonServer: runs one of the test servers in tests/support/ (sink_server.py,
// smtp_server.py) as a child process with /usr/bin/python3 (Debian's, which has
// python3-aiosmtpd), reads the port it prints, and kills it at scope exit.
// blocking_http(): a tiny blocking HTTP/1.0 client for the servers' control paths.
// Test thread only; failures throw std::runtime_error (Catch2 reports them).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace alertgate::testing {

class PythonServer {
 public:
  // `script` is a file name under tests/support/.
  PythonServer(const std::string& script, std::vector<std::string> args) {
    const std::string path = std::string(ALERTGATE_SOURCE_DIR) + "/tests/support/" + script;
    std::vector<std::string> argv_s{"/usr/bin/python3", path};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      throw std::runtime_error("cannot start " + path);
    }
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{out[0], POLLIN, 0};
      char buf[64];
      ssize_t n = 0;
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0 ||
          (n = ::read(out[0], buf, sizeof buf)) <= 0) {
        ::close(out[0]);
        stop();
        throw std::runtime_error(path + " printed no port");
      }
      line.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);  // the servers print nothing else on stdout
    port_ = std::stoi(line);
  }
  ~PythonServer() { stop(); }
  PythonServer(const PythonServer&) = delete;
  PythonServer& operator=(const PythonServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

// One blocking HTTP/1.0 request to 127.0.0.1:port; returns the response body (throws on a
// connection failure or a status >= 300).
inline std::string blocking_http(int port, const std::string& method, const std::string& path,
                                 const std::string& body = {}) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("blocking_http: connect failed");
  }
  const std::string request = method + " " + path +
                              " HTTP/1.0\r\nContent-Length: " + std::to_string(body.size()) +
                              "\r\n\r\n" + body;
  for (std::size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
    response.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto split = response.find("\r\n\r\n");
  if (response.size() < 12 || split == std::string::npos || response[9] >= '3') {
    throw std::runtime_error("blocking_http: bad answer: " + response.substr(0, 200));
  }
  return response.substr(split + 4);
}

}  // namespace alertgate::testing
