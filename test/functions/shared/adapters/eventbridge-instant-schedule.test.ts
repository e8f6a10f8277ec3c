/** Time instants as EventBridge Scheduler one-time schedules (SDK mocked: no AWS account here). */
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ListSchedulesCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createEventBridgeInstantSchedule, fireTime } from '../../../../functions/shared/adapters/eventbridge-instant-schedule.js';
import type { ChangeEnvelope } from '../../../../functions/shared/changes/envelope.js';

const NOW = new Date('2026-12-01T20:00:30Z');
const SALE_END = Date.parse('2026-12-01T23:59:59.001Z');
const options = (client: SchedulerClient) => ({ client, groupName: 'restatic-prod-instants', queueArn: 'arn:aws:sqs:eu-west-1:1:changes.fifo', roleArn: 'arn:aws:iam::1:role/instants', clock: () => NOW });

describe('EventBridge instant schedule', () => {
  it('creates a one-time schedule per missing instant, a minute early, sending its Time envelope to the FIFO queue', async () => {
    // Prepare
    const mock = mockClient(SchedulerClient);
    mock.on(ListSchedulesCommand).resolves({ Schedules: [] });
    mock.on(CreateScheduleCommand).resolves({});
    // Act
    await createEventBridgeInstantSchedule(options(new SchedulerClient({}))).sync([SALE_END]);
    // Assess
    const [call] = mock.commandCalls(CreateScheduleCommand);
    const input = call!.args[0].input;
    expect(input).toMatchObject({
      Name: `at-${SALE_END}`, GroupName: 'restatic-prod-instants', ScheduleExpression: 'at(2026-12-01T23:58:00)', ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' }, ActionAfterCompletion: 'DELETE',
      Target: { Arn: 'arn:aws:sqs:eu-west-1:1:changes.fifo', RoleArn: 'arn:aws:iam::1:role/instants', SqsParameters: { MessageGroupId: 'site' } },
    });
    const envelope = JSON.parse(input.Target!.Input!) as ChangeEnvelope;
    expect(envelope).toMatchObject({ source: 'schedule', kind: 'Time', version: String(SALE_END), id: '2026-12-01T23:59:59.001Z' });
  });

  it('leaves existing schedules alone, deletes the ones no longer wanted, and takes "already exists" and "already gone" as done', async () => {
    // Prepare: one wanted and present, one stale, one wanted and created concurrently, one stale and already run
    const mock = mockClient(SchedulerClient);
    mock.on(ListSchedulesCommand).resolvesOnce({ Schedules: [{ Name: 'at-1000' }, { Name: 'at-2000' }], NextToken: 'p2' }).resolves({ Schedules: [{ Name: 'at-4000' }] });
    mock.on(CreateScheduleCommand).rejects(new ConflictException({ Message: 'exists', message: 'exists', $metadata: {} }));
    mock.on(DeleteScheduleCommand, { Name: 'at-4000' }).rejects(new ResourceNotFoundException({ Message: 'gone', message: 'gone', $metadata: {} }));
    mock.on(DeleteScheduleCommand, { Name: 'at-2000' }).resolves({});
    // Act
    await createEventBridgeInstantSchedule(options(new SchedulerClient({}))).sync([1000, 3000]);
    // Assess
    expect(mock.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input.Name)).toEqual(['at-3000']);
    expect(mock.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input.Name).sort()).toEqual(['at-2000', 'at-4000']);
  });

  it('fails retryably when Scheduler throttles, naming the schedule', async () => {
    // Prepare
    const mock = mockClient(SchedulerClient);
    mock.on(ListSchedulesCommand).resolves({ Schedules: [] });
    mock.on(CreateScheduleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } }));
    // Act
    const run = createEventBridgeInstantSchedule(options(new SchedulerClient({}))).sync([SALE_END]);
    // Assess
    await expect(run).rejects.toMatchObject({ retryable: true, message: expect.stringContaining(`CreateSchedule at-${SALE_END}`) });
  });

  it('fires the minute before an instant, and never in the past', () => {
    expect(new Date(fireTime(SALE_END, NOW.getTime())).toISOString()).toBe('2026-12-01T23:58:00.000Z');
    expect(new Date(fireTime(NOW.getTime() + 10_000, NOW.getTime())).toISOString()).toBe('2026-12-01T20:01:00.000Z');
  });
});
