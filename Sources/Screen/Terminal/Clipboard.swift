/// OSC 52, the escape sequence that sets the clipboard of the terminal a person is looking
/// at: it travels with the rest of the output, so it works over SSH (DESIGN.md section 10).
public enum Clipboard {
    /// `ESC ] 52 ; c ; <base64> BEL`. Base64 carries any text safely: nothing in it can end
    /// the sequence early.
    public static func osc52(_ text: String) -> String {
        "\u{1B}]52;c;" + base64(Array(text.utf8)) + "\u{07}"
    }

    /// What to write: inside tmux (`inTmux`), the plain sequence, which tmux takes into a
    /// paste buffer and hands on to the outer terminal when `set-clipboard on`, and the same
    /// wrapped in tmux's DCS passthrough (every ESC doubled), which reaches the outer terminal
    /// when `allow-passthrough on`. Outside tmux, the plain sequence alone.
    public static func sequences(_ text: String, inTmux: Bool) -> String {
        let plain = osc52(text)
        guard inTmux else { return plain }
        var wrapped = "\u{1B}Ptmux;"
        for scalar in plain.unicodeScalars {
            if scalar == "\u{1B}" { wrapped.unicodeScalars.append(scalar) }
            wrapped.unicodeScalars.append(scalar)
        }
        return plain + wrapped + "\u{1B}\\"
    }

    /// RFC 4648 base64 with padding. Written here because this module stays free of
    /// Foundation (DESIGN.md section 3): only `NcursesTerminal` reaches past the standard library.
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { group |= UInt32(bytes[index + 2]) }
            for position in 0..<4 {
                output.append(position <= count ? alphabet[Int((group >> UInt32(18 - 6 * position)) & 0x3F)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
