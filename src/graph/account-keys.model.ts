/** Which Entra account each request made or licensed: so a release needs no directory search. */
import type { Connection } from 'mongoose';

interface AccountKeyDoc {
  _id: string;
  accountId: string;
  upn?: string;
}

/**
 * Request key → Entra object id, written after the account is found or made. Only a shortcut:
 * the account itself carries the key (see Entra.createAccount), so a lost note is found again.
 */
export class AccountKeys {
  readonly #docs;

  constructor(connection: Connection) {
    this.#docs = connection.collection<AccountKeyDoc>('graph_account_keys');
  }

  /** Notes that request `key` made (or, for a license change, licensed) account `accountId`. */
  async remember(key: string, accountId: string, upn?: string): Promise<void> {
    await this.#docs.updateOne(
      { _id: key },
      { $set: { accountId, ...(upn ? { upn } : {}) } },
      { upsert: true },
    );
  }

  async accountIdOf(key: string): Promise<string | undefined> {
    return (await this.#docs.findOne({ _id: key }, { projection: { accountId: 1 } }))?.accountId;
  }
}
