// Wraps a real store and injects faults into apply(): exceptions, or a stall like a slow disk
// (apply() blocks until released). Everything else is forwarded untouched. The only fake here is
// the fault; the data path is the real store's.
// Thread-safety: control calls from the test thread, apply() from the committer's writer thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include "domain/store.hpp"

namespace carechat::test {

class faulty_store final : public domain::store {
 public:
  explicit faulty_store(domain::store& inner) : inner_(inner) {}

  // The next `n` apply() calls throw instead of writing.
  void throw_on_next_applies(int n) {
    std::lock_guard lock(mutex_);
    throws_left_ = n;
  }

  // From now on apply() waits until resume(): a stalled disk.
  void stall() {
    std::lock_guard lock(mutex_);
    stalled_ = true;
  }
  void resume() {
    {
      std::lock_guard lock(mutex_);
      stalled_ = false;
    }
    changed_.notify_all();
  }
  // Waits until an apply() call is blocked in a stall.
  bool wait_until_stalled(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return waiting_ > 0; });
  }

  std::unique_ptr<domain::store_reader> open_reader() override { return inner_.open_reader(); }

  std::vector<domain::write_outcome> apply(std::span<const domain::write_command> batch) override {
    {
      std::unique_lock lock(mutex_);
      ++waiting_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return !stalled_; });
      --waiting_;
      if (throws_left_ > 0) {
        --throws_left_;
        throw std::runtime_error("injected fault");
      }
    }
    return inner_.apply(batch);
  }

  core::result<void> insert_token(const domain::token_record& t) override { return inner_.insert_token(t); }
  using domain::store::list_tokens;
  using domain::store::audit_for_patient;
  core::result<std::vector<domain::token_record>> list_tokens(const domain::token_listing& q) override {
    return inner_.list_tokens(q);
  }
  core::result<bool> revoke_token(const std::string& id, core::unix_ms at) override {
    return inner_.revoke_token(id, at);
  }
  core::result<bool> insert_client_token(const domain::token_record& t) override {
    return inner_.insert_client_token(t);
  }
  core::result<void> insert_oauth_client(const domain::oauth_client_record& c) override {
    return inner_.insert_oauth_client(c);
  }
  core::result<std::vector<domain::oauth_client_record>> list_oauth_clients(const domain::token_listing& q) override {
    return inner_.list_oauth_clients(q);
  }
  core::result<bool> revoke_oauth_client(const std::string& id, core::unix_ms at) override {
    return inner_.revoke_oauth_client(id, at);
  }
  core::result<std::vector<domain::audit_row>> audit_for_patient(const std::string& p,
                                                                 const domain::audit_listing& q) override {
    return inner_.audit_for_patient(p, q);
  }
  core::result<core::bytes> secret(const std::string& name, std::size_t size) override {
    return inner_.secret(name, size);
  }

 private:
  domain::store& inner_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int throws_left_ = 0;
  bool stalled_ = false;
  int waiting_ = 0;
};

}  // namespace carechat::test
