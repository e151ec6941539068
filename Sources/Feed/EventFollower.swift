import AsyncHTTPClient
import Foundation
import Journal
import ManagementAPI
import Monitor
import NIOCore
import Wire

/// Follows a recorder's `/v1/events` for a viewer (DESIGN.md section 9): decodes each event,
/// resumes after the last id it saw (`Last-Event-ID`) when the stream drops, the recorder
/// restarts or answers something it cannot read, and retries with backoff meanwhile. What it
/// delivered stays delivered: a source that drops loses nothing already on screen.
public struct EventFollower: Sendable {
    /// How the source looks from here: the screen's own condition of a source line.
    public typealias State = SourceLine.Condition

    /// How long one connection may stream before it is renewed (resuming where it was).
    public static let streamDeadline: TimeAmount = .hours(6)

    public let base: String
    public let httpClient: HTTPClient
    /// Waits between attempts, the last one repeated: quick at first, then gentle.
    public var backoff: [Duration] = Self.defaultBackoff
    public static let defaultBackoff: [Duration] = [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10)]
    public var now: @Sendable () -> Date = { Date() }

    public init(base: String, httpClient: HTTPClient) {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.httpClient = httpClient
    }

    /// Runs until cancelled: every event after `lastEventID` (nil: from the start), in order,
    /// each once, to `deliver`; each change of state to `state`.
    public func run(
        after lastEventID: Int64?, deliver: @Sendable (JournalEvent) async -> Void, state: @Sendable (State) async -> Void
    ) async {
        var last = lastEventID
        var failures = 0
        var down: (since: Date, unreadable: Bool)?
        await state(.connecting)
        while !Task.isCancelled {
            let outcome = await follow(after: last, deliver: { event in
                last = event.seq
                await deliver(event)
            }, connected: {
                failures = 0
                down = nil
                await state(.live)
            })
            guard !Task.isCancelled else { return }
            let since = down?.since ?? now()
            switch outcome {
            case .ended(let reason):
                down = (since, false)
                await state(.unreachable(since: since, reason: reason))
            case .unreadable(let reason):
                down = (since, true)
                await state(.unreadable(since: since, reason: reason))
            }
            let wait = backoff[min(failures, backoff.count - 1)]
            failures += 1
            try? await Task.sleep(for: wait)
        }
    }

    private enum Outcome {
        case ended(String)
        case unreadable(String)
    }

    /// One connection: events until it ends or shows something unreadable.
    private func follow(
        after last: Int64?, deliver: (JournalEvent) async -> Void, connected: () async -> Void
    ) async -> Outcome {
        var request = HTTPClientRequest(url: base + "/v1/events")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let last { request.headers.add(name: "Last-Event-ID", value: String(last)) }
        let response: HTTPClientResponse
        do {
            // The deadline covers the whole stream, so it is long; a dead link is found by the
            // client's connect timeout and by its read timeout (60 s), which the recorder's
            // keep-alive comments (every 15 s) never let a live stream reach.
            response = try await httpClient.execute(request, timeout: Self.streamDeadline)
        } catch {
            return .ended(TransportFailure.classify(error).summary)
        }
        guard response.status == .ok else {
            return .unreadable("\(base) answered HTTP \(response.status.code) to /v1/events")
        }
        guard response.headers.first(name: "content-type")?.lowercased().hasPrefix("text/event-stream") == true else {
            return .unreadable("\(base) is not a mapitop recorder (it answered \(response.headers.first(name: "content-type") ?? "no content type"))")
        }
        await connected()
        var parser = ServerSentEventParser()
        do {
            for try await chunk in response.body {
                for output in try parser.feed(chunk.readableBytesView) {
                    guard case .event(let event) = output else { continue }
                    let decoded: JournalEvent
                    do {
                        decoded = try WireDecoding.event(event.data)
                    } catch {
                        return .unreadable(error.description)
                    }
                    await deliver(decoded)
                }
            }
        } catch let garbled as ServerSentEventParser.Garbled {
            return .unreadable(garbled.description)
        } catch {
            return .ended(TransportFailure.classify(error).summary)
        }
        return .ended("the stream ended")
    }
}
