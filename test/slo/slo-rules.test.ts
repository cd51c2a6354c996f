import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseSloFile } from '../../src/slo/load-slo-file.js';
import type { Slo, SloSpec } from '../../src/slo/slo-spec.js';
import {
  alertErrorBudget,
  BURN_RATE_TIERS,
  goFloat,
  labelMatchers,
  renderRuleFile,
  SLI_WINDOWS,
  sloRuleFile,
  sloRuleGroups,
  type AlertingRule,
  type RecordingRule,
} from '../../src/slo/slo-rules.js';

// slok/sloth@0e395d8 examples/getting-started.yml, without its plugin chain and the `for` the plugin reads.
const GETTING_STARTED = `version: "prometheus/v1"
service: "myservice"
labels:
  owner: "myteam"
  repo: "myorg/myservice"
  tier: "2"
slos:
  # We allow failing (5xx and 429) 1 request every 1000 requests (99.9%).
  - name: "requests-availability"
    objective: 99.9
    description: "Common SLO based on availability for HTTP request responses."
    sli:
      events:
        error_query: sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
    alerting:
      name: MyServiceHighErrorRate
      labels:
        category: "availability"
      annotations:
        # Overwrite default Sloth SLO alert summmary on ticket and page alerts.
        summary: "High error rate on 'myservice' requests responses"
      page_alert:
        labels:
          severity: pageteam
          routing_key: myteam
      ticket_alert:
        labels:
          severity: "slack"
          slack_channel: "#alerts-myteam"
`;

