/**
 * @module
 * SimianArmy's on-demand termination, `POST /v1/chaos`, as its clients send it:
 * `{"eventType": "CHAOS_TERMINATION", "groupType": "ASG", "groupName": "…", "chaosType": "ShutdownInstance"}`.
 * SimianArmy ignored its probability and caps for these; Simian still puts each one through the safety pipeline
 * (kill switch, outage check, blast radius, leash), because a game day is when an outage is most likely.
 */
import { z } from 'zod';

/** The one event type SimianArmy's resource accepts. */
export const CHAOS_TERMINATION = 'CHAOS_TERMINATION';

/** The chaos types Simian carries out, with the signal each sends; SimianArmy's default is `ShutdownInstance`. */
export const CHAOS_TYPES = { ShutdownInstance: 'SIGKILL', TerminateProcess: 'SIGTERM' } as const;

/** A parsed on-demand request. */
export interface OnDemandChaosRequest {
  readonly groupType: string;
  readonly groupName: string;
  readonly chaosType: keyof typeof CHAOS_TYPES;
}

const body = z.object({
  eventType: z.string({ error: `is required: "${CHAOS_TERMINATION}"` }).refine((t) => t === CHAOS_TERMINATION, {
    error: (issue) => `unknown event type ${JSON.stringify(issue.input)}: the only one is "${CHAOS_TERMINATION}"`,
  }),
  groupType: z.string({ error: 'is required: the kind of group (ASG, or any name: Simian groups by its provider)' }).min(1, { error: 'must not be empty' }),
  groupName: z.string({ error: 'is required: the group to hit' }).min(1, { error: 'must not be empty' }),
  chaosType: z
    .enum(Object.keys(CHAOS_TYPES) as [keyof typeof CHAOS_TYPES, ...Array<keyof typeof CHAOS_TYPES>], {
      error: (issue) => `unknown chaos type ${JSON.stringify(issue.input)}: one of ${Object.keys(CHAOS_TYPES).join(', ')}`,
    })
    .default('ShutdownInstance'),
});

/** The request in `json`, or what is wrong with it (SimianArmy answers 400 to both a missing field and a bad type). */
export function parseOnDemandChaos(json: unknown): { readonly request: OnDemandChaosRequest } | { readonly error: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { error: 'expected a JSON object with eventType, groupType, groupName and chaosType' };
  const parsed = body.safeParse(json);
  if (parsed.success) return { request: { groupType: parsed.data.groupType, groupName: parsed.data.groupName, chaosType: parsed.data.chaosType } };
  const issue = parsed.error.issues[0]!;
  return { error: `${issue.path.join('.') || 'body'}: ${issue.message}` };
}
