import Foundation
import ManagementAPI
import Monitor
import Screen

/// The only place state changes: one message in, the next state out, with the effects it
/// asks the run loop for.
public func update(_ state: State, _ message: Message) -> Updated {
    var state = state
    var effects: [Effect] = []
    switch message {
    case .tick(let now):
        state.now = now
    case .snapshot(let snapshot):
        state.latest = snapshot
        // In the past the screen keeps its moment; live data keeps arriving underneath.
        if !state.paused, state.replay == nil { state.shown = snapshot }
        state.now = snapshot.time
        Selection.repair(&state)
    case .replayed(let replay, let asked):
        TimeTravel.replayed(replay, asked: asked, &state)
    case .sources(let lines, let lastTapCall, let mode):
        state.sources = lines
        state.lastTapCall = lastTapCall
        if let mode { state.session.viewer = mode }
    case .resize(let size):
        state.size = size
    case .stop:
        state.quit = true
    case .themeFailed(let name, let reason, let current):
        ThemeCycle.failed(name, reason: reason, current: current, &state)
    case .copied(let note):
        state.status = StatusText.oneLine(note)
    case .key(let key):
        // A notice stays until the user does something.
        state.status = nil
        if state.confirmQuit {
            QuitGuard.answer(key, &state)
        } else if state.prompt != nil {
            PromptKeys.handle(key, &state)
        } else if state.showHelp {
            // Any key closes the help; q still quits.
            state.showHelp = false
            if KeyMap.command(for: key) == .quit { QuitGuard.quit(&state) }
        } else {
            Keys.handle(key, &state, &effects)
        }
    }
    // A tick moves only the clock; everything else may move a selection or a pane's height.
    if case .tick = message { return Updated(state: state, effects: effects) }
    Scrolling.keepSelectionVisible(&state)
    return Updated(state: state, effects: effects)
}

/// Runs the command the key map binds to a key (`KeyMap`).
enum Keys {
    static func handle(_ key: Key, _ state: inout State, _ effects: inout [Effect]) {
        guard let command = KeyMap.command(for: key) else { return }
        perform(command, &state, &effects)
    }

    static func perform(_ command: Command, _ state: inout State, _ effects: inout [Effect]) {
        switch command {
        case .quit: QuitGuard.quit(&state)
        case .move(let delta): Selection.move(&state, by: delta)
        case .page(let delta): Scrolling.page(&state, by: delta)
        case .first: Selection.move(&state, by: -Int.max / 2)
        case .last: Selection.move(&state, by: Int.max / 2)
        case .liveOrLast: if state.replay != nil { TimeTravel.live(&state) } else { Selection.move(&state, by: Int.max / 2) }
        case .step(let seconds): TimeTravel.step(&state, by: seconds)
        case .goTo:
            state.prompt = PromptState()
            state.promptPurpose = .time
        case .switchPane:
            state.focus = state.focus == .tokens ? .errors : .tokens
            Selection.repair(&state)
        case .expand: Selection.expand(&state)
        case .collapse: Selection.collapse(&state)
        case .filter:
            var prompt = PromptState(text: state.filter.isEmpty ? "" : state.filter.description, history: state.promptHistory)
            prompt.moveEnd()
            state.prompt = prompt
            state.promptPurpose = .filter
        case .clearFilter: state.filter = .empty
        case .filterByToken: QuickFilter.byToken(&state)
        case .filterByCode: QuickFilter.byCode(&state)
        case .pause:
            state.paused.toggle()
            if !state.paused { state.shown = state.latest }
            Selection.repair(&state)
        case .sort: LowerPane.sort(&state)
        case .show(let view): LowerPane.show(view, &state)
        case .theme:
            state.themeIndex = (state.themeIndex + 1) % state.themes.count
            effects.append(.applyTheme(state.themeName))
        case .copy: if let record = CopyCall.request(&state) { effects.append(.copyAsCurl(record)) }
        case .redraw: effects.append(.repaintAll)
        case .help: state.showHelp = true
        }
    }
}

/// `T` cycles the themes; one that fails to load leaves the cycle and the screen keeps
/// the theme it had.
enum ThemeCycle {
    static func failed(_ name: String, reason: String, current: String?, _ state: inout State) {
        state.status = StatusText.themeFailed(name: name, reason: reason)
        // Nothing applied yet: the terminal keeps the theme it started with, and the loop
        // will not retry; the name stays so the header and `T` still make sense.
        guard let current, current != name, state.themes.contains(current) else { return }
        // Out of the cycle, so the next `T` moves past it instead of failing again.
        state.themes.removeAll { $0 == name }
        state.themeIndex = state.themes.firstIndex(of: current) ?? 0
    }
}

/// Keys while the filter prompt is open.
enum PromptKeys {
    static func handle(_ key: Key, _ state: inout State) {
        guard var prompt = state.prompt else { return }
        switch key {
        case .escape, .control("c"):
            state.prompt = nil
            return
        case .enter where state.promptPurpose == .time:
            TimeTravel.enter(&prompt, &state)
            if state.prompt == nil { return }
        case .enter:
            do {
                let filter = try Filter(parsing: prompt.text)
                prompt.commit()
                state.promptHistory = prompt.history
                state.filter = filter
                state.prompt = nil
                state.selectedNode = nil
                return
            } catch {
                // The previous filter stays; the prompt says what is wrong.
                prompt.error = error.description
            }
        case .backspace: prompt.backspace()
        case .delete: prompt.deleteForward()
        case .left: prompt.moveLeft()
        case .right: prompt.moveRight()
        case .home, .control("a"): prompt.moveHome()
        case .end, .control("e"): prompt.moveEnd()
        case .up: prompt.historyBack()
        case .down: prompt.historyForward()
        case .character(let character): prompt.insert(character)
        default: break
        }
        state.prompt = prompt
    }
}

