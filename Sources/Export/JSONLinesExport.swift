import Wire

/// JSON Lines: the admin server's line for each call or bucket (the same fields `/v1/calls`
/// sends), with the journaled request body added; never a secret, since none is journaled.
struct JSONLinesExport: ExportWriter {
    func begin() -> String { "" }

    func write(_ event: ExportedEvent) -> String {
        WireFormat.line(event.journalEvent, withBodies: true) + "\n"
    }

    func end() -> String { "" }
}
