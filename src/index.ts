export { startFake, type Fake, type LiveCounts, type StartOptions } from './server.js';
export { Clock, type Timer } from './clock.js';
export { defaultLimits, type Limits } from './limits.js';
export { validateFixtures, loadFixturesFile, FixtureError, type Fixtures } from './fixtures.js';
export { Spec, loadSpec, validateSpec, specPath, type ResponseToCheck, type ResponseCheck } from './spec.js';
export type { World, JournalEntry } from './store.js';
export { createLogger, formatText, formatJson, type LogEntry, type LogFormat, type LogSink, type RequestLogEntry, type AttachStartLogEntry, type AttachEndLogEntry } from './log.js';
