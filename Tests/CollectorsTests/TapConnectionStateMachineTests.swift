import NIOHTTP1
import Testing
@testable import Collectors

/// The job connection's state machine without sockets: every event in the states where it
/// matters, and the action the handler is told to carry out.
@Suite("a tap connection, as a pure state machine")
struct TapConnectionStateMachineTests {
    final class Call {}
    typealias Machine = TapConnectionStateMachine<Call>

    static func isClose(_ action: Machine.Action) -> Bool { if case .close = action { true } else { false } }
    static func isNone(_ action: Machine.Action) -> Bool { if case .none = action { true } else { false } }

    @Test("a call: head, body, end forwards it; its answer resumes what is held; a Connection: close answer closes after it")
    func oneCall() {
        var machine = Machine()
        let call = Call()
        #expect(machine.takesHead)
        machine.receivedHead(call)
        #expect(!machine.takesHead)
        #expect(machine.receivedBody(bytes: 10).exchange === call)
        guard case .forward(let forwarded) = machine.receivedEnd() else {
            Issue.record("the end did not forward")
            return
        }
        #expect(forwarded === call)
        machine.forwarding(call)
        #expect(machine.forwarded === call)
        // Pipelined parts arrive meanwhile: the handler holds them; the machine ignores bodies.
        #expect(machine.receivedBody(bytes: 5).exchange == nil)
        guard case .resumeHeld = machine.answered() else {
            Issue.record("an answered call did not resume the held ones")
            return
        }
        #expect(machine.takesHead)
        let second = Call()
        machine.receivedHead(second)
        _ = machine.receivedEnd()
        machine.forwarding(second)
        machine.closesAfterAnswer()
        #expect(Self.isClose(machine.answered()))
        #expect(!machine.takesHead)
    }

    @Test("a refused request's rest is read and dropped up to 1 MiB, then the connection closes; its end is the call's end")
    func refusedDrain() {
        var machine = Machine()
        machine.receivedHead(Call())
        machine.refused()
        #expect(Self.isNone(machine.receivedBody(bytes: 1 << 19).action))
        #expect(Self.isClose(machine.receivedBody(bytes: (1 << 19) + 1).action))
        var ended = Machine()
        ended.receivedHead(Call())
        ended.refused()
        guard case .answered = ended.receivedEnd() else {
            Issue.record("a refused request's end is not its answer's end")
            return
        }
        #expect(Self.isClose(ended.answered()), "a refusal closes the connection")
    }

    @Test("a stopping tap: an idle or half-read connection closes at once, one with a call in flight after its answer")
    func quiesce() {
        var idle = Machine()
        #expect(Self.isClose(idle.quiesce()))
        var reading = Machine()
        reading.receivedHead(Call())
        #expect(Self.isClose(reading.quiesce()))
        var forwarding = Machine()
        let call = Call()
        forwarding.receivedHead(call)
        forwarding.forwarding(call)
        guard case .dropHeld = forwarding.quiesce() else {
            Issue.record("a call in flight was not let finish")
            return
        }
        #expect(Self.isClose(forwarding.answered()))
    }

    @Test("the client timeout: a request still arriving is a 408, an idle connection closes, a call in flight waits on its upstream")
    func idleTimeout() {
        var reading = Machine()
        let call = Call()
        reading.receivedHead(call)
        guard case .answerTimeout(let timedOut) = reading.idleTimeout() else {
            Issue.record("no 408")
            return
        }
        #expect(timedOut === call)
        var idle = Machine()
        #expect(Self.isClose(idle.idleTimeout()))
        var forwarding = Machine()
        forwarding.receivedHead(call)
        forwarding.forwarding(call)
        #expect(Self.isNone(forwarding.idleTimeout()))
        var tunnel = Machine()
        tunnel.handedOver()
        #expect(Self.isNone(tunnel.idleTimeout()), "a tunnel's own glue handles its silence")
    }

    @Test("a half-close: an idle connection with nothing held closes; a request cut short is dropped; a call in flight is answered, then the connection closes")
    func halfClose() {
        var idle = Machine()
        #expect(Self.isClose(idle.inputClosed(heldEmpty: true)))
        var holding = Machine()
        #expect(Self.isNone(holding.inputClosed(heldEmpty: false)))
        var reading = Machine()
        reading.receivedHead(Call())
        #expect(Self.isClose(reading.inputClosed(heldEmpty: true)))
        var forwarding = Machine()
        let call = Call()
        forwarding.receivedHead(call)
        forwarding.forwarding(call)
        #expect(Self.isNone(forwarding.inputClosed(heldEmpty: true)))
        guard case .resumeHeld = forwarding.answered() else {
            Issue.record("the answer did not go on")
            return
        }
        #expect(Self.isClose(forwarding.resumed(heldEmpty: true)), "nothing more can come after a half-close")
    }

