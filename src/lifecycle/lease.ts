import { randomUUID } from 'node:crypto';
import { type Connection, type Model, Schema } from 'mongoose';
import type { Clock } from '../clock.ts';

interface LeaseDoc {
  _id: string;
  owner: string;
  until: Date;
}

const leaseSchema = new Schema<LeaseDoc>(
  { _id: String, owner: String, until: Date },
  { collection: 'leases', versionKey: false },
);

/**
 * Named leases for work only one instance should do at a time (one SKU's seat queue). Taken with
 * one atomic upsert; an expired lease can be taken over, so a crashed holder blocks nobody long.
 */
export class Leases {
  readonly #model: Model<LeaseDoc>;
  readonly owner = randomUUID();

  constructor(
    connection: Connection,
    private readonly clock: Clock,
  ) {
    this.#model =
      (connection.models.Lease as Model<LeaseDoc>) ?? connection.model('Lease', leaseSchema);
  }

  /** Takes `name` for `ms` milliseconds; false when someone else holds it. */
  async acquire(name: string, ms: number): Promise<boolean> {
    const now = this.clock.now();
    try {
      await this.#model.updateOne(
        { _id: name, $or: [{ until: { $lte: now } }, { owner: this.owner }] },
        { $set: { owner: this.owner, until: new Date(now.getTime() + ms) } },
        { upsert: true },
      );
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  /** Gives `name` back so others need not wait for it to expire. */
  async release(name: string): Promise<void> {
    await this.#model.updateOne({ _id: name, owner: this.owner }, { $set: { until: new Date(0) } });
  }
}
