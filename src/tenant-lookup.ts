import type { TenantLookup } from '../flows/index.ts';
import type { Clock } from './clock.ts';
import { type TenantChoices, tenantChoices } from './tenant/options.ts';
import type { TenantService } from './tenant/tenant.service.ts';

/**
 * The flows' view of the tenant. People come from the tenant file and change only when it is
 * applied at start, so their lookups are cached briefly; admin roles and seats are always read
 * fresh (decisions are checked at the moment of the click).
 */
export function lookup(tenant: TenantService, clock: Clock): TenantLookup {
  const cached = memo(clock, 30_000);
  // The modal choices (SKUs, environments, units, roles) also come from the tenant file only:
  // read once, now, so a view submission validates against them without a database call.
  let choices: Promise<TenantChoices> | undefined;
  const loadChoices = () => {
    if (!choices) {
      choices = tenantChoices(tenant);
      choices.catch(() => {
        choices = undefined; // read again at the next call
      });
    }
    return choices;
  };
  void loadChoices();
  return {
    personBySlackId: (id) => cached(`slack:${id}`, () => tenant.personBySlackId(id)),
    personByEmail: (email) =>
      cached(`email:${email.toLowerCase()}`, () => tenant.personByEmail(email.toLowerCase())),
    reportsOf: (email) => cached(`reports:${email}`, () => tenant.reportsOf(email)),
    isGlobalAdmin: (email) => tenant.isGlobalAdmin(email),
    globalAdmins: async () => (await tenant.globalAdmins()).map((a) => a.personEmail),
    hasAccount: async (email) => !!(await tenant.accountByEmail(email.toLowerCase())),
    listSeatSummaries: () => tenant.listSeatSummaries(),
    seatSummary: (sku) => tenant.seatSummary(sku),
    setSeatCount: (actor, sku, n) => tenant.setSeatCountAs(actor, sku, n),
    choices: loadChoices,
  };
}

/** A cache of promises by key, each kept `ttlMs` milliseconds. */
function memo(clock: Clock, ttlMs: number) {
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();
  return <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const now = clock.now().getTime();
    const hit = entries.get(key);
    if (hit && now - hit.at < ttlMs) return hit.value as Promise<T>;
    // A real promise: mongoose queries are thenables that refuse to run twice.
    const value = Promise.resolve().then(load);
    entries.set(key, { at: now, value });
    value.catch(() => entries.delete(key));
    return value;
  };
}
