import Foundation
import ManagementAPI
import NIOCore
import NIOHTTP1

/// The body of an answer the tap gives itself, in the API's own error shape.
enum TapOwnAnswer {
    static func body(code: String, description: String) -> String {
        #"{"errors":[{"code":"\#(code)","description":\#(jsonString(description))}]}"#
    }

    static func headers(length: Int) -> HTTPHeaders {
        ["content-type": "application/json", "content-length": String(length)]
    }

    static func jsonString(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? String(decoding: encoder.encode(text), as: UTF8.self)) ?? "\"\""
    }
}

/// The record of an error answer the upstream gave.
enum TapErrorAnswer {
    /// The record decodes a copy, its Content-Encoding undone under `limit`, so a gzip bomb
    /// costs at most that. A plain body is copied only as far as it is parsed; a coded one is
    /// needed whole to inflate (it is at most the 16 MiB the tap reads).
    static func record(_ call: TapCallStart, head: HTTPResponseHead, body: ByteBuffer, limit: Int) -> TappedCall {
        let status = Int(head.status.code)
        let contentEncoding = head.headers.first(name: "content-encoding")
        let copied = ContentDecoding.codings(contentEncoding).isEmpty
            ? Array(body.readableBytesView.prefix(limit)) : Array(body.readableBytesView)
        let decoded = ResponseDecoder.decodeError(status: status, wireBody: copied, contentEncoding: contentEncoding, limit: limit)
        return call.tapped(.status(status), rate: RateHeaders(headers: head.headers), errors: decoded.entries)
    }
}
