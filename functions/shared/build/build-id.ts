/**
 * A full build's id: its state machine execution's name and its records' prefix. Unique per
 * attempt (a retried change plans again, after any build still running), readable in the console.
 */
import { randomUUID } from 'node:crypto';

export function buildIdFor(correlationId: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${buildTag(correlationId)}-${randomUUID().slice(0, 8)}`;
}

/** The part of a build id that names the change it is for: how a requester finds its build. */
export function buildTag(correlationId: string): string {
  return correlationId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
}

/** Whether build `buildId` was made for the change `correlationId`. */
export const isBuildFor = (buildId: string, correlationId: string) => buildId.slice(17, -9) === buildTag(correlationId);
