import { type Connection, type Model, type mongo, Schema } from 'mongoose';
import type { Clock } from '../clock.ts';
import type { GrantSource, GrantSources } from './ports.ts';

export type { GrantSource, GrantSources } from './ports.ts';

const UNLIMITED = 'unlimited';

/** The source of a role held without an end (onboarding, a role change, the tenant file). */
export const UNLIMITED_SOURCE = UNLIMITED;

const schema = new Schema<GrantSource>(
  {
    _id: String,
    subjectEmail: { type: String, required: true },
    key: { type: String, required: true },
    label: String,
    source: { type: String, required: true },
    endsAt: Date,
    gave: Boolean,
    warned: [Number],
    createdAt: Date,
  },
  { collection: 'grant_sources', versionKey: false },
);
// Whether anything else gives a key; a person's running grants by end (App Home, managers).
schema.index({ subjectEmail: 1, key: 1 });
schema.index({ subjectEmail: 1, endsAt: 1 });

const idOf = (subject: string, key: string, source: string) => `${subject}|${key}|${source}`;

/** The grant sources in MongoDB: the only file that reads or writes `grant_sources`. */
export class MongoGrantSources implements GrantSources {
  readonly model: Model<GrantSource>;
  readonly #raw: mongo.Collection<GrantSource>;

  constructor(
    connection: Connection,
    private readonly clock: Clock,
  ) {
    this.model =
      (connection.models.GrantSource as Model<GrantSource>) ??
      connection.model('GrantSource', schema);
    this.#raw = this.model.collection as unknown as mongo.Collection<GrantSource>;
  }

  async add(source: Omit<GrantSource, '_id' | 'createdAt'>): Promise<void> {
    const subjectEmail = source.subjectEmail.toLowerCase();
    const { endsAt, ...rest } = source;
    await this.#raw.updateOne(
      { _id: idOf(subjectEmail, source.key, source.source) },
      {
        $set: { endsAt },
        $setOnInsert: { ...rest, subjectEmail, createdAt: this.clock.now() },
      },
      { upsert: true },
    );
  }

  async get(subjectEmail: string, key: string, source: string) {
    return (
      (await this.#raw.findOne({ _id: idOf(subjectEmail.toLowerCase(), key, source) })) ?? undefined
    );
  }

  async othersThan(subjectEmail: string, key: string, except?: string): Promise<boolean> {
    const filter: mongo.Filter<GrantSource> = { subjectEmail: subjectEmail.toLowerCase(), key };
    if (except) filter.source = { $ne: except };
    return !!(await this.#raw.findOne(filter, { projection: { _id: 1 } }));
  }

  async remove(subjectEmail: string, key: string, source: string): Promise<void> {
    await this.#raw.deleteOne({ _id: idOf(subjectEmail.toLowerCase(), key, source) });
  }

  async claimWarning(subjectEmail: string, key: string, source: string, offset: number) {
    const _id = idOf(subjectEmail.toLowerCase(), key, source);
    const claimed = await this.#raw.updateOne(
      { _id, warned: { $ne: offset } },
      { $addToSet: { warned: offset } },
    );
    return claimed.modifiedCount === 1;
  }

  async giveBackWarning(subjectEmail: string, key: string, source: string, offset: number) {
    const _id = idOf(subjectEmail.toLowerCase(), key, source);
    await this.#raw.updateOne({ _id }, { $pull: { warned: offset } });
  }

  running(subjectEmails: string[], limit: number): Promise<GrantSource[]> {
    return this.#raw
      .find({
        subjectEmail: { $in: subjectEmails.map((e) => e.toLowerCase()) },
        endsAt: { $ne: null },
      })
      .sort({ endsAt: 1 })
      .limit(limit)
      .toArray();
  }
}
