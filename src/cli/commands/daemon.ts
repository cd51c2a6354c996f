/**
 * @module
 * `simian daemon`: scheduled chaos on business days, gated by the outage check, with an API and one leader. It
 * runs until SIGINT or SIGTERM (then reverts what it injected and gives up its lease), re-reads its configuration
 * on SIGHUP or when the file changes (an invalid file is refused with its file:line: field, and the old
 * configuration stays), and narrates on standard error, one line per event.
 */
import { watch, type FSWatcher } from 'node:fs';
import { hostname } from 'node:os';
import { Command } from 'commander';
import { errorMessage } from '../../core/errors.js';
import type { SimianConfig } from '../../config/simian-config.js';
import { resolveApiToken } from '../../daemon/api-token.js';
import { startDaemon, type DaemonEvent } from '../../daemon/daemon.js';
import { electLeader } from '../../daemon/leader/elect-leader.js';
import { webhookNotifier } from '../../daemon/notify/webhook-notifier.js';
import { storePlanBook } from '../../daemon/store-plan-book.js';
import type { CommandDeps, CommandFactory } from '../command-deps.js';
import { eventLine } from '../render-events.js';
import { untilSignal } from '../signals.js';
import { addUnleashOption } from '../unleash-option.js';
import { addConfigOptions, resolveCommandConfig, type ConfigOptionValues } from './config.js';

/** How long a burst of file changes (an editor's write, rename, chmod) is waited out before one reload. */
const RELOAD_SETTLE_MS = 300;

/** The line for a daemon event, or undefined for one not worth a line. */
export function daemonLine(event: DaemonEvent): string | undefined {
  switch (event.kind) {
    case 'leader':
      return event.leading ? 'leader: this daemon leads now and acts' : `leader: this daemon stands by${event.holder ? ` (${event.holder} leads)` : ''}`;
    case 'plan':
      return `plan: ${event.entry.localTime} ${event.entry.timeZone} ${event.entry.group}: ${event.status}${event.reason ? ` (${event.reason})` : ''}`;
    case 'config':
      return event.message;
    case 'findings': {
      const { run } = event;
      const high = run.findings.filter((f) => f.severity === 'high').length;
      return `${run.monkey} on ${run.provider}: ${run.findings.length} finding(s), ${high} of high severity (${run.rules.evaluated.length} rules evaluated)`;
    }
    case 'janitor': {
      const { notice } = event;
      const owner = notice.mark.owner ? ` (owner ${notice.mark.owner})` : '';
      const detail = notice.kind === 'marked' ? `, cleaned after ${new Date(notice.mark.cleanAfter).toISOString()}` : notice.kind === 'clean-failed' ? `: ${notice.error}` : notice.kind === 'unmarked' ? `: ${notice.why}` : '';
      return `janitor on ${event.provider}: ${notice.kind} ${notice.mark.resource}${owner}${detail}`;
    }
    case 'decision': {
      const d = event.decision;
      const targets = d.outcome === 'skipped' ? '' : ` ${d.fault.targets.join(', ')}`;
      return `${event.monkey} on ${event.scope}: ${d.outcome}${targets}${d.outcome === 'skipped' ? ` (${d.reason}: ${d.detail})` : ''}`;
    }
    case 'experiment-verdict':
      return `experiment "${event.title}": ${event.verdict}${event.reason ? ` (${event.reason})` : ''}; journal ${event.journal}`;
    default:
      return eventLine(event, 'all');
  }
}

function planSummary(config: SimianConfig): string {
  const groups = config.schedule.groups.length;
  const experiments = config.schedule.experiments.length;
  return `${groups} group${groups === 1 ? '' : 's'} on the plan, ${experiments} cron experiment${experiments === 1 ? '' : 's'}`;
}

async function run(deps: CommandDeps, flags: ConfigOptionValues): Promise<void> {
  const config = await resolveCommandConfig(flags);
  const token = resolveApiToken(config.daemon);
  const say = (line: string) => deps.writeErr(`simian daemon: ${line}\n`);
  const identity = `${hostname()}/${deps.pid}`;
  const notifier = webhookNotifier(config.daemon.webhook, { clock: deps.clock, random: deps.random, origin: `simian daemon ${identity}`, log: (message) => say(`webhook: ${message}`) });
  const daemon = await startDaemon({
    config,
    providers: deps.providers,
    clock: deps.clock,
    random: deps.random,
    pid: deps.pid,
    token,
    notifier,
    elect: (onChange) => electLeader({ config, clock: deps.clock, random: deps.random, identity, onChange, onError: (error) => say(`lease: ${errorMessage(error)}`) }),
    planBook: storePlanBook,
    onEvent: (event) => {
      const line = daemonLine(event);
      if (line !== undefined) say(line);
    },
  });
  const lease = config.daemon.leader;
  say(
    `API on ${daemon.url}; ${config.safety.leashed ? 'leashed (dry runs: --unleash to act)' : 'UNLEASHED'}; ` +
      `${planSummary(config)}; one leader by ${lease.kind === 'kubernetes' ? `Lease ${lease.namespace}/${lease.name}` : `the state store's lease "${lease.name}"`} (this daemon is ${identity})`,
  );

  let settle: ReturnType<typeof setTimeout> | undefined;
  const reload = (why: string) => {
    clearTimeout(settle);
    settle = setTimeout(() => {
      resolveCommandConfig(flags)
        .then(async (next) => {
          await daemon.reload(next);
          say(`${why}: ${planSummary(next)}`);
        })
        .catch((error: unknown) => say(`${why}: the new configuration is refused, the old one stays: ${errorMessage(error)}`));
    }, RELOAD_SETTLE_MS);
  };
  const onHangUp = () => reload('SIGHUP');
  process.on('SIGHUP', onHangUp);
  let watcher: FSWatcher | undefined;
  if (config.source.file) {
    try {
      watcher = watch(config.source.file, () => reload(`${config.source.file} changed`));
    } catch (error) {
      say(`cannot watch ${config.source.file} (${errorMessage(error)}): send SIGHUP to reload`);
    }
  }
  try {
    const signal = await untilSignal(deps.signals);
    say(`${signal}: stopping; reverting what this daemon injected and giving up the lease`);
  } finally {
    process.off('SIGHUP', onHangUp);
    watcher?.close();
    clearTimeout(settle);
    await daemon.stop();
  }
  say('stopped');
}

/** The `daemon` command. */
export const daemonCommand: CommandFactory = (deps) =>
  addUnleashOption(addConfigOptions(new Command('daemon')))
    .description('Run scheduled chaos on business days (the plan of simian.yaml\'s schedule), gated by the outage check, with an HTTP API; one daemon leads and acts')
    .addHelpText(
      'after',
      [
        '',
        'The API (daemon.host:daemon.port, loopback by default) needs Authorization: Bearer <token> on every route but',
        '/healthz and /readyz; the token comes from daemon.tokenFile (owner-only) or $SIMIAN_DAEMON_TOKEN, and there is',
        'no default. Routes: GET /v1/plan, /v1/events, /v1/history, /v1/chaos; POST /v1/chaos (SimianArmy\'s body),',
        'POST /v1/kill-switch {"action":"engage"|"release"}; GET /metrics. See docs/daemon.md.',
        '',
        'Leashed unless --unleash (or leashed: false): every planned fault is then a dry run in the history.',
        'SIGHUP or a change of the config file re-reads it; SIGINT/SIGTERM stop the daemon, reverting what it injected.',
      ].join('\n'),
    )
    .action((flags: ConfigOptionValues) => run(deps, flags));
