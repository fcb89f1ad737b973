import { describe, expect, it } from 'vitest';
import { Turns } from '../../flows/turns.ts';

describe('Turns: post-ack work one listener at a time', () => {
  it('lets `limit` holders in and queues the rest in arrival order', async () => {
    const turns = new Turns(1);
    const order: string[] = [];
    await turns.acquire();
    const second = turns.acquire().then(() => order.push('second'));
    const third = turns.acquire().then(() => order.push('third'));
    await Promise.resolve();
    expect(order).toEqual([]);
    turns.release();
    await second;
    expect(order).toEqual(['second']);
    turns.release();
    await third;
    expect(order).toEqual(['second', 'third']);
  });

  it('frees a place when released with nobody waiting', async () => {
    const turns = new Turns(2);
    await turns.acquire();
    await turns.acquire();
    turns.release();
    let got = false;
    await turns.acquire().then(() => {
      got = true;
    });
    expect(got).toBe(true);
  });
});
