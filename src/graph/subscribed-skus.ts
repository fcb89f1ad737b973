/** Reads of the tenant's subscriptions (`subscribedSkus`) that the Graph directory needs. */
import { type MicrosoftApi, refused } from './http.ts';

interface SubscribedSku {
  skuId: string;
  skuPartNumber?: string;
  consumedUnits?: number;
  prepaidUnits?: { enabled?: number };
}

async function subscribedSkus(graph: MicrosoftApi, step: string, select: string) {
  const res = await graph.call(step, 'GET', `/v1.0/subscribedSkus?$select=${select}`);
  if (!res.ok) throw refused(step, res);
  return (res.body?.value ?? []) as SubscribedSku[];
}

/** Licenses of the SKU Microsoft 365 can still assign: enabled prepaid units − consumed. */
export async function licensesLeft(graph: MicrosoftApi, guid: string): Promise<number> {
  const skus = await subscribedSkus(graph, 'licensesLeft', 'skuId,consumedUnits,prepaidUnits');
  return skus
    .filter((s) => s.skuId.toLowerCase() === guid)
    .reduce((left, s) => left + (s.prepaidUnits?.enabled ?? 0) - (s.consumedUnits ?? 0), 0);
}

/** Part number → Graph skuId (lower case), for SKUs the tenant file names by part number. */
export async function skuIdsByPartNumber(graph: MicrosoftApi): Promise<Map<string, string>> {
  const skus = await subscribedSkus(graph, 'subscribedSkus', 'skuId,skuPartNumber');
  return new Map(skus.map((s) => [s.skuPartNumber ?? '', s.skuId.toLowerCase()]));
}
