import Foundation
import ManagementAPI
import Monitor
import Screen

/// `mapitop snapshot`: the token table or JSON, and the Nagios exit code of the worst token.
public enum SnapshotReport {
    /// 0 OK, 1 warning, 2 critical (critical, limited or unauthorized), 3 unknown (unreachable).
    public static func exitCode(for states: [TokenState]) -> Int32 {
        states.map { state -> Int32 in
            switch state {
            case .idle, .ok: 0
            case .warn: 1
            case .critical, .limited, .unauthorized: 2
            case .unreachable: 3
            }
        }.max() ?? 0
    }

    public static func text(_ snapshot: Snapshot) -> String {
        var lines: [String] = []
        let header = ["TOKEN", "FINGERPRINT", "STATE", "USED", "LIMIT", "LEFT", "AGE"]
        let rows = snapshot.tokens.map { row -> [String] in
            [
                Sanitizer.clean(row.reference.displayName), row.reference.fingerprint.description, row.state.rawValue,
                String(row.used) + (row.usageSource == .seen ? "*" : ""), String(row.limit),
                row.remaining.map(String.init) ?? "-", row.ageSeconds.map { "\(Int($0))s" } ?? "-",
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            lines.append(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        if snapshot.tokens.contains(where: { $0.usageSource == .seen }) {
            lines.append("* no fresh figure from the server: calls seen by mapitop")
        }
        let groups = snapshot.classes.filter { $0.statusClass != .success }.flatMap(\.groups)
        if !groups.isEmpty {
            lines.append("")
            lines.append("ERRORS")
            for group in groups {
                lines.append("  \(Sanitizer.clean(group.key.title))  \(group.count)")
                for entry in group.occurrences.first?.record.errors.prefix(3) ?? [] {
                    lines.append("    \(Sanitizer.clean(entry.code)): \(Sanitizer.clean(String(entry.description.prefix(160))))")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON of DESIGN.md section 4, with sorted keys.
    public static func json(_ snapshot: Snapshot) -> String {
        struct Output: Encodable {
            struct TokenOut: Encodable {
                let label: String?
                let fingerprint: String
                let state: String
                let limit: Int
                let remaining: Int?
                let used: Int
                let age_seconds: Double?
                /// Who spent it (DESIGN.md section 12), busiest first.
                let jobs: [JobOut]
            }
            struct JobOut: Encodable {
                let job: String
                let calls_last_minute: Int
                let share_of_limit: Double
                let client_errors: Int
                let server_errors: Int
                let limited: Int
                let p95_ms: Double?

                init(_ row: JobRow) {
                    job = row.job
                    calls_last_minute = row.callsInWindow
                    share_of_limit = (row.shareOfLimit * 1_000).rounded() / 1_000
                    client_errors = row.clientErrors
                    server_errors = row.serverErrors
                    limited = row.limited
                    p95_ms = row.p95.map { (Double($0.components.seconds) * 1_000 + Double($0.components.attoseconds) / 1e15).rounded() }
                }
            }
            struct ErrorOut: Encodable {
                let `class`: String
                let status: Int?
                let code: String
                let count: Int
            }
            let tokens: [TokenOut]
            let errors: [ErrorOut]
        }
        let output = Output(
            tokens: snapshot.tokens.map { token in
                .init(label: token.reference.label, fingerprint: token.reference.fingerprint.description, state: token.state.rawValue,
                      limit: token.limit, remaining: token.remaining, used: token.used,
                      age_seconds: token.ageSeconds.map { ($0 * 10).rounded() / 10 },
                      jobs: snapshot.jobs.filter { $0.token.fingerprint == token.reference.fingerprint }.map(Output.JobOut.init))
            },
            errors: snapshot.classes.flatMap { summary in
                summary.groups.map { .init(class: summary.statusClass.rawValue, status: $0.key.status, code: $0.key.code, count: $0.count) }
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(output), as: UTF8.self)) ?? "{}"
    }
}
