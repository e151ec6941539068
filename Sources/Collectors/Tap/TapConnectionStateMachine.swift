import NIOHTTP1

/// A job connection's protocol state as one pure value (AsyncHTTPClient's
/// `HTTP1ConnectionStateMachine` is the model): what the connection is doing, whether it
/// closes once the call in flight is answered, whether the job has stopped sending, and its
/// CONNECT's progress. Events go in; the actions that come out are all `TapProxyHandler`
/// does with them. It holds no socket, buffer or clock, so every path is tested without one
/// (`TapConnectionStateMachineTests`).
///
/// Generic over the call it carries (`TapExchange` in the tap, a marker in tests).
struct TapConnectionStateMachine<Exchange: AnyObject> {
    enum State {
        case idle
        /// The job's request, its body still arriving.
        case reading(Exchange)
        /// Answered before its request ended (a 400, a 413): the rest is read and dropped, up
        /// to `maxDrained` bytes, then the connection closes.
        case refused(drained: Int)
        /// Sent upstream, or on its way there; the answer is written back as it arrives.
        case forwarding(Exchange)
        /// A CONNECT being carried out (`connect` says how far).
        case connect
        /// Given over to a tunnel or to TLS.
        case handedOver
    }

    /// What the handler does after an event.
    enum Action {
        case none
        /// Drop the parts of pipelined calls held behind the one in flight.
        case dropHeld
        /// Drop what is held, close a tunnel's half-open far side, and close the job's
        /// connection once what was written to it has gone.
        case close
        /// Answer the request being read with a 408 (not recorded), then close.
        case answerTimeout(Exchange)
        /// Answer an unreadable request with a 400 (recorded when its head was read), then close.
        case answerUnreadable(Exchange?)
        /// Forward the request whose end came.
        case forward(Exchange)
        /// Carry out the CONNECT whose end came.
        case endConnect
        /// The refused call's rest is read: the call is over.
        case answered
        /// Go on with the calls held.
        case resumeHeld
    }

    /// Body bytes of a refused request read and dropped, so the job reads the refusal rather
    /// than a reset, before the connection closes anyway.
    static var maxDrained: Int { 1 << 20 }

    private(set) var state = State.idle
    /// Close once the call in flight is answered (the tap is stopping, the job sent what
    /// cannot be parsed, an answer said `Connection: close`), or now: every `.close` sets
    /// it, so no head is taken while the close waits for what was written.
    private(set) var closing = false
    /// The job closed its sending side: answer what it sent, then close.
    private(set) var inputClosed = false
    /// A CONNECT's progress, a pure machine of its own.
    var connect = ConnectStateMachine()

    var isForwarding: Bool {
        if case .forwarding = state { return true }
        return false
    }

    /// The call in flight, if one is.
    var forwarded: Exchange? {
        if case .forwarding(let exchange) = state { return exchange }
        return nil
    }

    // MARK: The job's request

    /// Whether a request's head starts the next call (not on a connection that is closing).
    var takesHead: Bool {
        guard case .idle = state, !closing else { return false }
        return true
    }

    /// A request's head that `takesHead` let in.
    mutating func receivedHead(_ exchange: Exchange) {
        guard takesHead else { return }
        state = .reading(exchange)
    }

    /// The head read is a CONNECT's.
    mutating func beganConnect() { state = .connect }

    /// A part of a body: the exchange to add it to, else nothing (or a close once a refused
    /// request's rest passes `maxDrained`).
    mutating func receivedBody(bytes: Int) -> (exchange: Exchange?, action: Action) {
        switch state {
        case .reading(let exchange):
            return (exchange, .none)
        case .refused(let drained):
            state = .refused(drained: drained + bytes)
            return (nil, drained + bytes > Self.maxDrained ? .close : .none)
        case .idle, .forwarding, .connect, .handedOver:
            return (nil, .none)
        }
    }