/// `t` and `c`: filter by the selected token or code (again to clear).
enum QuickFilter {
    static func byToken(_ state: inout State) {
        let reference: TokenReference?
        switch state.focus {
        case .tokens: reference = state.sortedTokens.first { $0.reference.fingerprint == state.selectedToken }?.reference
        case .errors where state.lowerView == .jobs: reference = LowerPane.selectedJob(state)?.token
        // A route's calls come from every token: no one token to filter by.
        case .errors where state.lowerView == .routes: reference = nil
        case .errors: reference = Selection.selectedRow(state)?.occurrence?.record.token
        }
        guard let reference else { return }
        let value = reference.label ?? reference.fingerprint.description
        apply(.token, value, &state)
    }

    static func byCode(_ state: inout State) {
        guard state.focus == .errors, state.lowerView == .errors, let row = Selection.selectedRow(state) else { return }
        let code: String?
        if case .field(_, let index) = row.id {
            code = row.occurrence?.fieldErrors[index].code
        } else {
            code = row.group?.code
        }
        guard let code, !code.isEmpty else { return }
        apply(.code, code, &state)
    }

    static func apply(_ key: Filter.Key, _ value: String, _ state: inout State) {
        let filter: Filter
        do {
            filter = try Filter(parsing: key.rawValue + ":" + Filter.quoted(value, key: key))
        } catch {
            // A code the API sent that the filter language cannot name: said, not ignored.
            state.status = StatusText.oneLine("cannot filter by \(key.rawValue) \(value): \(error.message)")
            return
        }
        state.filter = state.filter == filter ? .empty : filter
    }
}

/// Selection in either pane, kept on a stable identity across snapshots.
enum Selection {
    static func selectedRow(_ state: State) -> ErrorTreeRow? {
        let rows = ErrorTree.rows(state)
        return rows.first { $0.id == state.selectedNode } ?? rows.first
    }

    static func move(_ state: inout State, by delta: Int) {
        switch state.focus {
        case .tokens:
            let tokens = state.sortedTokens
            guard !tokens.isEmpty else { return }
            let current = tokens.firstIndex { $0.reference.fingerprint == state.selectedToken } ?? 0
            let next = min(max(0, current.addingReportingOverflow(delta).partialValue), tokens.count - 1)
            state.selectedToken = tokens[next].reference.fingerprint
        case .errors where state.lowerView != .errors:
            LowerPane.move(&state, by: delta)
        case .errors:
            let rows = ErrorTree.rows(state)
            guard !rows.isEmpty else { return }
            let current = rows.firstIndex { $0.id == state.selectedNode } ?? 0
            let next = min(max(0, current.addingReportingOverflow(delta).partialValue), rows.count - 1)
            state.selectedNode = rows[next].id
        }
    }

    static func expand(_ state: inout State) {
        if state.focus == .tokens {
            // Enter on a token shows its errors.
            QuickFilter.byToken(&state)
            state.focus = .errors
            return
        }
        if state.lowerView != .errors {
            LowerPane.filterBySelected(&state)
            return
        }
        guard let row = selectedRow(state), row.expandable, !state.isExpanded(row.id) else { return }
        toggle(row.id, &state)
    }

    static func collapse(_ state: inout State) {
        guard state.focus == .errors, let row = selectedRow(state) else { return }
        if row.expandable, state.isExpanded(row.id) {
            toggle(row.id, &state)
        } else if let parent = row.parent {
            // On a closed or leaf row, '-' steps out to the parent, as file trees do.
            state.selectedNode = parent
        }
    }

    private static func toggle(_ id: NodeID, _ state: inout State) {
        if state.toggled.contains(id) { state.toggled.remove(id) } else { state.toggled.insert(id) }
    }

    /// Keeps the selection on something that exists; falls back to the first row.
    static func repair(_ state: inout State) {
        let tokens = state.sortedTokens
        if !tokens.contains(where: { $0.reference.fingerprint == state.selectedToken }) {
            state.selectedToken = tokens.first?.reference.fingerprint
        }
        let rows = ErrorTree.rows(state)
        if !rows.contains(where: { $0.id == state.selectedNode }) { state.selectedNode = rows.first?.id }
        LowerPane.repair(&state)
    }
}

/// `y`: copy the selected call (an occurrence, or one of its field rows) as a curl command.
enum CopyCall {
    /// The selected call, or nil with a status saying how to select one.
    static func request(_ state: inout State) -> CallRecord? {
        guard state.focus == .errors, let occurrence = Selection.selectedRow(state)?.occurrence else {
            state.status = "y copies a call as curl: select one in the errors pane (Tab, then Enter to open a group)"
            return nil
        }
        return occurrence.record
    }
}
