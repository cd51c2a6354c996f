/**
 * @module
 * `simian conformity` and `simian security`: the Conformity and Security Monkeys, report-only. They list findings
 * (rule id, severity, resource, owner, why) as a table or JSON and never act. Exit code 0 when no finding is of
 * high severity, 1 when one is (a CI gate) or the stack cannot be read, 2 for bad usage (an unsupported provider,
 * a bad config).
 */
import { Command, Option } from 'commander';
import { SimianError } from '../../core/errors.js';
import { defaultConfig } from '../../config/simian-config.js';
import { runAudit, type AuditRun, type AuditRunMonkey } from '../../engine/audit-run.js';
import { AUDIT_PROVIDERS, auditRules } from '../../engine/audit-sources.js';
import { hasHighSeverity } from '../../monkeys/audit/findings.js';
import type { CommandDeps, CommandFactory } from '../command-deps.js';
import { formatTable } from '../table.js';
import { addStateDirOptions, resolveCommandConfig, type StateDirOptionValues } from './config.js';

/** The code of the error that makes a run with a high-severity finding exit 1. */
export const HIGH_SEVERITY_FINDINGS = 'audit.highSeverity';

interface AuditFlags extends StateDirOptionValues {
  provider: string;
  json?: boolean;
}

/** The report for people: the findings as a table, most severe first, and which rules ran. */
export function formatAuditRun(run: AuditRun): string {
  const disabled = run.rules.disabled.length === 0 ? '' : `; turned off: ${run.rules.disabled.join(', ')}`;
  const rules = `${run.rules.evaluated.length} rules evaluated${disabled}`;
  if (run.findings.length === 0) return `${run.monkey}: no findings on ${run.provider} (${rules})\n`;
  const rows = run.findings.map((f) => [f.severity, f.rule, f.resource, f.owner ?? '-', f.why]);
  const high = run.findings.filter((f) => f.severity === 'high').length;
  return `${formatTable(['SEVERITY', 'RULE', 'RESOURCE', 'OWNER', 'WHY'], rows)}${run.monkey}: ${run.findings.length} finding(s) on ${run.provider}, ${high} of high severity (${rules})\n`;
}

/** The rules of `monkey` on every provider, for `--help`. */
export function rulesHelp(monkey: AuditRunMonkey): string {
  const config = defaultConfig(process.cwd());
  return [
    '\nRules (turn one off with audit.disabledRules in simian.yaml, docs/audit.md):',
    ...AUDIT_PROVIDERS.flatMap((provider) => [`  ${provider}:`, ...auditRules(monkey, provider, config).map((r) => `    ${r.id} (${r.severity}): ${r.description}`)]),
  ].join('\n');
}

function auditCommand(monkey: AuditRunMonkey, description: string): CommandFactory {
  return (deps: CommandDeps) => {
    const command = addStateDirOptions(
      new Command(monkey)
        .description(description)
        .addOption(new Option('--provider <name>', `the platform: ${AUDIT_PROVIDERS.join(', ')}`).makeOptionMandatory())
        .option('--json', 'print the run as JSON'),
      'the state directory of the running stack',
    ).addHelpText('after', `${rulesHelp(monkey)}\n\nExit code: 0 without a high-severity finding, 1 with one (or when the platform cannot be read), 2 for bad usage.`);
    return command.action(async (flags: AuditFlags) => {
      const config = await resolveCommandConfig(flags);
      const run = await runAudit(monkey, flags.provider, config, deps.providers, { clock: deps.clock });
      deps.writeOut(flags.json ? `${JSON.stringify(run, null, 2)}\n` : formatAuditRun(run));
      if (hasHighSeverity(run.findings)) {
        const high = run.findings.filter((f) => f.severity === 'high').length;
        throw new SimianError(HIGH_SEVERITY_FINDINGS, `${high} high-severity ${monkey} finding(s)`, { exitCode: 1 });
      }
    });
  };
}

/** `simian conformity --provider local [--json]`. */
export const conformityCommand: CommandFactory = auditCommand(
  'conformity',
  'Conformity Monkey (reports, never acts): instances without a working health check or not in discovery, services in one zone, calls without a circuit breaker or timeout, instances too old',
);

/** `simian security --provider local [--json]`. */
export const securityCommand: CommandFactory = auditCommand(
  'security',
  'Security Monkey (reports, never acts): processes listening on every interface, routes that change state without credentials, gateways without rate limits',
);
