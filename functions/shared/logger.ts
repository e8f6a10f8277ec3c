/**
 * Structured JSON logging with the same keys as Powertools' Logger (level, message, timestamp,
 * service, correlation_id), for code that runs outside Lambda (CLI, local stack, workers).
 * Lambda handlers use Powertools' Logger itself; both satisfy the `Logger` port.
 */
import type { Logger } from './ports.js';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface JsonLogger extends Logger {
  /** A logger that adds `keys` to every line (e.g. `{ correlation_id }`). */
  child(keys: Record<string, unknown>): JsonLogger;
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, ...(value.cause ? { cause: serialise(value.cause) } : {}), stack: value.stack?.split('\n').slice(0, 6).join('\n') };
  }
  return value;
}

export function createJsonLogger(options: { service: string; level?: LogLevel; write?: (line: string) => void; keys?: Record<string, unknown> }): JsonLogger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const keys = options.keys ?? {};
  const log = (level: Exclude<LogLevel, 'silent'>) => (message: string, ...extra: Array<Record<string, unknown>>) => {
    if (LEVELS[level] < threshold) return;
    const record: Record<string, unknown> = { level: level.toUpperCase(), message, timestamp: new Date().toISOString(), service: options.service, ...keys };
    for (const e of extra) for (const [k, v] of Object.entries(e)) record[k] = serialise(v);
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'),
    child: (more) => createJsonLogger({ ...options, keys: { ...keys, ...more } }),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: JsonLogger = createJsonLogger({ service: 'silent', level: 'silent' });
