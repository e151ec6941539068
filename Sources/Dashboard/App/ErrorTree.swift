import Foundation
import ManagementAPI
import Monitor
import Screen

/// The error tree as visible rows: class → status/code group → occurrence → field errors,
/// honouring what is expanded.
struct ErrorTreeRow: Hashable {
    let id: NodeID
    let row: Tree.Row
    let occurrence: Occurrence?
    let group: GroupKey?
    let expandable: Bool
    let parent: NodeID?
}

enum ErrorTree {
    static func rows(_ state: State) -> [ErrorTreeRow] {
        var rows: [ErrorTreeRow] = []
        let glyphs = state.glyphs
        for summary in state.shown.classes {
            let classID = NodeID.statusClass(summary.statusClass)
            let classOpen = state.isExpanded(classID)
            let classHasChildren = summary.statusClass != .success || !summary.groups.isEmpty
            rows.append(ErrorTreeRow(
                id: classID,
                row: Tree.Row(depth: 0, marker: classHasChildren ? (classOpen ? .expanded : .collapsed) : .none,
                              text: summary.statusClass.title, trailing: CompactCount.text(summary.count), style: Style(role(summary.statusClass), bold: true)),
                occurrence: nil, group: nil, expandable: classHasChildren, parent: nil))
            guard classOpen else { continue }
            for group in summary.groups {
                let groupID = NodeID.group(group.key)
                let groupOpen = state.isExpanded(groupID)
                let hasOccurrences = !group.occurrences.isEmpty
                rows.append(ErrorTreeRow(
                    id: groupID,
                    row: Tree.Row(depth: 1, marker: hasOccurrences ? (groupOpen ? .expanded : .collapsed) : .none,
                                  text: group.key.title(separator: glyphs.separator), trailing: CompactCount.text(group.count),
                                  style: Style(role(summary.statusClass))),
                    occurrence: nil, group: group.key, expandable: hasOccurrences, parent: classID))
                guard groupOpen else { continue }
                for occurrence in group.occurrences {
                    let occurrenceID = NodeID.occurrence(occurrence.id)
                    let fields = occurrence.fieldErrors
                    let open = state.isExpanded(occurrenceID)
                    rows.append(ErrorTreeRow(
                        id: occurrenceID,
                        row: Tree.Row(depth: 2, marker: fields.isEmpty ? .leaf : (open ? .expanded : .collapsed),
                                      text: summaryLine(occurrence, glyphs: glyphs)),
                        occurrence: occurrence, group: group.key, expandable: !fields.isEmpty, parent: groupID))
                    guard open else { continue }
                    for (index, entry) in fields.enumerated() {
                        rows.append(ErrorTreeRow(
                            id: .field(occurrence.id, index),
                            row: Tree.Row(depth: 3, marker: .leaf, text: fieldLine(entry), style: Style(.dim)),
                            occurrence: occurrence, group: group.key, expandable: false, parent: occurrenceID))
                    }
                }
            }
        }
        return rows
    }

    static func role(_ statusClass: StatusClass) -> Role {
        switch statusClass {
        case .success: .class2xx
        case .clientError: .class4xx
        case .serverError: .class5xx
        case .transport, .unexpected: .classTransport
        }
    }

    /// `14:03:20 ingest  POST /v2/sites/Abcd1234/media/  req 8f3a…  3 fields`
    static func summaryLine(_ occurrence: Occurrence, glyphs: Glyphs) -> String {
        let record = occurrence.record
        var parts = [Clock.time(record.time), record.token.displayName, record.method + " " + record.path]
        if let id = record.rate.requestID { parts.append("req " + String(id.prefix(4)) + glyphs.ellipsis) }
        let fields = occurrence.fieldErrors.count
        if fields > 0 {
            parts.append("\(fields) field\(fields == 1 ? "" : "s")")
        } else if let entry = record.errors.first {
            parts.append(entry.description)
        }
        return parts.joined(separator: "  ")
    }

    /// `too_long  metadata.title  < 255  'A very long…'`
    static func fieldLine(_ entry: ErrorEntry) -> String {
        guard let detail = entry.detail else { return "\(entry.code)  \(entry.description)" }
        var parts = [entry.code, detail.field]
        if let constraint = detail.constraint { parts.append(constraint) }
        if let provided = detail.provided { parts.append("'\(provided)'") }
        return parts.joined(separator: "  ")
    }
}