// What sloth generates for it: examples/_gen/getting-started.yml at the same commit, less the `cmd` label its
// example script adds.
const GETTING_STARTED_RULES = `
groups:
- name: sloth-slo-sli-recordings-myservice-requests-availability
  rules:
  - record: slo:sli_error:ratio_rate5m
    expr: |
      (sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[5m])))
      /
      (sum(rate(http_request_duration_seconds_count{job="myservice"}[5m])))
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      sloth_window: 5m
      tier: "2"
  - record: slo:sli_error:ratio_rate30m
    expr: |
      (sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[30m])))
      /
      (sum(rate(http_request_duration_seconds_count{job="myservice"}[30m])))
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      sloth_window: 30m
      tier: "2"
  - record: slo:sli_error:ratio_rate1h
    expr: |
      (sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[1h])))
      /
      (sum(rate(http_request_duration_seconds_count{job="myservice"}[1h])))
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      sloth_window: 1h
      tier: "2"
  - record: slo:sli_error:ratio_rate2h
    expr: |
      (sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[2h])))
      /
      (sum(rate(http_request_duration_seconds_count{job="myservice"}[2h])))
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      sloth_window: 2h
      tier: "2"
  - record: slo:sli_error:ratio_rate6h
    expr: |
      (sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[6h])))
      /
      (sum(rate(http_request_duration_seconds_count{job="myservice"}[6h])))
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      sloth_window: 6h
      tier: "2"
  - record: slo:sli_error:ratio_rate1d
    expr: |
      (sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[1d])))
      /
      (sum(rate(http_request_duration_seconds_count{job="myservice"}[1d])))
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      sloth_window: 1d
      tier: "2"
  - record: slo:sli_error:ratio_rate3d
    expr: |
      (sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[3d])))
      /
      (sum(rate(http_request_duration_seconds_count{job="myservice"}[3d])))
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      sloth_window: 3d
      tier: "2"
  - record: slo:sli_error:ratio_rate30d
    expr: |
      sum_over_time(slo:sli_error:ratio_rate5m{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"}[30d])
      / ignoring (sloth_window)
      count_over_time(slo:sli_error:ratio_rate5m{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"}[30d])
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      sloth_window: 30d
      tier: "2"
- name: sloth-slo-meta-recordings-myservice-requests-availability
  rules:
  - record: slo:objective:ratio
    expr: vector(0.9990000000000001)
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      tier: "2"
  - record: slo:error_budget:ratio
    expr: vector(1-0.9990000000000001)
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      tier: "2"
  - record: slo:time_period:days
    expr: vector(30)
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      tier: "2"
  - record: slo:current_burn_rate:ratio
    expr: |
      slo:sli_error:ratio_rate5m{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"}
      / on(sloth_id, sloth_slo, sloth_service) group_left
      slo:error_budget:ratio{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"}
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      tier: "2"
  - record: slo:period_burn_rate:ratio
    expr: |
      slo:sli_error:ratio_rate30d{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"}
      / on(sloth_id, sloth_slo, sloth_service) group_left
      slo:error_budget:ratio{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"}
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      tier: "2"
  - record: slo:period_error_budget_remaining:ratio
    expr: 1 - slo:period_burn_rate:ratio{sloth_id="myservice-requests-availability",
      sloth_service="myservice", sloth_slo="requests-availability"}
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_service: myservice
      sloth_slo: requests-availability
      tier: "2"
  - record: sloth_slo_info
    expr: vector(1)
    labels:
      owner: myteam
      repo: myorg/myservice
      sloth_id: myservice-requests-availability
      sloth_mode: cli-gen-prom
      sloth_objective: "99.9"
      sloth_service: myservice
      sloth_slo: requests-availability
      sloth_spec: prometheus/v1
      sloth_version: dev
      tier: "2"
- name: sloth-slo-alerts-myservice-requests-availability
  rules:
  - alert: MyServiceHighErrorRate
    expr: |
      (
          max(slo:sli_error:ratio_rate5m{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (14.4 * 0.0009999999999999432)) without (sloth_window)
          and
          max(slo:sli_error:ratio_rate1h{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (14.4 * 0.0009999999999999432)) without (sloth_window)
      )
      or
      (
          max(slo:sli_error:ratio_rate30m{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (6 * 0.0009999999999999432)) without (sloth_window)
          and
          max(slo:sli_error:ratio_rate6h{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (6 * 0.0009999999999999432)) without (sloth_window)
      )
    labels:
      category: availability
      routing_key: myteam
      severity: pageteam
      sloth_severity: page
    annotations:
      summary: High error rate on 'myservice' requests responses
      title: (page) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget
        burn rate is too fast.
  - alert: MyServiceHighErrorRate
    expr: |
      (
          max(slo:sli_error:ratio_rate2h{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (3 * 0.0009999999999999432)) without (sloth_window)
          and
          max(slo:sli_error:ratio_rate1d{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (3 * 0.0009999999999999432)) without (sloth_window)
      )
      or
      (
          max(slo:sli_error:ratio_rate6h{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (1 * 0.0009999999999999432)) without (sloth_window)
          and
          max(slo:sli_error:ratio_rate3d{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (1 * 0.0009999999999999432)) without (sloth_window)
      )
    labels:
      category: availability
      severity: slack
      slack_channel: '#alerts-myteam'
      sloth_severity: ticket
    annotations:
      summary: High error rate on 'myservice' requests responses
      title: (ticket) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget
        burn rate is too fast.
`;

// slok/sloth@0e395d8 examples/no-alerts.yml: multi-line queries, 99.99%, both alerts disabled.
const NO_ALERTS = `version: "prometheus/v1"
service: "myapp"
labels:
  owner: "myteam"
slos:
  - name: "http-availability"
    objective: 99.99
    description: "Common SLO based on availability for HTTP request responses."
    sli:
      events:
        error_query: |
          sum(
            rate(http_request_duration_seconds_count{job="myapp", code=~"(5..|429)"}[{{.window}}])
          )
        total_query: |
          sum(
            rate(http_request_duration_seconds_count{job="myapp"}[{{.window}}])
          )
    alerting:
      page_alert:
        disable: true
      ticket_alert:
        disable: true
`;

