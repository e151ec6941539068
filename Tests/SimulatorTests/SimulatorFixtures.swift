import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import Simulator

enum Fixture {
    static let admin = SimulatedToken(label: "ops", secret: "admin-secret-1", role: .admin)
    static let viewer = SimulatedToken(label: "ro", secret: "viewer-secret-2", role: .viewer)
    static let site = "Abcd1234"

    static func configuration(faultRate: Double = 0, clock: any SimulatorClock = ManualSimulatorClock(),
                              seed: UInt64 = 7) -> SimulatorConfiguration
    {
        SimulatorConfiguration(host: "127.0.0.1", port: 0, seed: seed, tokens: [admin, viewer], faultRate: faultRate,
                               gatewayTimeoutDelay: .milliseconds(20), clock: clock)
    }

    static func headers(_ token: SimulatedToken? = admin, bare: Bool = false) -> HTTPFields {
        var fields = HTTPFields()
        if let token { fields[.authorization] = bare ? token.secret : "Bearer " + token.secret }
        fields[.contentType] = "application/json"
        return fields
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    /// The `errors` of an answer as (code, description) pairs.
    static func errors(_ response: TestResponse) -> [(code: String, description: String)] {
        guard let json = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any],
            let errors = json["errors"] as? [[String: Any]]
        else { return [] }
        return errors.map { ($0["code"] as? String ?? "", $0["description"] as? String ?? "") }
    }

    static func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
    }

    static func header(_ response: TestResponse, _ name: String) -> String? {
        response.headers[HTTPField.Name(name)!]
    }
}
