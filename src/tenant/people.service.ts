/** People of the company (from the tenant file): lookup by Slack id or email, reporting lines. */
import { filterValue } from '../db/filter-value.ts';
import type { PersonDoc, TenantModels } from './tenant.model.ts';

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

  /** Everyone who reports to `managerEmail`, directly or indirectly (cycle-safe). */
  async reportsOf(managerEmail: string): Promise<PersonDoc[]> {
    const people = await this.list();
    const found = new Map<string, PersonDoc>();
    const queue = [managerEmail.toLowerCase()];
    while (queue.length > 0) {
      const manager = queue.shift()!;
      for (const person of people) {
        if (
          person.managerEmail === manager &&
          !found.has(person._id) &&
          person._id !== managerEmail
        ) {
          found.set(person._id, person);
          queue.push(person._id);
        }
      }
    }
    return [...found.values()];
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
