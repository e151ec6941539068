import Journal
import ManagementAPI
import MetricsExport

extension RecorderMetrics {
    /// A recorder's metrics: its configured tokens (probed or labelled for the tap) have series
    /// from the start, and the journal's size is the writer's file on disk.
    static func recording(_ options: RecordingOptions, journal: JournalWriter) -> RecorderMetrics {
        var configured: [Fingerprint: TokenReference] = [:]
        for target in options.probes { configured[target.token.fingerprint] = target.token.reference }
        for (fingerprint, label) in options.labels where configured[fingerprint] == nil {
            configured[fingerprint] = TokenReference(fingerprint: fingerprint, label: label)
        }
        return RecorderMetrics(
            configured: configured.values.sorted { $0.displayName < $1.displayName }, journalBytes: { journal.fileSize })
    }
}
