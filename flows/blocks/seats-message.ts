import { escapeMrkdwn, section, truncate } from './kit.ts';
import type { Message, SeatView } from './types.ts';

/** Column width of the SKU name in the table. */
const NAME_WIDTH = 32;

/** A right-aligned number column. */
const num = (n: number, width: number) => String(n).padStart(width);

/**
 * The reply to `/access seats`: per SKU its id, name, seats, used (assigned + held by
 * invitations, L4), held and free, as a monospaced table; with the Graph directory, also the
 * seats used outside accessdesk (so that seats = used + elsewhere + free adds up).
 */
export function seatsMessage(seats: SeatView[]): Message {
  if (seats.length === 0) {
    const text = 'The tenant has no SKU yet.';
    return { text, blocks: [section(text)] };
  }
  const elsewhere = seats.some((s) => (s.external ?? 0) > 0);
  // The id first: `/access seats set` takes it (or the name), and nothing else in Slack shows it.
  const idWidth = Math.max('SKU id'.length, ...seats.map((s) => s.skuId.length));
  const rows = seats.map((s) => {
    const name = truncate(s.name, NAME_WIDTH).padEnd(NAME_WIDTH);
    const used = s.assigned + s.held;
    const outside = elsewhere ? ` ${num(s.external ?? 0, 9)}` : '';
    return `${s.skuId.padEnd(idWidth)} ${name} ${num(s.seats, 5)} ${num(used, 5)} ${num(s.held, 5)}${outside} ${num(s.free, 5)}`;
  });
  const head = `${'SKU id'.padEnd(idWidth)} ${'Name'.padEnd(NAME_WIDTH)} ${'Seats'.padStart(5)} ${'Used'.padStart(5)} ${'Held'.padStart(5)}${elsewhere ? ` ${'Elsewhere'.padStart(9)}` : ''} ${'Free'.padStart(5)}`;
  const table = escapeMrkdwn([head, ...rows].join('\n'));
  const text = seats
    .map((s) => {
      const outside = s.external ? `, ${s.external} used outside accessdesk` : '';
      return `${s.name} (${s.skuId}): ${s.assigned + s.held}/${s.seats} used, ${s.held} held${outside}, ${s.free} free`;
    })
    .join('\n');
  const legend = elsewhere
    ? 'used = assigned + held by invitations; elsewhere = used outside accessdesk, as the directory last counted'
    : 'used = assigned + held by invitations';
  return {
    text,
    blocks: [section(`*Seats* (${legend})\n\`\`\`${table}\`\`\``)],
  };
}
