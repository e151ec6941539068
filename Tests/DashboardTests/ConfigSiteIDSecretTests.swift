import ConfigFile
import Foundation
import ManagementAPI
import Testing
@testable import Dashboard

@Suite("A secret pasted into site_id")
struct ConfigSiteIDSecretTests {
    @Test("is refused with its line and key, and the message never quotes it")
    func refusedUnquoted() throws {
        let pasted = "sk_live_PASTED_9f8e7d6c"
        let text = "[[token]]\nlabel = \"ingest\"\nsecret_env = \"JWP_SECRET_INGEST\"\nsite_id = \"\(pasted)\"\n"
        let error = try #require(throws: ConfigError.self) {
            try ConfigLoader.parse(text, file: "config.toml", environment: ["JWP_SECRET_INGEST": "real-secret-value"])
        }
        #expect(error.key == "token[1].site_id")
        #expect(error.line == 4)
        #expect(error.message == "must be 8 letters or digits; the value given has 23 characters, including punctuation or symbols")
        for start in 0...(pasted.count - 6) {
            let piece = String(pasted.dropFirst(start).prefix(6))
            #expect(!error.description.contains(piece), "'\(piece)' leaked in: \(error)")
        }
    }
}
