/** Moved to aggregator/risk/instrument-id.ts (instruments are XM-1's, shared by every capability); import it from there. */
export * from '../risk/instrument-id.ts'