// examples/_gen/no-alerts.yml, less the `cmd` label.
const NO_ALERTS_RULES = `
groups:
- name: sloth-slo-sli-recordings-myapp-http-availability
  rules:
  - record: slo:sli_error:ratio_rate5m
    expr: |
      (sum(
        rate(http_request_duration_seconds_count{job="myapp", code=~"(5..|429)"}[5m])
      )
      )
      /
      (sum(
        rate(http_request_duration_seconds_count{job="myapp"}[5m])
      )
      )
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
      sloth_window: 5m
  - record: slo:sli_error:ratio_rate30m
    expr: |
      (sum(
        rate(http_request_duration_seconds_count{job="myapp", code=~"(5..|429)"}[30m])
      )
      )
      /
      (sum(
        rate(http_request_duration_seconds_count{job="myapp"}[30m])
      )
      )
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
      sloth_window: 30m
  - record: slo:sli_error:ratio_rate1h
    expr: |
      (sum(
        rate(http_request_duration_seconds_count{job="myapp", code=~"(5..|429)"}[1h])
      )
      )
      /
      (sum(
        rate(http_request_duration_seconds_count{job="myapp"}[1h])
      )
      )
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
      sloth_window: 1h
  - record: slo:sli_error:ratio_rate2h
    expr: |
      (sum(
        rate(http_request_duration_seconds_count{job="myapp", code=~"(5..|429)"}[2h])
      )
      )
      /
      (sum(
        rate(http_request_duration_seconds_count{job="myapp"}[2h])
      )
      )
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
      sloth_window: 2h
  - record: slo:sli_error:ratio_rate6h
    expr: |
      (sum(
        rate(http_request_duration_seconds_count{job="myapp", code=~"(5..|429)"}[6h])
      )
      )
      /
      (sum(
        rate(http_request_duration_seconds_count{job="myapp"}[6h])
      )
      )
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
      sloth_window: 6h
  - record: slo:sli_error:ratio_rate1d
    expr: |
      (sum(
        rate(http_request_duration_seconds_count{job="myapp", code=~"(5..|429)"}[1d])
      )
      )
      /
      (sum(
        rate(http_request_duration_seconds_count{job="myapp"}[1d])
      )
      )
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
      sloth_window: 1d
  - record: slo:sli_error:ratio_rate3d
    expr: |
      (sum(
        rate(http_request_duration_seconds_count{job="myapp", code=~"(5..|429)"}[3d])
      )
      )
      /
      (sum(
        rate(http_request_duration_seconds_count{job="myapp"}[3d])
      )
      )
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
      sloth_window: 3d
  - record: slo:sli_error:ratio_rate30d
    expr: |
      sum_over_time(slo:sli_error:ratio_rate5m{sloth_id="myapp-http-availability", sloth_service="myapp", sloth_slo="http-availability"}[30d])
      / ignoring (sloth_window)
      count_over_time(slo:sli_error:ratio_rate5m{sloth_id="myapp-http-availability", sloth_service="myapp", sloth_slo="http-availability"}[30d])
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
      sloth_window: 30d
- name: sloth-slo-meta-recordings-myapp-http-availability
  rules:
  - record: slo:objective:ratio
    expr: vector(0.9998999999999999)
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
  - record: slo:error_budget:ratio
    expr: vector(1-0.9998999999999999)
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
  - record: slo:time_period:days
    expr: vector(30)
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
  - record: slo:current_burn_rate:ratio
    expr: |
      slo:sli_error:ratio_rate5m{sloth_id="myapp-http-availability", sloth_service="myapp", sloth_slo="http-availability"}
      / on(sloth_id, sloth_slo, sloth_service) group_left
      slo:error_budget:ratio{sloth_id="myapp-http-availability", sloth_service="myapp", sloth_slo="http-availability"}
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
  - record: slo:period_burn_rate:ratio
    expr: |
      slo:sli_error:ratio_rate30d{sloth_id="myapp-http-availability", sloth_service="myapp", sloth_slo="http-availability"}
      / on(sloth_id, sloth_slo, sloth_service) group_left
      slo:error_budget:ratio{sloth_id="myapp-http-availability", sloth_service="myapp", sloth_slo="http-availability"}
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
  - record: slo:period_error_budget_remaining:ratio
    expr: 1 - slo:period_burn_rate:ratio{sloth_id="myapp-http-availability", sloth_service="myapp",
      sloth_slo="http-availability"}
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_service: myapp
      sloth_slo: http-availability
  - record: sloth_slo_info
    expr: vector(1)
    labels:
      owner: myteam
      sloth_id: myapp-http-availability
      sloth_mode: cli-gen-prom
      sloth_objective: "99.99"
      sloth_service: myapp
      sloth_slo: http-availability
      sloth_spec: prometheus/v1
      sloth_version: dev
`;