    mutating func receivedEnd() -> Action {
        switch state {
        case .reading(let exchange): .forward(exchange)
        case .refused: .answered
        case .connect: .endConnect
        case .idle, .forwarding, .handedOver: .none
        }
    }

    /// The tap answers the request being read itself, before its end; it closes after.
    mutating func refused() {
        closing = true
        state = .refused(drained: 0)
    }

    mutating func forwarding(_ exchange: Exchange) { state = .forwarding(exchange) }

    // MARK: Answers

    /// The answer in flight says the connection closes after it.
    mutating func closesAfterAnswer() { closing = true }

    /// A call is answered (or its refusal's rest read): close, or go on with what is held.
    mutating func answered() -> Action {
        state = .idle
        return closing ? .close : .resumeHeld
    }

    /// After the held calls went on: with the job's input closed and nothing left, nothing
    /// more can come (a held request the half-close cut short is never complete).
    mutating func resumed(heldEmpty: Bool) -> Action {
        guard inputClosed, heldEmpty else { return .none }
        switch state {
        case .forwarding, .connect, .handedOver: return .none
        case .idle, .reading, .refused:
            state = .idle
            closing = true
            return .close
        }
    }

    /// A success's answer broke off after its head went to the job: only closing says so.
    mutating func answerCut() {
        state = .idle
        closing = true
    }

    /// The job is gone while a success streamed to it: the call is over here.
    mutating func abandoned() { state = .idle }

    // MARK: CONNECT

    /// A CONNECT refused (in the API's error shape, written raw): the connection closes.
    mutating func connectRefused() {
        closing = true
        state = .idle
    }

    mutating func handedOver() { state = .handedOver }

    // MARK: Connection events

    /// The tap is stopping: the call in flight is answered, an unfinished request is dropped
    /// (nothing of it went upstream), and the connection closes.
    mutating func quiesce() -> Action {
        closing = true
        switch state {
        case .forwarding, .handedOver: return .dropHeld
        case .idle, .reading, .refused, .connect:
            state = .idle
            return .close
        }
    }

    /// The job sent nothing for the client timeout while the tap waited on it: a head never
    /// finished, a body that stalled, a kept-alive connection left idle. A call in flight
    /// waits on the upstream instead, under its own timeout.
    mutating func idleTimeout() -> Action {
        switch state {
        case .forwarding, .handedOver: return .none
        case .reading(let exchange): return .answerTimeout(exchange)
        case .idle, .refused, .connect:
            state = .idle
            closing = true
            return .close
        }
    }

    /// The job closed its sending side.
    mutating func inputClosed(heldEmpty: Bool) -> Action {
        inputClosed = true
        switch state {
        case .idle:
            guard heldEmpty else { return .none }
            closing = true
            return .close
        case .reading, .refused, .connect:
            // A request cut off half way is never forwarded; a job that hangs up on its
            // CONNECT wants no tunnel.
            state = .idle
            closing = true
            return .close
        case .forwarding, .handedOver: return .none
        }
    }

    /// The job closed in the middle of a request: cut off, not unreadable. Nothing of it went
    /// upstream, and there is no one to answer.
    mutating func cutOff() -> Action {
        closing = true
        if case .forwarding = state { return .dropHeld }
        state = .idle
        return .close
    }

    /// NIO's decoder could not parse what the job sent and reads nothing more: answer what
    /// was read, then close; the call in flight is answered first.
    mutating func unreadable() -> Action {
        let answeredLast = closing
        closing = true
        switch state {
        case .idle:
            // After an answer that said `Connection: close`, nobody reads a second one.
            return answeredLast ? .close : .answerUnreadable(nil)
        case .reading(let exchange):
            state = .idle
            return .answerUnreadable(exchange)
        case .refused, .connect: return .close
        case .forwarding, .handedOver: return .dropHeld
        }
    }

    /// The job's connection left the pipeline: what is left of the state is let go.
    mutating func removed() {
        switch state {
        case .reading, .connect: state = .idle
        case .idle, .refused, .forwarding, .handedOver: break
        }
    }
}
