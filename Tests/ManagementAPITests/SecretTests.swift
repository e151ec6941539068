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

    @Test("build errors never quote the secret")
    func buildErrors() {
        let request = APIRequest(method: "GET", path: "/v2/sites/{site_id}/media/", parameters: ["site_id": Self.secretValue])
        #expect(throws: APIRequest.BuildError.self) { try request.resolvedPath() }
        do {
            _ = try request.url(base: "not a url")
        } catch {
            #expect(!error.description.contains(Self.secretValue))
        }
    }
}
