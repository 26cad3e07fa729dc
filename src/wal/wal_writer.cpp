// WalWriter: the public face (any thread) of WalThread (wal_thread.cpp), which owns the
// files. Records are encoded here, on the submitting thread, so the WAL thread only copies
// bytes.
#include "alertgate/wal/wal_writer.hpp"

#include <functional>
#include <thread>

#include "wal/wal_thread.hpp"

namespace alertgate::wal {

std::uint64_t alert_id_hash(std::string_view alert_id) {
  return std::hash<std::string_view>{}(alert_id);
}

Result<std::unique_ptr<WalWriter>> WalWriter::open(WalOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  if (auto r = impl->start(); !r.ok()) return unexpected(std::move(r).error());
  return std::unique_ptr<WalWriter>(new WalWriter(std::move(impl)));
}

WalWriter::WalWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WalWriter::~WalWriter() { stop(); }

void WalWriter::append(const Alert& alert, AppendCallback done) {
  WalOp op;
  op.kind = WalOp::Kind::append;
  if (!append_alert_record(alert, op.bytes)) {
    done(std::make_error_code(std::errc::message_size), WalTicket{});
    return;
  }
  op.callback = std::move(done);
  op.id_hash = alert_id_hash(alert.alert_id);
  impl_->submit(std::move(op));
}

void WalWriter::record_outcome(const OutcomeRecord& outcome) {
  WalOp op;
  op.kind = WalOp::Kind::outcome;
  if (!append_outcome_record(outcome, op.bytes)) return;
  impl_->submit(std::move(op));
}

void WalWriter::complete(WalTicket ticket, std::string_view alert_id) {
  WalOp op;
  op.kind = WalOp::Kind::done;
  op.segment = ticket.segment;
  op.id_hash = alert_id_hash(alert_id);
  if (!append_done_record(alert_id, op.bytes)) op.bytes.clear();
  impl_->submit(std::move(op));
}

bool WalWriter::healthy() const { return impl_->healthy(); }
std::error_code WalWriter::last_error() const { return impl_->last_error(); }
WalStats WalWriter::stats() const { return impl_->stats(); }
std::uint32_t WalWriter::shard() const { return impl_->shard(); }
void WalWriter::stop() { impl_->stop(); }

}  // namespace alertgate::wal