    @Test("unreadable bytes: answered with a 400 naming the call when its head was read; after the call in flight when one is; a cut-off request is not answered")
    func unreadable() {
        var idle = Machine()
        guard case .answerUnreadable(nil) = idle.unreadable() else {
            Issue.record("no 400")
            return
        }
        var reading = Machine()
        let call = Call()
        reading.receivedHead(call)
        guard case .answerUnreadable(let named?) = reading.unreadable(), named === call else {
            Issue.record("the 400 does not name the call")
            return
        }
        var forwarding = Machine()
        forwarding.receivedHead(call)
        forwarding.forwarding(call)
        guard case .dropHeld = forwarding.unreadable() else {
            Issue.record("the call in flight was not let finish")
            return
        }
        #expect(Self.isClose(forwarding.answered()))
        var cut = Machine()
        cut.receivedHead(Call())
        #expect(Self.isClose(cut.cutOff()))
    }

    @Test("a CONNECT: its end is carried out; refused, the connection closes; handed over, the HTTP side ignores what comes")
    func connect() {
        var machine = Machine()
        machine.receivedHead(Call())
        machine.beganConnect()
        guard case .endConnect = machine.receivedEnd() else {
            Issue.record("the CONNECT's end was not carried out")
            return
        }
        machine.handedOver()
        #expect(Self.isNone(machine.receivedEnd()))
        #expect(Self.isNone(machine.inputClosed(heldEmpty: true)))
        var refused = Machine()
        refused.receivedHead(Call())
        refused.beganConnect()
        refused.connectRefused()
        #expect(!refused.takesHead)
        #expect(Self.isClose(refused.quiesce()))
    }

    @Test("the drain limit is exclusive: exactly 1 MiB is read, one byte more closes")
    func drainBoundary() {
        var machine = Machine()
        machine.receivedHead(Call())
        machine.refused()
        #expect(Self.isNone(machine.receivedBody(bytes: Machine.maxDrained).action))
        #expect(Self.isClose(machine.receivedBody(bytes: 1).action))
    }

    @Test("a refused or connecting connection closes on the client timeout or a half-close; every close takes no further head")
    func closesFromRefusedAndConnect() {
        for event in 0..<2 {
            var refused = Machine()
            refused.receivedHead(Call())
            refused.refused()
            #expect(Self.isClose(event == 0 ? refused.idleTimeout() : refused.inputClosed(heldEmpty: true)))
            #expect(!refused.takesHead)
            var connecting = Machine()
            connecting.receivedHead(Call())
            connecting.beganConnect()
            #expect(Self.isClose(event == 0 ? connecting.idleTimeout() : connecting.inputClosed(heldEmpty: false)))
            #expect(!connecting.takesHead, "a head read while the close waits on its write must not start a call")
        }
        var idle = Machine()
        #expect(Self.isClose(idle.idleTimeout()))
        #expect(!idle.takesHead)
    }

    @Test("a request cut off while another is in flight: the one in flight is answered, then the close; a second unreadable burst is not answered twice")
    func cutOffWhileForwarding() {
        var machine = Machine()
        let call = Call()
        machine.receivedHead(call)
        machine.forwarding(call)
        guard case .dropHeld = machine.cutOff() else {
            Issue.record("the call in flight was not let finish")
            return
        }
        #expect(Self.isClose(machine.answered()))
        #expect(Self.isClose(machine.unreadable()), "after a close was decided, no second 400")
    }

    @Test("a success cut after its head closes; a job gone mid-answer leaves the connection idle; a removed connection forgets a half-read request")
    func cutsAndRemoval() {
        var machine = Machine()
        let call = Call()
        machine.receivedHead(call)
        machine.forwarding(call)
        machine.answerCut()
        #expect(machine.closing && !machine.isForwarding)
        var gone = Machine()
        gone.receivedHead(call)
        gone.forwarding(call)
        gone.abandoned()
        #expect(gone.forwarded == nil)
        var removed = Machine()
        removed.receivedHead(call)
        removed.removed()
        #expect(removed.takesHead)
        var holding = Machine()
        holding.receivedHead(call)
        holding.forwarding(call)
        _ = holding.inputClosed(heldEmpty: false)
        _ = holding.answered()
        #expect(Self.isNone(holding.resumed(heldEmpty: false)), "held parts still to read")
    }
}
