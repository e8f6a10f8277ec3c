/**
 * V8 settings the feed job runs with, wherever it runs: the Lambda's NODE_OPTIONS (infra), the
 * local stack's feed thread (as resource limits) and the benchmark (as flags), so the measured
 * numbers are the deployed ones. A larger young generation lets the millions of short-lived
 * strings of a feed run die in cheap scavenges instead of being promoted.
 */
export const FEED_YOUNG_GENERATION_MB = 16;
export const FEED_NODE_OPTIONS = [`--max-semi-space-size=${FEED_YOUNG_GENERATION_MB}`];
