import Foundation
import ManagementAPI

enum Clock {
    /// `14:03:20` in the screen's zone (`TimeOfDay`, shared with the tap's access lines).
    static func time(_ date: Date, in zone: TimeZone = .current) -> String { TimeOfDay.text(date, in: zone) }
}
