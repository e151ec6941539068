import ManagementAPI
import Testing
import TestSupport

@Suite("gzip from a gateway, decoded under a cap")
struct ContentDecodingTests {
    let fieldErrors = Array("""
        {"errors":[{"code":"too_long","description":"Field 'metadata.title' must be shorter than '256' characters. Value of 'x' was provided."},\
        {"code":"required","description":"Field 'upload.method' is required."}]}
        """.utf8)

    @Test("a gzip body decodes to the bytes that were compressed; identity and no header leave it alone")
    func roundTrip() throws {
        let compressed = try TestGzip.compress(fieldErrors)
        #expect(compressed.starts(with: [0x1F, 0x8B]))
        #expect(try ContentDecoding.decode(compressed, contentEncoding: "gzip", limit: 1 << 20)
            == .init(bytes: fieldErrors, truncated: false))
        #expect(try ContentDecoding.decode(compressed, contentEncoding: " GZIP ", limit: 1 << 20).bytes == fieldErrors)
        #expect(try ContentDecoding.decode(fieldErrors, contentEncoding: nil, limit: 1 << 20).bytes == fieldErrors)
        #expect(try ContentDecoding.decode(fieldErrors, contentEncoding: "identity", limit: 1 << 20).bytes == fieldErrors)
    }

    @Test("a gzip 400 decodes to every field error, with its details")
    func gzipFieldErrors() throws {
        let error = ResponseDecoder.decodeError(status: 400, wireBody: try TestGzip.compress(fieldErrors), contentEncoding: "gzip")
        #expect(error.shape == .standard)
        #expect(error.entries.map(\.code) == ["too_long", "required"])
        #expect(error.entries.first?.detail == FieldDetail(field: "metadata.title", constraint: "256", provided: "x"))
    }

    @Test("garbage that claims gzip is an entry that says so, with the status kept; so is a cut stream")
    func garbage() throws {
        let garbage = Array("{\"errors\":[]} this is not gzip".utf8)
        #expect(throws: ContentDecoding.Failure.self) { try ContentDecoding.decode(garbage, contentEncoding: "gzip", limit: 1 << 20) }
        let error = ResponseDecoder.decodeError(status: 400, wireBody: garbage, contentEncoding: "gzip")
        #expect(error.status == 400)
        #expect(error.shape == .undecodable)
        #expect(error.entries.count == 1)
        #expect(error.entries.first?.synthesized == true)
        #expect(error.entries.first?.description.contains("Content-Encoding gzip") == true)

        let compressed = try TestGzip.compress(fieldErrors)
        let cut = Array(compressed.prefix(compressed.count / 2))
        #expect(throws: ContentDecoding.Failure.self) { try ContentDecoding.decode(cut, contentEncoding: "gzip", limit: 1 << 20) }
        #expect(throws: ContentDecoding.Failure.self) {
            try ContentDecoding.decode(compressed + Array("trailing".utf8), contentEncoding: "gzip", limit: 1 << 20)
        }
        #expect(throws: ContentDecoding.Failure.unsupported(coding: "br")) {
            try ContentDecoding.decode(compressed, contentEncoding: "br", limit: 1 << 20)
        }
        // A coding name is network text: a hostile one does not make a long description.
        let hostile = ResponseDecoder.decodeError(status: 400, wireBody: compressed, contentEncoding: String(repeating: "x", count: 5_000))
        #expect(hostile.shape == .undecodable)
        #expect((hostile.entries.first?.description.count ?? .max) < 200)
    }

    @Test("a gzip bomb stops at the cap: 256 MiB of zeros from a few hundred KB keep 1 MiB")
    func bomb() async throws {
        let bomb = try await TestGzip.bomb(decodedSize: 256 << 20)
        #expect(bomb.count < 1 << 20)
        let decoded = try ContentDecoding.decode(bomb, contentEncoding: "gzip", limit: 1 << 20)
        #expect(decoded.truncated)
        #expect(decoded.bytes.count == 1 << 20)
        let error = ResponseDecoder.decodeError(status: 400, wireBody: bomb, contentEncoding: "gzip", limit: 1 << 20)
        #expect(error.shape == .tooLarge)
        #expect(error.entries.first?.description.contains("decodes to more than 1048576 bytes") == true)
    }

    @Test("two codings are undone; a chain of three or a thousand is an error entry, not a thousand inflates")
    func codingChains() throws {
        let twice = try TestGzip.compress(try TestGzip.compress(fieldErrors))
        #expect(try ContentDecoding.decode(twice, contentEncoding: "gzip, gzip", limit: 1 << 20).bytes == fieldErrors)
        for header in ["gzip, gzip, gzip", Array(repeating: "gzip", count: 1_000).joined(separator: ",")] {
            #expect(throws: ContentDecoding.Failure.tooManyCodings(count: header.split(separator: ",").count)) {
                try ContentDecoding.decode(twice, contentEncoding: header, limit: 1 << 20)
            }
            let error = ResponseDecoder.decodeError(status: 400, wireBody: twice, contentEncoding: header)
            #expect(error.entries.count == 1)
            #expect(error.entries.first?.description.contains("Content-Encodings, more than the 2 mapitop undoes") == true,
                    "\(error.entries)")
        }
    }
}
