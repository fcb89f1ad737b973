import { describe, expect, it } from 'vitest';
import { seatsMessage } from '../../../flows/blocks/seats-message.ts';
import { graphSku } from './fixtures.ts';

describe('seatsMessage', () => {
  it('L4: shows per SKU its id (what seats set takes), seats, used (assigned + held), held and free', () => {
    const message = seatsMessage([
      { skuId: 'm365-e3', name: 'Microsoft 365 E3', seats: 25, assigned: 22, held: 1, free: 2 },
      {
        skuId: 'd365',
        name: 'Dynamics 365 Sales Enterprise',
        seats: 10,
        assigned: 10,
        held: 0,
        free: 0,
      },
    ]);

    expect(message).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "*Seats* (used = assigned + held by invitations)
      \`\`\`SKU id  Name                             Seats  Used  Held  Free
      m365-e3 Microsoft 365 E3                    25    23     1     2
      d365    Dynamics 365 Sales Enterprise       10    10     0     0\`\`\`",
              "type": "mrkdwn",
            },
            "type": "section",
          },
        ],
        "text": "Microsoft 365 E3 (m365-e3): 23/25 used, 1 held, 2 free
      Dynamics 365 Sales Enterprise (d365): 10/10 used, 0 held, 0 free",
      }
    `);
  });

  it('L3: with seats used outside accessdesk (graph mode) shows them, so that the figures add up', () => {
    const message = seatsMessage([
      graphSku(),
      {
        skuId: 'e3',
        name: 'Microsoft 365 E3',
        seats: 10,
        assigned: 2,
        held: 0,
        free: 8,
        external: 0,
      },
    ]);

    const table = (message.blocks[0] as { text: { text: string } }).text.text;
    expect(table).toContain('elsewhere = used outside accessdesk');
    expect(table).toContain('Seats  Used  Held Elsewhere  Free');
    expect(table).toContain(
      'd365   Dynamics 365                        40     6     1        30     4',
    );
    expect(table).toContain(
      'e3     Microsoft 365 E3                    10     2     0         0     8',
    );
    expect(message.text).toBe(
      'Dynamics 365 (d365): 6/40 used, 1 held, 30 used outside accessdesk, 4 free\n' +
        'Microsoft 365 E3 (e3): 2/10 used, 0 held, 8 free',
    );
  });

  it('says so when the tenant has no SKU', () => {
    expect(seatsMessage([]).text).toBe('The tenant has no SKU yet.');
  });
});
