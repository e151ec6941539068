import Foundation

/// Everything that shapes a simulator run. The same configuration and seed give the same run.
public struct SimulatorConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; `onServerRunning` reports the one bound.
    public var port: Int
    public var seed: UInt64
    public var tokens: [SimulatedToken]
    /// Share of accepted calls answered with a 500, 502, 503 or 504 (0…1).
    public var faultRate: Double
    /// Service time added to every answer.
    public var latency: Duration
    /// How long a simulated 504 makes the caller wait.
    public var gatewayTimeoutDelay: Duration
    /// Requests whose body is larger are refused with a 400.
    public var maxBodyBytes: Int
    public var quotaPerMinute: Int
    public var clock: any SimulatorClock

    public init(host: String = "127.0.0.1", port: Int = 8080, seed: UInt64 = 1, tokens: [SimulatedToken] = [],
                faultRate: Double = 0, latency: Duration = .zero, gatewayTimeoutDelay: Duration = .seconds(2),
                maxBodyBytes: Int = 1 << 20, quotaPerMinute: Int = 60, clock: any SimulatorClock = SystemSimulatorClock())
    {
        self.host = host
        self.port = port
        self.seed = seed
        self.tokens = tokens
        self.faultRate = min(max(faultRate, 0), 1)
        self.latency = latency
        self.gatewayTimeoutDelay = gatewayTimeoutDelay
        self.maxBodyBytes = maxBodyBytes
        self.quotaPerMinute = quotaPerMinute
        self.clock = clock
    }
}
