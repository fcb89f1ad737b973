import type { TenantService } from '../tenant/tenant.service.ts';
import type { BulkPerson, BulkProvisioned } from './ports.ts';
import type { OnboardingDetails } from './request.model.ts';

/**
 * P1 of the built-in directory for a chunk of people (Directory.provisionMany): their accounts
 * with one insert, their seats with one guarded take per SKU, then each person's environment
 * steps with one bulk write per collection and environment (environments-bulk.ts).
 * Only people asking for no admin role, none holding an account already, are taken here.
 */
export async function provisionMany(
  t: TenantService,
  chunkKey: string,
  people: BulkPerson[],
  seatsOf: ReadonlySet<string>,
  expiresAt: Date,
): Promise<Map<string, BulkProvisioned>> {
  const bySku = new Map<string, BulkPerson[]>();
  for (const p of people) {
    if (p.details.adminRoles.length || !seatsOf.has(p.details.sku)) continue;
    bySku.set(p.details.sku, [...(bySku.get(p.details.sku) ?? []), p]);
  }
  // Accounts only for people holding a seat already (a run that stopped) and as many more as
  // the SKU has free seats now: the rest wait, accountless, as one at a time.
  const fit: BulkPerson[] = [];
  for (const [sku, group] of bySku) {
    const held = await t.seatsHeldFor(
      sku,
      group.map((p) => p.key),
    );
    const { free } = await t.seatSummary(sku);
    const more = group.filter((p) => !held.has(p.key)).slice(0, Math.max(free, 0));
    fit.push(...group.filter((p) => held.has(p.key) || more.includes(p)));
  }
  if (!fit.length) return new Map();
  const accounts = await t.createAccounts(
    fit.map(({ key, details }) => accountInput(key, details)),
  );
  const result = new Map<string, BulkProvisioned>();
  for (const [sku, group] of bySku) {
    const wants = group
      .filter((p) => accounts.has(p.key))
      .map((p) => ({ key: p.key, accountId: accounts.get(p.key)!._id }));
    if (!wants.length) continue;
    const seated = await t.holdSeats(sku, `${chunkKey}|${sku}`, wants, expiresAt);
    for (const { key, accountId } of wants) {
      const upn = accounts.get(key)!.upn;
      result.set(key, { accountId, upn, seated: seated.has(key), provisioned: false });
    }
  }
  // The environment steps, one bulk write per collection for each environment of the chunk.
  const byEnv = new Map<string, BulkPerson[]>();
  for (const p of fit.filter((p) => result.get(p.key)?.seated)) {
    byEnv.set(p.details.environment, [...(byEnv.get(p.details.environment) ?? []), p]);
  }
  for (const [envId, group] of byEnv) {
    const placed = await t.placeInEnvironment(
      envId,
      group.map(({ key, details: d }) => ({
        account: accounts.get(key)!,
        sku: d.sku,
        businessUnit: d.businessUnit,
        roles: d.securityRoles,
        accessMode: d.accessMode,
      })),
    );
    for (const { key } of group) {
      const done = result.get(key)!;
      done.provisioned = placed.has(done.accountId);
    }
  }
  return result;
}

/** The account a new hire's onboarding asks for, keyed by its request (T1). */
export function accountInput(key: string, d: OnboardingDetails) {
  return {
    idempotencyKey: key,
    personEmail: d.email,
    firstName: d.firstName,
    lastName: d.lastName,
    email: d.email,
    ...(d.jobTitle ? { jobTitle: d.jobTitle } : {}),
    ...(d.department ? { department: d.department } : {}),
    ...(d.office ? { office: d.office } : {}),
    ...(d.mobilePhone ? { mobilePhone: d.mobilePhone } : {}),
  };
}
