/** The state machine's inputs to each step, checked at the edge (a malformed one names its field). */
import * as v from 'valibot';
import { ValidationError } from '../shared/errors.js';

const buildId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,80}$/, 'expected 1–80 letters, digits, - or _'));
const PlanEvent = v.object({ buildId, correlationId: v.optional(v.pipe(v.string(), v.maxLength(200))) });
const ShardEvent = v.object({ buildId, shard: v.pipe(v.number(), v.integer(), v.minValue(0)) });
const CommitEvent = v.object({ buildId });

function parse<S extends v.GenericSchema>(schema: S, event: unknown, step: string): v.InferOutput<S> {
  const result = v.safeParse(schema, event);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const field = v.getDotPath(issue) ?? 'event';
  throw new ValidationError(field, `${step} event: ${field} ${issue.message}, got ${JSON.stringify(issue.input)?.slice(0, 80)}`);
}

export const planEvent = (event: unknown) => { const e = parse(PlanEvent, event, 'plan'); return { buildId: e.buildId, correlationId: e.correlationId ?? e.buildId }; };
export const shardEvent = (event: unknown) => parse(ShardEvent, event, 'shard');
export const commitEvent = (event: unknown) => parse(CommitEvent, event, 'commit');
