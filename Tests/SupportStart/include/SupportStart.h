// Starts the cooperative-pool watchdog of the test process (see PoolWatchdog.swift) when the
// test bundle loads, so it covers the whole run whichever test happens to run first.
