import Foundation

/// OSC 52, the escape sequence that sets the clipboard of the terminal a person is looking
/// at: it travels with the rest of the output, so it works over SSH (DESIGN.md section 10).
public enum Clipboard {
    /// `ESC ] 52 ; c ; <base64> BEL`. Base64 carries any text safely: nothing in it can end
    /// the sequence early.
    public static func osc52(_ text: String) -> String {
        "\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
    }

    /// What to write: inside tmux (`inTmux`), the plain sequence, which tmux takes into a
    /// paste buffer and hands on to the outer terminal when `set-clipboard on`, and the same
    /// wrapped in tmux's DCS passthrough (every ESC doubled), which reaches the outer terminal
    /// when `allow-passthrough on`. Outside tmux, the plain sequence alone.
    public static func sequences(_ text: String, inTmux: Bool) -> String {
        let plain = osc52(text)
        guard inTmux else { return plain }
        return plain + "\u{1B}Ptmux;" + plain.replacingOccurrences(of: "\u{1B}", with: "\u{1B}\u{1B}") + "\u{1B}\\"
    }
}
