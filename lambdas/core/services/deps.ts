// Moved to lambdas/core/deps.ts (issue 19: pipeline and services share the ports without importing each other).
// This re-export keeps branches in flight compiling; new code imports '../deps.js'.
export * from '../deps.js';
