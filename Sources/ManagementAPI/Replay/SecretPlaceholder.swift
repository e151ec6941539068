/// The stand-in for a secret wherever mapitop writes a call out (an export, a curl command):
/// the environment variable `JWP_SECRET_<LABEL>`, never the value. A token the configuration
/// names uses its label, upper-cased, with every character outside [A-Z0-9_] as `_`
/// (`cms-sync` → `JWP_SECRET_CMS_SYNC`); a token without a label uses its fingerprint's eight
/// hex digits, upper-cased (`#ab12cd34` → `JWP_SECRET_AB12CD34`), the name the dashboard
/// shows for it without the `#`.
public enum SecretPlaceholder {
    public static let prefix = "JWP_SECRET_"

    /// `JWP_SECRET_INGEST`: only [A-Z0-9_], so it is a valid shell variable name and needs no
    /// quoting anywhere.
    public static func variable(for token: TokenReference) -> String {
        let source = token.label ?? token.fingerprint.hex
        let name = String(String.UnicodeScalarView(source.uppercased().unicodeScalars.map { scalar in
            switch scalar {
            case "A"..."Z", "0"..."9", "_": scalar
            default: "_"
            }
        }))
        return prefix + (name.isEmpty ? "_" : name)
    }

    /// The Authorization header's value as written out: `Bearer $JWP_SECRET_INGEST`.
    public static func authorization(for token: TokenReference) -> String {
        "Bearer $" + variable(for: token)
    }
}
