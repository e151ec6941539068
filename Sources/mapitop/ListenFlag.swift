import ArgumentParser
import Collectors
import ConfigFile

/// A HOST:PORT a command listens on, checked the one way every command checks it: it parses,
/// and a non-loopback address needs `--allow-remote`, since anyone who can reach it could
/// use it (a tap forwards their calls to the API).
enum ListenFlag {
    static func parse(_ value: String, flag: String) throws(ValidationError) -> ListenAddress {
        do { return try ListenAddress(parsing: value) } catch { throw ValidationError("\(flag): \(error)") }
    }

    /// `what` names where the address came from (`--tap 0.0.0.0:8787`, or a config key);
    /// `remedy` says how to allow it where `--allow-remote` is not this command's.
    static func requireLoopback(
        _ address: ListenAddress, allowed: Bool, what: String, remedy: String = "add --allow-remote if that is intended"
    ) throws(ValidationError) {
        guard address.isLoopback || allowed else {
            throw ValidationError("\(what) is not a loopback address: anyone who can reach it could use it; \(remedy)")
        }
    }

    static func check(_ value: String, flag: String, allowRemote: Bool) throws(ValidationError) {
        try requireLoopback(try parse(value, flag: flag), allowed: allowRemote, what: "\(flag) \(value)")
    }
}