/** What a rule file's YAML holds, for comparison: group names and rules, as parsed. */
function groupsOf(yamlText: string): unknown {
  return (parse(yamlText) as { groups: unknown }).groups;
}

const spec = (text: string): SloSpec => {
  const [only] = parseSloFile(text, 'slos.yaml');
  if (!only) throw new Error('no spec');
  return only;
};

describe('sloRuleFile matches what sloth generates', () => {
  it('for sloth\'s getting-started example: every group, rule name, expression, label and annotation', () => {
    const ours = renderRuleFile(sloRuleFile([spec(GETTING_STARTED)], { version: 'dev' }));
    expect(groupsOf(ours)).toEqual(groupsOf(GETTING_STARTED_RULES));
  });

  it('for sloth\'s no-alerts example: multi-line queries, a 99.99% objective, no alert group', () => {
    const ours = renderRuleFile(sloRuleFile([spec(NO_ALERTS)], { version: 'dev' }));
    expect(groupsOf(ours)).toEqual(groupsOf(NO_ALERTS_RULES));
  });
});

describe('rule groups', () => {
  const base = spec(GETTING_STARTED);
  const slo = base.slos[0]!;
  const withSlo = (changes: Partial<Slo>): SloSpec => ({ ...base, slos: [{ ...slo, ...changes }] });

  it('are three per SLO, named sloth-slo-{sli-recordings,meta-recordings,alerts}-<service>-<slo>', () => {
    expect(sloRuleGroups(base).map((g) => g.name)).toEqual([
      'sloth-slo-sli-recordings-myservice-requests-availability',
      'sloth-slo-meta-recordings-myservice-requests-availability',
      'sloth-slo-alerts-myservice-requests-availability',
    ]);
  });

  it('record the error ratio over every alert window and the 30d period, with sloth_window', () => {
    const [sli] = sloRuleGroups(base);
    const rules = sli!.rules as RecordingRule[];
    expect(SLI_WINDOWS).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
    expect(rules.map((r) => r.record)).toEqual([...SLI_WINDOWS, '30d'].map((w) => `slo:sli_error:ratio_rate${w}`));
    expect(rules.map((r) => r.labels['sloth_window'])).toEqual([...SLI_WINDOWS, '30d']);
    expect(rules[2]!.expr).toContain('[1h]');
    expect(rules[7]!.expr).toContain('sum_over_time(slo:sli_error:ratio_rate5m{sloth_id="myservice-requests-availability"');
  });

  it('record the meta series sloth dashboards read', () => {
    const [, meta] = sloRuleGroups(base);
    expect(meta!.rules.map((r) => (r as RecordingRule).record)).toEqual([
      'slo:objective:ratio',
      'slo:error_budget:ratio',
      'slo:time_period:days',
      'slo:current_burn_rate:ratio',
      'slo:period_burn_rate:ratio',
      'slo:period_error_budget_remaining:ratio',
      'sloth_slo_info',
    ]);
    expect((meta!.rules[6] as RecordingRule).labels).toMatchObject({ sloth_objective: '99.9', sloth_spec: 'prometheus/v1', sloth_version: 'simian' });
  });

  it('alert on the SRE workbook tiers: page at 14.4x (5m & 1h) or 6x (30m & 6h), ticket at 3x (2h & 1d) or 1x (6h & 3d)', () => {
    expect(BURN_RATE_TIERS.map((t) => [t.severity, t.shortWindow, t.longWindow, t.factor])).toEqual([
      ['page', '5m', '1h', 14.4],
      ['page', '30m', '6h', 6],
      ['ticket', '2h', '1d', 3],
      ['ticket', '6h', '3d', 1],
    ]);
    const [, , alerts] = sloRuleGroups(base);
    const [page, ticket] = alerts!.rules as AlertingRule[];
    expect(page!.labels['sloth_severity']).toBe('page');
    expect(page!.expr).toContain('max(slo:sli_error:ratio_rate5m{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (14.4 * 0.0009999999999999432)) without (sloth_window)');
    expect(page!.expr).toContain('ratio_rate6h{');
    expect(ticket!.labels['sloth_severity']).toBe('ticket');
    expect(ticket!.expr).toContain('ratio_rate3d{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (1 * 0.0009999999999999432)');
  });

  it('leave out a disabled alert, and the alert group when both are disabled', () => {
    const noTicket = withSlo({ alerting: { ...slo.alerting, ticketAlert: { ...slo.alerting.ticketAlert, disable: true } } });
    const alerts = sloRuleGroups(noTicket)[2]!.rules as AlertingRule[];
    expect(alerts.map((a) => a.labels['sloth_severity'])).toEqual(['page']);
    const none = withSlo({
      alerting: { labels: {}, annotations: {}, pageAlert: { disable: true, labels: {}, annotations: {} }, ticketAlert: { disable: true, labels: {}, annotations: {} } },
    });
    expect(sloRuleGroups(none)).toHaveLength(2);
  });

  it('wrap a raw SLI in parentheses with the window put in', () => {
    const raw = withSlo({ sli: { kind: 'raw', errorRatioQuery: '1 - avg_over_time(up[{{ .window }}])' } });
    expect((sloRuleGroups(raw)[0]!.rules[1] as RecordingRule).expr).toBe('(1 - avg_over_time(up[30m]))');
  });

  it('merge labels as sloth does: spec, then SLO; alert labels from the alerting block, then the alert', () => {
    const labelled = withSlo({ labels: { tier: '1', team: 'x' } });
    const [sli, meta, alerts] = sloRuleGroups(labelled);
    expect((sli!.rules[0] as RecordingRule).labels).toEqual({
      sloth_id: 'myservice-requests-availability',
      sloth_service: 'myservice',
      sloth_slo: 'requests-availability',
      sloth_window: '5m',
      owner: 'myteam',
      repo: 'myorg/myservice',
      tier: '1',
      team: 'x',
    });
    expect((meta!.rules[0] as RecordingRule).labels['sloth_window']).toBeUndefined();
    expect((alerts!.rules[0] as AlertingRule).labels).toEqual({ sloth_severity: 'page', category: 'availability', severity: 'pageteam', routing_key: 'myteam' });
  });
});

describe('numbers and matchers are printed as sloth (Go) prints them', () => {
  it.each([
    [0.0009999999999999432, '0.0009999999999999432'],
    [(100 - 99.99) / 100, '0.00010000000000005117'],
    [(100 - 99.999) / 100, '1.0000000000047748e-05'],
    [1e-5, '1e-05'],
    [14.4, '14.4'],
    [30, '30'],
    [999999, '999999'],
    [1234567, '1.234567e+06'],
    [0.9990000000000001, '0.9990000000000001'],
  ])('goFloat(%s) is %s', (value, text) => {
    expect(goFloat(value)).toBe(text);
  });

  it('the error budget of the alerts is (100 - objective) / 100', () => {
    expect(alertErrorBudget({ objective: 99.9 })).toBe(0.0009999999999999432);
  });

  it('matchers are sorted by label name', () => {
    expect(labelMatchers({ sloth_slo: 'b', sloth_id: 'a-b', sloth_service: 'a' })).toBe('{sloth_id="a-b", sloth_service="a", sloth_slo="b"}');
  });
});
