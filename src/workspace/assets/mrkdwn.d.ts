/** Types for the page's mrkdwn renderer (plain JS so the browser loads it without a build). */
export function escapeHtml(text: string): string;
export function emoji(text: string): string;
export function mrkdwn(source: string, names?: (userId: string) => string | undefined): string;
export function textObject(
  obj: { type: string; text: string; emoji?: boolean } | string | null | undefined,
  names?: (userId: string) => string | undefined,
): string;
