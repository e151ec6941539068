import Foundation
import ManagementAPI
import Testing

@Suite("Secrets stay secret")
struct SecretTests {
    static let secretValue = "sk_live_SUPERSECRET_9f8e7d"
    let token = Token(label: "ingest", secret: Secret(secretValue))

    @Test("description, debug description, interpolation and dump never show the secret")
    func printing() {
        var dumped = ""
        dump(token, to: &dumped)
        var dumpedSecret = ""
        dump(token.secret, to: &dumpedSecret)
        let texts = [
            String(describing: token), String(reflecting: token), "\(token)", dumped, dumpedSecret,
            String(describing: token.secret), String(reflecting: token.secret), "\(token.reference)",
            String(describing: [token]), String(describing: Optional(token)),
        ]
        for text in texts {
            #expect(!text.contains(Self.secretValue), "leaked in: \(text)")
        }
        #expect(String(describing: token).contains("ingest"))
        #expect(dumped.contains(token.fingerprint.hex))
    }

    @Test("encoding a token carries label and fingerprint only")
    func encoding() throws {
        let json = String(decoding: try JSONEncoder().encode(token), as: UTF8.self)
        #expect(!json.contains(Self.secretValue))
        #expect(json.contains("\"label\":\"ingest\""))
        #expect(json.contains(token.fingerprint.description))
    }

    @Test("the fingerprint is the first 8 hex digits of SHA-256")
    func fingerprint() {
        // printf 'abc' | sha256sum → ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        #expect(Secret("abc").fingerprint.hex == "ba7816bf")
        #expect(Secret("abc").fingerprint.description == "#ba7816bf")
        // printf '' | sha256sum → e3b0c442…
        #expect(Secret("").fingerprint.hex == "e3b0c442")
        #expect(TokenReference(fingerprint: Secret("abc").fingerprint, label: nil).displayName == "#ba7816bf")
    }

    /// A secret pasted into `site_id` (the key next to `secret_env`) must be refused, and the
    /// refusal must not quote it, however the error is printed.
    @Test("a site id that holds a secret is refused without quoting it",
          arguments: [SecretTests.secretValue, "Bearer " + SecretTests.secretValue, String(SecretTests.secretValue.prefix(8)) + "\n"])
    func buildErrors(siteID: String) throws {
        let request = APIRequest(method: "GET", path: "/v2/sites/{site_id}/media/", parameters: ["site_id": siteID])
        let errors: [APIRequest.BuildError] = [
            try #require(throws: APIRequest.BuildError.self) { try request.resolvedPath() },
            try #require(throws: APIRequest.BuildError.self) { try request.url(base: "https://api.jwplayer.com") },
        ]
        for error in errors {
            guard case .invalidSiteID = error else {
                Issue.record("expected invalidSiteID, got \(error)")
                continue
            }
            var dumped = ""
            dump(error, to: &dumped)
            for text in [String(describing: error), String(reflecting: error), "\(error)", dumped,
                         error.localizedDescription] {
                // Not the value, and not any 6 characters of it.
                for start in 0...(siteID.count - 6) {
                    let piece = String(siteID.dropFirst(start).prefix(6))
                    #expect(!text.contains(piece) || piece.allSatisfy(\.isWhitespace), "'\(piece)' leaked in: \(text)")
                }
            }
            #expect(error.description.contains("has \(siteID.count) characters"))
        }
    }
}
