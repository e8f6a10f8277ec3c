/**
 * The instants at which pages change with time, as EventBridge Scheduler one-time schedules in a
 * group of their own: one schedule per instant, named after it (`at-<epoch ms>`), so creating one
 * twice or deleting one already gone is harmless. Each sends the instant's `Time` envelope to the
 * FIFO changes queue (never straight to the worker: runs must not interleave), deletes itself once
 * it has run (ActionAfterCompletion DELETE), and has no flexible window.
 *
 * Scheduler's precision is a minute, so a schedule fires at the start of the minute before its
 * instant and the run waits for the instant itself (RebuildWorker), landing the flip within seconds.
 */
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ListSchedulesCommand, ResourceNotFoundException, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { timeEnvelope } from '../changes/envelope.js';
import { RestaticError, isTransientAwsError } from '../errors.js';
import type { InstantSchedule } from '../ports.js';

export class ScheduleError extends RestaticError {}

export interface EventBridgeScheduleOptions {
  client: SchedulerClient;
  groupName: string;
  /** The FIFO changes queue (content-based de-duplication on: Scheduler sets no deduplication id). */
  queueArn: string;
  /** The role Scheduler assumes to send to the queue. */
  roleArn: string;
  /** The changes queue's one message group. @default 'site' */
  messageGroupId?: string;
  clock?: () => Date;
}

const PREFIX = 'at-';
const MINUTE = 60_000;

/** `at()` wants `yyyy-mm-ddThh:mm:ss` (here in UTC). */
const atExpression = (ms: number) => `at(${new Date(ms).toISOString().slice(0, 19)})`;

/** When the schedule for an instant fires: the minute before it, and never in the past. */
export function fireTime(instant: number, now: number): number {
  const early = Math.floor(instant / MINUTE) * MINUTE - MINUTE;
  return Math.max(early, Math.ceil(now / MINUTE) * MINUTE);
}

export function createEventBridgeInstantSchedule(options: EventBridgeScheduleOptions): InstantSchedule {
  const { client, groupName } = options;
  const call = async <T>(what: string, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      throw new ScheduleError(`EventBridge Scheduler ${what} in group ${groupName} failed: ${(error as Error).name} ${(error as Error).message}`, { cause: error, retryable: isTransientAwsError(error) });
    }
  };
  return {
    async sync(instants) {
      const wanted = new Set(instants.map((t) => `${PREFIX}${t}`));
      const existing = new Set<string>();
      let token: string | undefined;
      do {
        const page = await call('ListSchedules', () => client.send(new ListSchedulesCommand({ GroupName: groupName, NamePrefix: PREFIX, ...(token ? { NextToken: token } : {}) })));
        for (const s of page.Schedules ?? []) if (s.Name) existing.add(s.Name);
        token = page.NextToken;
      } while (token);
      const now = (options.clock?.() ?? new Date()).getTime();
      for (const name of wanted) {
        if (existing.has(name)) continue;
        const instant = Number(name.slice(PREFIX.length));
        const envelope = timeEnvelope(instant, `time-${instant}`, new Date(now));
        await call(`CreateSchedule ${name}`, () => client.send(new CreateScheduleCommand({
          Name: name, GroupName: groupName,
          ScheduleExpression: atExpression(fireTime(instant, now)), ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' }, ActionAfterCompletion: 'DELETE',
          Description: `Restatic: pages change at ${new Date(instant).toISOString()}`,
          Target: {
            Arn: options.queueArn, RoleArn: options.roleArn, Input: JSON.stringify(envelope),
            SqsParameters: { MessageGroupId: options.messageGroupId ?? 'site' },
            RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
          },
        }))).catch((error: unknown) => {
          // Made by an earlier attempt of this run, or by a run that raced it: the same schedule.
          if ((error as ScheduleError).cause instanceof ConflictException) return;
          throw error;
        });
      }
      for (const name of existing) {
        if (wanted.has(name)) continue;
        await call(`DeleteSchedule ${name}`, () => client.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName }))).catch((error: unknown) => {
          if ((error as ScheduleError).cause instanceof ResourceNotFoundException) return; // it ran and deleted itself
          throw error;
        });
      }
    },
  };
}
