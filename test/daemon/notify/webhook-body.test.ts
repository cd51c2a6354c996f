import { describe, expect, it } from 'vitest';
import { notificationOf } from '../../../src/daemon/notify/notification.js';
import { escapeMrkdwn, slackBody, slackBodyJson } from '../../../src/daemon/notify/webhook-body.js';
import { faultEvent } from '../../support/webhook-server.js';

const nasty = 'a "quoted" group\nwith <!channel> & {"text":"forged"}';

describe('slackBody', () => {
  it('has a text fallback and blocks: a header, the fields, a footer with the time and the daemon', () => {
    const body = slackBody(notificationOf(faultEvent('api'))!, 'simian daemon on web-1 (pid 42)');
    expect(body.text).toContain('chaos injected terminate on api-1');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: ':warning: chaos injected terminate on api-1', emoji: true } });
    expect(body.blocks[2]).toEqual({ type: 'context', elements: [{ type: 'plain_text', text: '2026-01-01T00:00:00.000Z · simian daemon on web-1 (pid 42)' }] });
  });

  it('carries quotes, newlines and <>& through JSON intact, and escapes them where Slack reads mrkdwn', () => {
    const json = slackBodyJson(notificationOf(faultEvent(nasty))!);
    const body = JSON.parse(json) as ReturnType<typeof slackBody>;
    expect(Object.keys(body)).toEqual(['text', 'blocks']); // nothing smuggled in beside them
    const header = body.blocks[0] as { text: { text: string } };
    expect(header.text.text).toContain(`terminate on ${nasty}-1`);
    const fields = (body.blocks[1] as unknown as { fields: { type: string; text: string }[] }).fields;
    expect(fields).toContainEqual({ type: 'mrkdwn', text: `*Scope*\n${escapeMrkdwn(nasty)}` });
    expect(body.text).toContain('&lt;!channel&gt; &amp; {"text":"forged"}');
    expect(json).not.toContain('<!channel>"');
    expect(body.text).not.toContain('<!channel>');
  });

  it('keeps to Slack limits: a long title is cut, more than ten fields take two sections', () => {
    const n = { event: 'fault' as const, at: 0, severity: 'info' as const, title: 'x'.repeat(500), fields: Array.from({ length: 12 }, (_, i) => ({ label: `f${i}`, value: 'v' })) };
    const body = slackBody(n);
    const header = body.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBe(150);
    expect(body.blocks.filter((b) => b.type === 'section').map((b) => (b as { fields?: readonly unknown[] }).fields?.length)).toEqual([10, 2]);
  });
});
