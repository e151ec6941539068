import Foundation
import Monitor
import Screen

/// Time travel (DESIGN.md section 9): `[` `]` a minute, `{` `}` ten, `b` a moment, End back to
/// live. The state names the moment; the run loop asks the viewer for its screen and answers
/// with `.replayed`, so every figure on screen is that moment's.
enum TimeTravel {
    /// Moves by `seconds` from the moment on screen (from now while live); reaching now is live.
    static func step(_ state: inout State, by seconds: TimeInterval) {
        let base = state.replay?.base ?? state.now
        go(to: base.addingTimeInterval(seconds), now: state.now, &state)
    }

    static func live(_ state: inout State) {
        state.replay = nil
        if !state.paused { state.shown = state.latest }
        Selection.repair(&state)
    }

    /// Enter in the `b` prompt: a time expression, or the prompt says what is wrong with it.
    static func enter(_ prompt: inout PromptState, _ state: inout State) {
        do {
            let moment = try TimeExpression.parse(prompt.text, now: state.now, timeZone: state.timeZone)
            state.prompt = nil
            go(to: moment, now: state.now, &state)
        } catch {
            prompt.error = error.description
        }
    }

    static func replayed(_ replay: Replay, asked: Date, _ state: inout State) {
        guard state.replay?.moment == asked else { return }
        state.replay?.landed = replay.moment
        state.replay?.note = replay.note
        state.shown = replay.snapshot
        Selection.repair(&state)
    }

    private static func go(to moment: Date, now: Date, _ state: inout State) {
        guard moment < now else {
            live(&state)
            return
        }
        state.replay = ReplayState(moment: moment)
    }
}

/// Quitting a window whose embedded tap answered a call in the last ten minutes asks first:
/// the jobs calling through it would fail once it is gone. A signal (an SSH hang-up) never asks.
enum QuitGuard {
    static let recentCall: TimeInterval = 600
    static let question = "jobs are calling through this tap — quit? y/N"

    static func quit(_ state: inout State) {
        if let last = state.lastTapCall, state.session.viewer?.isEmbedded == true, state.now.timeIntervalSince(last) < recentCall {
            state.confirmQuit = true
            state.status = question
        } else {
            state.quit = true
        }
    }

    static func answer(_ key: Key, _ state: inout State) {
        state.confirmQuit = false
        if key == .character("y") || key == .character("Y") {
            state.quit = true
        } else {
            state.status = "still running: the tap keeps serving"
        }
    }
}
