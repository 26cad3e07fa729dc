// kafka_mock_cluster: a librdkafka mock Kafka cluster for tests that need a broker (the
// Kafka destination, `alertgate bench --kafka-brokers`) without a JVM.
//
//   kafka_mock_cluster [--brokers N]
//
// Prints the bootstrap address ("127.0.0.1:PORT,...") as the first line on stdout, then
// reads one command per line on stdin and answers one line, "ok" or "error <message>":
//   down <broker_id>               disconnect the broker and refuse new connections
//   up <broker_id>                 accept connections again
//   create <topic> <partitions>    create a topic (topics are also auto-created on use)
//   quit                           exit 0 (so does end of stdin)
// Brokers are numbered 1..N. Logs of librdkafka go to stderr.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <charconv>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

namespace {

bool parse_int(std::string_view text, int& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

int usage() {
  std::cerr << "usage: kafka_mock_cluster [--brokers N]   (N in 1..16)\n";
  return 2;
}

// One command line -> its answer.
std::string run_command(rd_kafka_mock_cluster_t* cluster, const std::string& line) {
  std::istringstream in(line);
  std::string verb, a, b, extra;
  in >> verb >> a >> b >> extra;
  if (!extra.empty()) return "error too many arguments";
  if (verb == "down" || verb == "up") {
    int id = 0;
    if (a.empty() || !b.empty() || !parse_int(a, id))
      return "error usage: " + verb + " <broker_id>";
    const rd_kafka_resp_err_t err = verb == "down" ? rd_kafka_mock_broker_set_down(cluster, id)
                                                   : rd_kafka_mock_broker_set_up(cluster, id);
    return err ? std::string("error ") + rd_kafka_err2str(err) : "ok";
  }
  if (verb == "create") {
    int partitions = 0;
    if (a.empty() || !parse_int(b, partitions) || partitions < 1) {
      return "error usage: create <topic> <partitions >= 1>";
    }
    // Replication factor 1: the topic stays writable whichever other broker is down.
    const rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, a.c_str(), partitions, 1);
    return err ? std::string("error ") + rd_kafka_err2str(err) : "ok";
  }
  if (verb.empty()) return "error empty command";
  return "error unknown command \"" + verb + "\" (down, up, create, quit)";
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--brokers" && i + 1 < argc) {
      if (!parse_int(argv[++i], brokers) || brokers < 1 || brokers > 16) return usage();
    } else {
      return usage();
    }
  }

  // The mock cluster needs a client instance for its bookkeeping; a producer that never
  // produces is the lightest one.
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // Without bootstrap.servers the handle logs a notice; only warnings and errors matter here.
  rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    std::cerr << "kafka_mock_cluster: " << errstr << "\n";
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == nullptr) {
    std::cerr << "kafka_mock_cluster: could not create the mock cluster\n";
    rd_kafka_destroy(rk);
    return 1;
  }

  std::cout << rd_kafka_mock_cluster_bootstraps(cluster) << std::endl;  // flushes
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "quit") {
      std::cout << "ok" << std::endl;
      break;
    }
    std::cout << run_command(cluster, line) << std::endl;
  }

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
