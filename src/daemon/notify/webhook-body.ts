/**
 * @module
 * The body of a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, Discord's `/slack` endpoint):
 * `blocks` for the layout and `text` as the fallback a notification or an older client shows. Built as an object
 * and serialised with `JSON.stringify` only, so a quote, a newline or a brace in a group name can never break the
 * JSON or smuggle in fields. Values in `mrkdwn` are escaped as Slack asks (`&`, `<`, `>`), so an event can never
 * ping `<!channel>` nor forge a link.
 */
import type { Notification, NotificationSeverity } from './notification.js';

/** A Block Kit text object. */
export interface SlackText {
  readonly type: 'plain_text' | 'mrkdwn';
  readonly text: string;
  readonly emoji?: boolean;
}

/** The Block Kit blocks this body uses. */
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] };

/** What is POSTed: `text` and `blocks` (Slack's `IncomingWebhookSendArguments`, the fields used here). */
export interface SlackBody {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

// Slack's limits: a header's text 150 characters, a field's 2000, at most 10 fields in a section.
const HEADER_MAX = 150;
const FIELD_MAX = 2000;
const FIELDS_PER_SECTION = 10;
const TEXT_MAX = 3000;

const EMOJI: Record<NotificationSeverity, string> = { good: ':white_check_mark:', info: ':information_source:', warning: ':warning:', danger: ':rotating_light:' };

/**
 * The webhook body of `notification`; `origin` (which daemon: host and pid) goes into the footer.
 *
 * @example
 * JSON.stringify(slackBody(notificationOf(event)!, 'simian daemon on web-1 (pid 42)'));
 */
export function slackBody(notification: Notification, origin?: string): SlackBody {
  const { title, fields, at, severity } = notification;
  const footer = [`${new Date(at).toISOString()}`, ...(origin ? [origin] : [])].join(' · ');
  const sections: SlackBlock[] = [];
  for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION) {
    sections.push({
      type: 'section',
      fields: fields.slice(i, i + FIELDS_PER_SECTION).map((f) => ({ type: 'mrkdwn', text: truncate(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, FIELD_MAX) })),
    });
  }
  const fallback = [title, ...fields.map((f) => `${f.label}: ${f.value}`)].join('\n');
  return {
    text: truncate(escapeMrkdwn(fallback), TEXT_MAX),
    blocks: [
      // plain_text is shown as written: no escaping, so a name reads exactly as it is.
      { type: 'header', text: { type: 'plain_text', text: truncate(`${EMOJI[severity]} ${title}`, HEADER_MAX), emoji: true } },
      ...sections,
      { type: 'context', elements: [{ type: 'plain_text', text: footer }] },
    ],
  };
}

/** The POST's body: {@link slackBody} as JSON, the only way a body is ever written. */
export function slackBodyJson(notification: Notification, origin?: string): string {
  return JSON.stringify(slackBody(notification, origin));
}

/** `text` with Slack's three control characters escaped (api.slack.com "Formatting text for app surfaces"). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
