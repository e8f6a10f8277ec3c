/**
 * A full build's id: its state machine execution's name and its records' prefix. Unique per
 * attempt (a retried change plans again, after any build still running), readable in the console.
 */
import { randomUUID } from 'node:crypto';

export function buildIdFor(correlationId: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const tag = correlationId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
  return `${stamp}-${tag}-${randomUUID().slice(0, 8)}`;
}
