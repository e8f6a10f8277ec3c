/**
 * The feeds function's event: each market's schedule names its market (`{ "market": "de" }`) and
 * the run writes that market's feeds; an event without one (the deploy workflow's invoke, a manual
 * `aws lambda invoke`) writes every market's.
 */
import * as v from 'valibot';
import { ValidationError } from '../shared/errors.js';
import type { Market } from '../shared/markets/markets.js';
import type { FeedTarget } from './item.js';
import { feedRunFor } from './job.js';

const FeedEvent = v.nullish(v.object({ market: v.optional(v.pipe(v.string(), v.minLength(1))) }));

/** The targets an event asks for, or a ValidationError saying what was expected and what arrived. */
export function feedEventTargets(event: unknown, targets: readonly FeedTarget[], markets: readonly Market[]): FeedTarget[] {
  const parsed = v.safeParse(FeedEvent, event);
  if (!parsed.success) throw new ValidationError('market', `expected a feeds event { "market"?: string }, got ${JSON.stringify(event)?.slice(0, 200)}`, 'feeds event');
  const market = parsed.output?.market;
  return market === undefined ? [...targets] : feedRunFor(targets, markets, market).targets;
}
