/** People of the company (from the tenant file): lookup by Slack id or email, reporting lines. */
import { filterValue } from '../db/filter-value.ts';
import type { PersonDoc, TenantModels } from './tenant.model.ts';

/** At most this many reports (nearest first) are looked at for one manager's views. */
export const REPORTS_LIMIT = 1000;

/** A reporting line longer than this is taken for a cycle. */
const MAX_REPORTING_DEPTH = 64;

/** Reads the `people` collection. */
export class PeopleDirectory {
  constructor(private readonly m: TenantModels) {}

  /** The person with this Slack user id, if any. */
  bySlackId(slackId: string): Promise<PersonDoc | null> {
    return this.m.Person.findOne({ slackId: filterValue(slackId, 'Slack user id') })
      .setOptions({ sanitizeFilter: true })
      .lean<PersonDoc>();
  }

  /** The person with this email, if any. */
  byEmail(email: string): Promise<PersonDoc | null> {
    return this.m.Person.findById(filterValue(email, 'email').toLowerCase())
      .setOptions({ sanitizeFilter: true })
      .lean<PersonDoc>();
  }

  /** Everyone, by email. */
  list(): Promise<PersonDoc[]> {
    return this.m.Person.find().sort({ _id: 1 }).lean<PersonDoc[]>();
  }

  /**
   * Everyone who reports to `managerEmail`, directly or indirectly (cycle-safe), nearest first
   * and at most `limit`: one query per level, by the `managerEmail` index, never the whole table.
   */
  async reportsOf(managerEmail: string, limit = REPORTS_LIMIT): Promise<PersonDoc[]> {
    const me = managerEmail.toLowerCase();
    const found = new Map<string, PersonDoc>();
    let level = [me];
    while (level.length > 0 && found.size < limit) {
      const next = await this.m.Person.find({ managerEmail: { $in: level }, _id: { $ne: me } })
        .sort({ _id: 1 })
        .limit(limit - found.size + level.length)
        .lean<PersonDoc[]>();
      level = [];
      for (const person of next) {
        if (found.has(person._id) || found.size >= limit) continue;
        found.set(person._id, person);
        level.push(person._id);
      }
    }
    return [...found.values()];
  }

  /**
   * Whether `managerEmail` manages `personEmail`, directly or not: a walk up the person's
   * reporting line by `_id`, however many people report to the manager (cycle-safe).
   */
  async manages(managerEmail: string, personEmail: string): Promise<boolean> {
    const manager = managerEmail.toLowerCase();
    const seen = new Set<string>();
    let email: string | null | undefined = personEmail.toLowerCase();
    while (email && !seen.has(email) && seen.size < MAX_REPORTING_DEPTH) {
      seen.add(email);
      const person: Pick<PersonDoc, 'managerEmail'> | null = await this.m.Person.findById(email, {
        managerEmail: 1,
      }).lean<PersonDoc>();
      email = person?.managerEmail;
      if (email === manager) return true;
    }
    return false;
  }

  /** Creates or updates a person (keyed by email). */
  async upsert(person: Omit<PersonDoc, '_id'> & { email: string }): Promise<void> {
    await this.m.Person.updateOne(
      { _id: person.email },
      {
        $set: {
          firstName: person.firstName,
          lastName: person.lastName,
          slackId: person.slackId,
          managerEmail: person.managerEmail ?? null,
        },
      },
      { upsert: true },
    );
  }
}
