#include "SupportStart.h"

// Defined in Swift (TestSupport's PoolWatchdog.swift) with @_cdecl.
extern void mapitop_test_watchdog_start(void);

__attribute__((constructor)) static void startWatchdog(void) { mapitop_test_watchdog_start(); }
