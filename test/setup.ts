import fc from 'fast-check'

// A failing property shrinks synchronously, out of reach of vitest's timeout:
// bound the whole run so a failure reports instead of hanging the suite.
fc.configureGlobal({ interruptAfterTimeLimit: 60_000, markInterruptAsFailure: true })
