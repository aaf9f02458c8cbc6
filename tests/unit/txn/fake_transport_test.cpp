// The fault knobs of the fake transport that the transaction tests rely on.

#include "txn/testing/fake_transport.hpp"

#include "txn_test_support.hpp"

namespace sipline::txn::test {
namespace {

class FakeTransportTest : public TxnFixture {
 protected:
  FakeTransportTest() {
    transport.on_wire = [this](const FakeTransport::Delivery& d) {
      auto m = sip::Message::parse(d.bytes);
      heard.push_back(m ? std::to_string(m->cseq().number) : "garbage");
      heard_ms.push_back(ms_at(d.at));
    };
    transport.on_error = [this](const Target& t, sip::TransportError e) {
      errors.emplace_back(t, e);
    };
  }
  sip::Message numbered(std::uint32_t n) {
    RequestSpec s;
    s.cseq = n;
    return request(s);
  }
  sip::SendResult send(std::uint32_t n) { return transport.send(numbered(n), registrar_udp); }

  std::vector<std::string> heard;
  Times heard_ms;
  std::vector<std::pair<Target, sip::TransportError>> errors;
};

TEST_F(FakeTransportTest, DeliversInOrderButNeverFromInsideSend) {
  EXPECT_TRUE(send(1).ok());
  EXPECT_TRUE(send(2).ok());
  EXPECT_TRUE(heard.empty());
  EXPECT_EQ(transport.wire().size(), 2u);
  clock.run_due();
  EXPECT_EQ(heard, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(transport.sent().size(), 2u);
}

TEST_F(FakeTransportTest, DropLosesMessagesButRecordsTheSend) {
  transport.drop_next(2);
  send(1);
  send(2);
  send(3);
  transport.drop_all(true);
  send(4);
  transport.drop_all(false);
  send(5);
  clock.run_due();
  EXPECT_EQ(heard, (std::vector<std::string>{"3", "5"}));
  EXPECT_EQ(transport.sent().size(), 5u);
}

TEST_F(FakeTransportTest, DelayShiftsArrival) {
  transport.delay(120ms);
  send(1);
  clock.advance(100ms);
  EXPECT_TRUE(heard.empty());
  clock.advance(20ms);
  EXPECT_EQ(heard, std::vector<std::string>{"1"});
  EXPECT_EQ(heard_ms, Times{120});
}

TEST_F(FakeTransportTest, DuplicateAndReorder) {
  transport.duplicate_next();
  send(1);
  transport.reorder_next();
  send(2);
  send(3);
  clock.run_due();
  EXPECT_EQ(heard, (std::vector<std::string>{"1", "1", "3", "2"}));
}

TEST_F(FakeTransportTest, PartialWriteTruncatesAndResetsTheConnection) {
  transport.partial_write_next(20);
  EXPECT_TRUE(send(1).ok());
  clock.run_due();
  EXPECT_EQ(heard, std::vector<std::string>{"garbage"});
  EXPECT_EQ(transport.wire().at(0).bytes.size(), 20u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].second, sip::TransportError::reset);
}

TEST_F(FakeTransportTest, RefuseSynchronouslyOrLater) {
  transport.refuse(registrar_udp, sip::TransportError::refused);
  auto r = send(1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(*r.error, sip::TransportError::refused);

  transport.refuse(registrar_udp, sip::TransportError::unreachable,
                   FakeTransport::Mode::asynchronous);
  EXPECT_TRUE(send(2).ok());
  EXPECT_TRUE(errors.empty());
  clock.run_due();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], std::make_pair(registrar_udp, sip::TransportError::unreachable));

  transport.allow(registrar_udp);
  EXPECT_TRUE(send(3).ok());
  clock.run_due();
  EXPECT_EQ(heard, std::vector<std::string>{"3"});
}

TEST_F(FakeTransportTest, InboundBytesAreParsedAndGarbageIsDropped) {
  std::vector<std::uint32_t> received;
  transport.on_receive = [&](sip::Message m, const Target&) {
    received.push_back(m.cseq().number);
  };
  EXPECT_TRUE(transport.deliver(request_text(RequestSpec{}), phone_udp));
  EXPECT_FALSE(transport.deliver(std::string("not sip at all"), phone_udp));
  transport.deliver_after(1s, numbered(9), phone_udp);
  EXPECT_EQ(received, std::vector<std::uint32_t>{1});
  clock.advance(1s);
  EXPECT_EQ(received, (std::vector<std::uint32_t>{1, 9}));
}

}  // namespace
}  // namespace sipline::txn::test
