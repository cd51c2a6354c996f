/**
 * @module
 * What the stack tells every instance beyond its identity: where discovery is, the token secret, the stack token,
 * the regions, where its network proxy is, and where billing keeps its ledger. It travels in the instance's launch
 * environment, never through a file.
 */
import { z } from 'zod';

/** Settings every instance of one stack shares, plus its own proxy. */
export const stackInstanceConfigSchema = z.object({
  /** Signs and verifies viewer tokens (user service, gateways). */
  tokenSecret: z.string().min(16),
  /** What the stack's mutating admin routes require (discovery's register and heartbeat, the front door's evacuate). */
  stackToken: z.string().min(32),
  /** Every region of the stack, in failover order. */
  regions: z.array(z.string()).min(1),
  /** Discovery addresses of each region (through the proxy). */
  discoveryUrls: z.record(z.string(), z.array(z.url()).min(1)),
  /** Where this instance is reached: its proxy's address; absent when the stack runs without a proxy. */
  publicAddress: z.url().optional(),
  /** The Toxiproxy-compatible API to point this instance's proxy at its port once it listens. */
  toxiproxyUrl: z.url().optional(),
  /** The name of this instance's proxy. */
  proxyName: z.string().optional(),
  /** Where billing keeps the stack's ledger, one SQLite file every region's billing shares. */
  dataDir: z.string(),
});

/** The parsed stack settings of an instance. */
export type StackInstanceConfig = z.infer<typeof stackInstanceConfigSchema>;

/** Reads an instance's stack settings; the error names the bad field. */
export function parseStackInstanceConfig(config: Readonly<Record<string, unknown>>): StackInstanceConfig {
  const parsed = stackInstanceConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`stack config: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}
