// Reactor: one io_context run by one thread, with its own HTTP server, ingest endpoints
// and metric cells. Shard k runs on reactor k.
#pragma once

#include <memory>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "alertgate/http_server.hpp"
#include "ingest_endpoints.hpp"

namespace alertgate {

struct Reactor {
  std::size_t index = 0;
  boost::asio::io_context io{1};  // one thread: Asio may skip internal locking
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::unique_ptr<IngestEndpoints> ingest;
  http::EndpointTable endpoints;
  std::unique_ptr<http::HttpServer> server;
  std::thread thread;
};

}  // namespace alertgate
