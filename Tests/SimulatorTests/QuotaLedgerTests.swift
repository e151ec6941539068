import Foundation
import Testing
@testable import Simulator

/// The ledger alone, with the time of every call injected: the 60 s window to the
/// millisecond, whatever the quota. Times are the start plus whole or exact offsets, so no
/// rounding of a running sum decides a boundary.
@Suite("Quota ledger on injected times")
struct QuotaLedgerTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

    @Test("60 calls at one instant: the 61st is refused until exactly 60 s later, then exactly 60 fit again")
    func burstBoundary() {
        var ledger = QuotaLedger(limit: 60)
        for expected in (0...59).reversed() {
            #expect(ledger.admit(secret: "a", at: at(0)) == .accepted(remaining: expected))
        }
        #expect(ledger.admit(secret: "a", at: at(0)) == .rejected)
        #expect(ledger.admit(secret: "a", at: at(59.999)) == .rejected)
        #expect(ledger.remaining(secret: "a", at: at(59.999)) == 0)
        #expect(ledger.remaining(secret: "a", at: at(60)) == 60)
        for expected in (0...59).reversed() {
            #expect(ledger.admit(secret: "a", at: at(60)) == .accepted(remaining: expected))
        }
        #expect(ledger.admit(secret: "a", at: at(60)) == .rejected)
    }

    @Test("one call a second: each frees its slot exactly 60 s after it, one at a time, oldest first")
    func slidingBoundary() {
        var ledger = QuotaLedger(limit: 60)
        for second in 0..<60 { #expect(ledger.admit(secret: "a", at: at(TimeInterval(second))) != .rejected) }
        // At 60 s only the call made at 0 s has left.
        #expect(ledger.admit(secret: "a", at: at(60)) == .accepted(remaining: 0))
        #expect(ledger.admit(secret: "a", at: at(60)) == .rejected)
        #expect(ledger.admit(secret: "a", at: at(60.999)) == .rejected)
        #expect(ledger.remaining(secret: "a", at: at(60.999)) == 0)
        #expect(ledger.remaining(secret: "a", at: at(61)) == 1)
        #expect(ledger.admit(secret: "a", at: at(61)) == .accepted(remaining: 0))
        // The window now holds the calls of 2…61 s; at 91 s those of 2…31 s have left.
        #expect(ledger.remaining(secret: "a", at: at(91)) == 30)
        #expect(ledger.admit(secret: "a", at: at(91)) == .accepted(remaining: 29))
    }

    @Test("refused calls never enter the window, however many there are")
    func refusedNotCounted() {
        var ledger = QuotaLedger(limit: 2)
        _ = ledger.admit(secret: "a", at: at(0))
        _ = ledger.admit(secret: "a", at: at(30))
        for _ in 0..<1_000 { #expect(ledger.admit(secret: "a", at: at(30)) == .rejected) }
        // The first call left at 60 s; the thousand refusals would hold the slot if they counted.
        #expect(ledger.admit(secret: "a", at: at(60)) == .accepted(remaining: 0))
        #expect(ledger.admit(secret: "b", at: at(60)) == .accepted(remaining: 1))
    }

    @Test("a large quota: 100 calls a second for 3 minutes leave exactly the last minute's 6 000 in the window")
    func largeQuota() {
        var ledger = QuotaLedger(limit: 10_000_000)
        for second in 0..<180 {
            for _ in 0..<100 { _ = ledger.admit(secret: "a", at: at(TimeInterval(second))) }
        }
        // At 179 s the calls of 120…179 s are inside the window.
        #expect(ledger.remaining(secret: "a", at: at(179)) == 10_000_000 - 6_000)
        #expect(ledger.admit(secret: "a", at: at(179)) == .accepted(remaining: 10_000_000 - 6_001))
        #expect(ledger.admit(secret: "a", at: at(239.5)) == .accepted(remaining: 10_000_000 - 1))
    }
}
