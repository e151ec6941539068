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
    /// The record of an error answer, its errors still to decode (the delivery does it, off
    /// the tap's event loop). It keeps a copy of at most `limit` wire bytes: a plain body is
    /// parsed no further, and a coded one inflates from that much (a gzip bomb's first
    /// megabyte decodes to the cap all the same).
    static func record(_ call: TapCallStart, head: HTTPResponseHead, body: ByteBuffer, limit: Int) -> TappedCall {
        let status = Int(head.status.code)
        let pending = UndecodedError(status: status, contentEncoding: head.headers.first(name: "content-encoding"),
                                     body: Array(body.readableBytesView.prefix(limit)), limit: limit)
        let tapped = call.tapped(.status(status), rate: RateHeaders(headers: head.headers), errors: [])
        return tapped.with(undecoded: pending)
    }
}
