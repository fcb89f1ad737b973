/** Small Block Kit constructors that keep every text within Slack's limits. */
import type { Block, Option, PersonRef } from './types.ts';

/** Slack's limits on the objects the builders make. */
export const LIMIT = {
  optionsPerSelect: 100,
  optionText: 75,
  optionValue: 150,
  header: 150,
  label: 2000,
  placeholder: 150,
  hint: 2000,
  sectionText: 3000,
  field: 2000,
  fieldsPerSection: 10,
  buttonText: 75,
  contextElements: 10,
  modalTitle: 24,
  messageBlocks: 50,
  homeBlocks: 100,
  privateMetadata: 3000,
} as const;

/** `text` cut to `max` characters, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Escapes the three characters mrkdwn reserves, so user input cannot mention or link. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A plain_text object. */
export function plain(text: string, max: number = LIMIT.sectionText) {
  return { type: 'plain_text' as const, text: truncate(text, max) };
}

/** A mrkdwn object. */
export function mrkdwn(text: string, max: number = LIMIT.sectionText) {
  return { type: 'mrkdwn' as const, text: truncate(text, max) };
}

/** A select option; the value is an id from the tenant file. */
export function option(text: string, value: string): Option {
  return { text: plain(text, LIMIT.optionText), value: truncate(value, LIMIT.optionValue) };
}

/** A header block. */
export function header(text: string): Block {
  return { type: 'header', text: plain(text, LIMIT.header) };
}

/** A mrkdwn section. */
export function section(text: string): Block {
  return { type: 'section', text: mrkdwn(text) };
}

/** A context block of mrkdwn lines, one element each (at most 10). */
export function context(...lines: string[]): Block {
  return {
    type: 'context',
    elements: lines.slice(0, LIMIT.contextElements).map((line) => mrkdwn(line)),
  };
}

/** A divider. */
export function divider(): Block {
  return { type: 'divider' };
}

/** A person in mrkdwn: a mention when they are in Slack, else name and email. */
export function who(person: PersonRef): string {
  return person.slackId ? `<@${person.slackId}>` : `${escapeMrkdwn(person.name)} (${person.email})`;
}

/** A person in plain words, for `text` fallbacks. */
export function whoPlain(person: PersonRef): string {
  return `${person.name} (${person.email})`;
}

/** An instant Slack shows in the reader's time zone, falling back to the ISO text. */
export function when(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  if (Number.isNaN(seconds)) return escapeMrkdwn(iso);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${iso}>`;
}

/** An instant in plain words (UTC), for `text` fallbacks. */
export function whenPlain(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
