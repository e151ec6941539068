import Foundation
import Testing
@testable import Simulator

@Suite("Quota with a manual clock")
struct QuotaTests {
    func call(_ api: SimulatedAPI, _ token: SimulatedToken = Fixture.admin) -> (status: Int, remaining: String?) {
        let response = api.respond(to: SimulatedRequest(method: "GET", path: "/v2/webhooks/", authorization: "Bearer " + token.secret))
        return (response.status, response.headers.first { $0.0 == "jw-request-remaining" }?.1)
    }

    @Test("remaining counts 59…0, the 61st call is a 429 with remaining 0")
    func countsDown() {
        let api = SimulatedAPI(configuration: Fixture.configuration())
        for expected in (0...59).reversed() {
            let answer = call(api)
            #expect(answer.status == 200)
            #expect(answer.remaining == String(expected))
        }
        let limited = api.respond(to: SimulatedRequest(method: "GET", path: "/v2/webhooks/", authorization: "Bearer " + Fixture.admin.secret))
        #expect(limited.status == 429)
        #expect(limited.headers.contains { $0 == ("jw-request-remaining", "0") })
        #expect(String(decoding: limited.body, as: UTF8.self).contains("rate_limit_exceeded"))
    }

    @Test("the window slides: a call leaves it exactly 60 s later; rejected calls are not counted")
    func slides() {
        let clock = ManualSimulatorClock()
        let api = SimulatedAPI(configuration: Fixture.configuration(clock: clock))
        for _ in 0..<30 { _ = call(api) }
        clock.advance(by: 30)
        for _ in 0..<30 { _ = call(api) }
        for _ in 0..<10 { #expect(call(api).status == 429) }
        clock.advance(by: 29.999)
        #expect(call(api).status == 429)
        clock.advance(by: 0.001)
        // The first 30 left the window; the 429s never entered it.
        #expect(call(api) == (200, "29"))
    }

    @Test("tokens are independent")
    func independent() {
        let api = SimulatedAPI(configuration: Fixture.configuration())
        for _ in 0..<60 { _ = call(api) }
        #expect(call(api).status == 429)
        #expect(call(api, Fixture.viewer) == (200, "59"))
    }
}
