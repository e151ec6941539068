import Foundation
import TextSafety

/// A journaled call as a curl command line that reproduces it when pasted into a shell that
/// has `JWP_SECRET_<LABEL>` set. Pure: the same call, the same text.
///
/// Safety, whatever the call carried: every value from the call is single-quoted (nothing in
/// single quotes is special to a POSIX shell; a `'` becomes `'\''`); the secret is the only
/// double-quoted word, so the shell expands the variable and nothing else. The command stays
/// free of control characters, so pasting it cannot drive the terminal or the line editor:
/// a URL's controls, spaces and non-ASCII are percent-encoded, a method is kept to HTTP's
/// token characters, and a body that is not plain text (invalid UTF-8, NUL, ESC or another
/// control besides tab and newline, a bidi control that could disguise it) travels as base64
/// piped into `curl --data-binary @-`.
public enum CurlCommand {
    /// The request headers mapitop knows of a call: the journal keeps no request headers, so
    /// a body is sent as the API's JSON (the only body the API takes).
    public static let contentType = "application/json"

    public static func build(method: String, url: String, token: TokenReference, body: [UInt8]?) -> String {
        // -q: no ~/.curlrc; -g: `[` `]` `{` `}` in a path are characters, not a range to fetch
        // thousands of times with the secret; --path-as-is: `/../` goes as it was sent.
        var words = ["curl", "-q", "-g", "--path-as-is", "-X", singleQuoted(httpMethod(method)), singleQuoted(safeURL(url)),
                     "-H", "\"Authorization: " + SecretPlaceholder.authorization(for: token) + "\""]
        guard let body, !body.isEmpty else { return words.joined(separator: " ") }
        words += ["-H", singleQuoted("Content-Type: " + contentType)]
        if let text = plainText(body) {
            words += ["--data-raw", singleQuoted(text)]
            return words.joined(separator: " ")
        }
        words += ["--data-binary", "@-"]
        return "printf '%s' " + singleQuoted(Data(body).base64EncodedString()) + " | base64 -d | " + words.joined(separator: " ")
    }

    /// The call's URL against an API base: `https://api.jwplayer.com` + `/v2/webhooks/`.
    public static func url(base: String, path: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// `'text'`, with each `'` closed, escaped and reopened.
    public static func singleQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// HTTP's token characters only (RFC 9110 `tchar`); nothing left is `GET`.
    static func httpMethod(_ method: String) -> String {
        let kept = method.unicodeScalars.filter { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
        }
        return kept.isEmpty ? "GET" : String(String.UnicodeScalarView(kept))
    }

    /// The URL with controls, spaces and non-ASCII bytes percent-encoded (a server decodes
    /// them back to the same path).
    public static func safeURL(_ url: String) -> String {
        var result = ""
        for byte in url.utf8 {
            if byte > 0x20, byte < 0x7F {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    /// The body as text when it is valid UTF-8 with no character that could act on a terminal
    /// or hide what follows; nil when it must travel as base64.
    public static func plainText(_ body: [UInt8]) -> String? {
        guard let text = String(validating: body, as: UTF8.self) else { return nil }
        return TextEscapes.isPlainForShell(text) ? text : nil
    }
}
