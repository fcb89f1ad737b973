/**
 * A stand-in for Microsoft Graph and one Dataverse environment, over real HTTP on loopback: the
 * users, licenses, group members, role assignments and systemusers it is told about are kept
 * as the real services keep them, with their documented answers (ObjectConflict, "already
 * exist", "no available licenses", 404). Only the requests accessdesk sends are understood.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  GROUP_ID,
  graphError,
  PP_ENVIRONMENT,
  ROOT_BU,
  SALES_BU,
  SALESPERSON,
  SKU_GUID,
} from './support.ts';

export const STAND_IN_TOKEN = 'stand-in-access-token';
const ADMIN_ENVIRONMENTS = '/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/';

interface User {
  id: string;
  userPrincipalName: string;
  accountEnabled: boolean;
  otherMails: string[];
  mark: string | undefined;
  assignedLicenses: string[];
  passwordChanges: number;
}

interface SystemUser {
  systemuserid: string;
  azureactivedirectoryobjectid: string;
  _businessunitid_value: string;
  accessmode: number;
  roles: Set<string>;
}

type Json = Record<string, unknown> | undefined;
type Reply = [number, Json];

/** Graph + Dataverse state and the HTTP server answering for them. */
export class GraphStandIn {
  readonly users = new Map<string, User>();
  readonly licenses = new Map<string, { skuPartNumber: string; prepaid: number }>();
  readonly groups = new Map<string, Set<string>>();
  readonly roleAssignments = new Map<
    string,
    { id: string; roleDefinitionId: string; principalId: string }
  >();
  readonly systemUsers = new Map<string, SystemUser>();
  readonly businessUnits: Array<{ businessunitid: string; name: string; parent: string | null }> =
    [];
  readonly roles: Array<{ roleid: string; name: string; businessunitid: string }> = [];
  /** Every request, as `METHOD path`, in order. */
  readonly log: string[] = [];
  /** T6: how many lookups a synced systemuser stays invisible for. */
  syncLag = 1;
  #pendingSync = new Map<string, { user: SystemUser; lookups: number }>();
  #server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  /** The Dataverse URL of the stand-in's one environment. */
  get dataverseUrl(): string {
    return `${this.url}/dv`;
  }

  /** A subscribed SKU with `prepaid` licenses. */
  subscribe(skuId: string, skuPartNumber: string, prepaid: number): void {
    this.licenses.set(skuId, { skuPartNumber, prepaid });
  }

  /** Licenses of `skuId` assigned to users. */
  consumed(skuId: string): number {
    let count = 0;
    for (const u of this.users.values()) if (u.assignedLicenses.includes(skuId)) count++;
    return count;
  }

  /** A user made in Entra outside accessdesk (an admin center, another tool), with licenses. */
  addUser(userPrincipalName: string, licenses: string[] = []): string {
    const user: User = {
      id: randomUUID(),
      userPrincipalName: userPrincipalName.toLowerCase(),
      accountEnabled: true,
      otherMails: [],
      mark: undefined,
      assignedLicenses: [...licenses],
      passwordChanges: 0,
    };
    this.users.set(user.id, user);
    return user.id;
  }

  /** A tenant-wide role assignment made outside accessdesk. */
  assignRole(roleDefinitionId: string, principalId: string): void {
    const id = randomUUID();
    this.roleAssignments.set(id, { id, roleDefinitionId, principalId });
  }

  /**
   * One page of a collection as Graph pages it: at most `$top` items (default 100), and an
   * absolute `@odata.nextLink` carrying an opaque `$skiptoken` while more are left.
   */
  #page(path: string, q: URLSearchParams, items: () => unknown[]): Reply {
    const top = Math.min(999, Number(q.get('$top') ?? 100));
    const from = Number(q.get('$skiptoken') ?? 0);
    const all = items();
    const value = all.slice(from, from + top);
    const next = new URLSearchParams(q);
    next.set('$skiptoken', String(from + top));
    return [
      200,
      {
        '@odata.context': `${this.url}/v1.0/$metadata#${path.split('/')[2]}`,
        value,
        ...(from + top < all.length
          ? { '@odata.nextLink': `${this.url}${path}?${next.toString().replace(/%24/g, '$')}` }
          : {}),
      },
    ];
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? JSON.parse(text) : undefined;
    this.log.push(`${req.method} ${decodeURIComponent(url.pathname)}`);
    let reply: Reply;
    if (req.headers.authorization !== `Bearer ${STAND_IN_TOKEN}`) {
      reply = [401, graphError('InvalidAuthenticationToken', 'Access token is empty or invalid.')];
    } else if (url.pathname.startsWith(ADMIN_ENVIRONMENTS)) {
      reply = this.#addUser(req.method!, url.pathname, url.searchParams, body);
    } else if (url.pathname.startsWith('/dv/api/data/v9.2/')) {
      reply = this.#dataverse(
        req.method!,
        url.pathname.slice('/dv/api/data/v9.2'.length),
        url.searchParams,
        body,
      );
    } else {
      reply = this.#graph(req.method!, decodeURIComponent(url.pathname), url.searchParams, body);
    }
    const [status, json] = reply;
    res.writeHead(status, json ? { 'content-type': 'application/json' } : {});
    res.end(json ? JSON.stringify(json) : undefined);
  }

  #graph(method: string, path: string, q: URLSearchParams, body: Json): Reply {
    const notFound: Reply = [
      404,
      graphError('Request_ResourceNotFound', `Resource '${path}' does not exist.`),
    ];
    const hit = matcher(path);
    if (method === 'GET' && path === '/v1.0/subscribedSkus') {
      const value = [...this.licenses].map(([skuId, sku]) => ({
        skuId,
        skuPartNumber: sku.skuPartNumber,
        appliesTo: 'User',
        capabilityStatus: 'Enabled',
        consumedUnits: this.consumed(skuId),
        prepaidUnits: { enabled: sku.prepaid, suspended: 0, warning: 0, lockedOut: 0 },
      }));
      return [200, { value }];
    }
    if (method === 'POST' && path === '/v1.0/users') {
      const upn = String(body!.userPrincipalName).toLowerCase();
      if ([...this.users.values()].some((u) => u.userPrincipalName === upn)) {
        return [
          400,
          graphError(
            'Request_BadRequest',
            'Another object with the same value for property userPrincipalName already exists.',
            [{ code: 'ObjectConflict', message: 'conflict', target: 'userPrincipalName' }],
          ),
        ];
      }
      const attributes = body!.onPremisesExtensionAttributes as Record<string, string> | undefined;
      const user: User = {
        id: randomUUID(),
        userPrincipalName: upn,
        accountEnabled: body!.accountEnabled === true,
        otherMails: (body!.otherMails as string[]) ?? [],
        mark: attributes?.extensionAttribute15,
        assignedLicenses: [],
        passwordChanges: 0,
      };
      this.users.set(user.id, user);
      return [201, this.#userJson(user)];
    }
    if (method === 'GET' && path === '/v1.0/users' && !q.has('$filter')) {
      const select = q.get('$select')?.split(',');
      return this.#page(path, q, () =>
        [...this.users.values()].map((u) => {
          const json: Record<string, unknown> = this.#userJson(u);
          return select ? Object.fromEntries(select.map((f) => [f, json[f]])) : json;
        }),
      );
    }
    if (method === 'GET' && hit(/^\/v1\.0\/groups\/([^/]+)\/members$/)) {
      const members = this.groups.get(hit.groups[1]!);
      if (!members) return notFound;
      return this.#page(path, q, () =>
        [...members].map((id) => ({ '@odata.type': '#microsoft.graph.user', id })),
      );
    }
    if (method === 'GET' && path === '/v1.0/users') {
      const filter = q.get('$filter') ?? '';
      const [value] = quoted(filter);
      const found = [...this.users.values()].filter((u) =>
        filter.startsWith('userPrincipalName eq')
          ? u.userPrincipalName === value
          : filter.startsWith('otherMails/any')
            ? u.otherMails.includes(value!)
            : filter.startsWith('onPremisesExtensionAttributes/extensionAttribute15')
              ? u.mark === value
              : false,
      );
      return [200, { value: found.map((u) => this.#userJson(u)) }];
    }
    if (hit(/^\/v1\.0\/users\/([^/]+)$/)) {
      const user = this.#user(hit.groups[1]!);
      if (!user) return notFound;
      if (method === 'GET') return [200, this.#userJson(user)];
      if (method === 'PATCH') {
        if (typeof body!.accountEnabled === 'boolean') user.accountEnabled = body!.accountEnabled;
        if (body!.passwordProfile) user.passwordChanges++;
        return [204, undefined];
      }
    }
    if (method === 'POST' && hit(/^\/v1\.0\/users\/([^/]+)\/assignLicense$/)) {
      const user = this.#user(hit.groups[1]!);
      if (!user) return notFound;
      for (const { skuId } of body!.addLicenses as Array<{ skuId: string }>) {
        const sku = this.licenses.get(skuId);
        if (!sku)
          return [
            400,
            graphError(
              'Request_BadRequest',
              `License ${skuId} does not correspond to a valid company License.`,
            ),
          ];
        if (user.assignedLicenses.includes(skuId)) continue;
        if (this.consumed(skuId) >= sku.prepaid) {
          return [
            400,
            graphError(
              'Request_BadRequest',
              `Subscription with SKU ${skuId} does not have any available licenses.`,
            ),
          ];
        }
        user.assignedLicenses.push(skuId);
      }
      const removed = body!.removeLicenses as string[];
      user.assignedLicenses = user.assignedLicenses.filter((s) => !removed.includes(s));
      return [200, this.#userJson(user)];
    }
    if (hit(/^\/v1\.0\/groups\/([^/]+)\/members\/\$ref$/) && method === 'POST') {
      const members = this.groups.get(hit.groups[1]!);
      const userId = String(body!['@odata.id']).split('/').pop()!;
      if (!members || !this.users.has(userId)) return notFound;
      if (members.has(userId)) {
        return [
          400,
          graphError(
            'Request_BadRequest',
            "One or more added object references already exist for the following modified properties: 'members'.",
          ),
        ];
      }
      members.add(userId);
      return [204, undefined];
    }
    if (hit(/^\/v1\.0\/groups\/([^/]+)\/members\/([^/]+)\/\$ref$/) && method === 'DELETE') {
      return this.groups.get(hit.groups[1]!)?.delete(hit.groups[2]!) ? [204, undefined] : notFound;
    }
    if (path === '/v1.0/roleManagement/directory/roleAssignments') {
      if (method === 'GET') {
        const [role, principal] = quoted(q.get('$filter') ?? '');
        const value = [...this.roleAssignments.values()]
          .filter((a) => a.roleDefinitionId === role && (!principal || a.principalId === principal))
          .map((a) => ({ ...a, directoryScopeId: '/' }));
        return [200, { value }];
      }
      if (method === 'POST') {
        const dup = [...this.roleAssignments.values()].some(
          (a) =>
            a.roleDefinitionId === body!.roleDefinitionId && a.principalId === body!.principalId,
        );
        if (dup)
          return [
            400,
            graphError(
              'Request_BadRequest',
              'A conflicting object with one or more of the specified property values is present in the directory.',
            ),
          ];
        const assignment = {
          id: randomUUID(),
          roleDefinitionId: String(body!.roleDefinitionId),
          principalId: String(body!.principalId),
        };
        this.roleAssignments.set(assignment.id, assignment);
        return [201, { ...assignment, directoryScopeId: '/' }];
      }
    }
    if (
      hit(/^\/v1\.0\/roleManagement\/directory\/roleAssignments\/([^/]+)$/) &&
      method === 'DELETE'
    ) {
      return this.roleAssignments.delete(hit.groups[1]!) ? [204, undefined] : notFound;
    }
    return [400, graphError('BadRequest', `The stand-in does not know ${method} ${path}`)];
  }

  /**
   * T6: the Power Platform admin API's "add user": the environment syncs that Entra user now.
   * Dataverse puts it in the root business unit; it becomes visible after `syncLag` lookups.
   */
  #addUser(method: string, path: string, q: URLSearchParams, body: Json): Reply {
    const environment = path.slice(ADMIN_ENVIRONMENTS.length).split('/')[0];
    if (method !== 'POST' || !path.endsWith('/addUser') || !q.get('api-version')) {
      return [404, { error: { code: 'NotFound', message: `No route for ${path}` } }];
    }
    if (environment !== PP_ENVIRONMENT) {
      return [
        404,
        { error: { code: 'EnvironmentNotFound', message: `${environment} was not found.` } },
      ];
    }
    const objectId = String(body?.ObjectId ?? '');
    if (!this.users.has(objectId)) {
      return [
        404,
        { error: { code: 'UserNotFound', message: 'The user is not in the directory.' } },
      ];
    }
    const known = [...this.systemUsers.values()].some(
      (u) => u.azureactivedirectoryobjectid === objectId,
    );
    if (!known && !this.#pendingSync.has(objectId)) {
      const root = this.businessUnits.find((u) => u.parent === null)!;
      const user = {
        systemuserid: randomUUID(),
        azureactivedirectoryobjectid: objectId,
        _businessunitid_value: root.businessunitid,
        accessmode: 0,
        roles: new Set<string>(),
      };
      this.#pendingSync.set(objectId, { user, lookups: 0 });
    }
    return [200, {}];
  }

  #dataverse(method: string, path: string, q: URLSearchParams, body: Json): Reply {
    const filter = q.get('$filter') ?? '';
    const missing: Reply = [
      404,
      { error: { code: '0x80040217', message: `${path} Does Not Exist` } },
    ];
    const hit = matcher(path);
    if (path === '/systemusers' && method === 'GET') {
      const objectId = filter.split(' eq ')[1];
      const pending = this.#pendingSync.get(objectId!);
      if (pending && ++pending.lookups > this.syncLag) {
        this.systemUsers.set(pending.user.systemuserid, pending.user);
        this.#pendingSync.delete(objectId!);
      }
      const value = [...this.systemUsers.values()]
        .filter((u) => u.azureactivedirectoryobjectid === objectId)
        .map(({ roles: _roles, ...u }) => u);
      return [200, { value }];
    }
    if (hit(/^\/systemusers\(([^)]+)\)$/) && method === 'PATCH') {
      const user = this.systemUsers.get(hit.groups[1]!);
      if (!user) return missing;
      const bind = body!['businessunitid@odata.bind'];
      if (typeof bind === 'string') {
        user._businessunitid_value = bind.match(/\(([^)]+)\)/)![1]!;
        user.roles.clear(); // moving to another unit removes the user's roles
      }
      if (typeof body!.accessmode === 'number') user.accessmode = body!.accessmode;
      return [204, undefined];
    }
    if (hit(/^\/systemusers\(([^)]+)\)\/systemuserroles_association(?:\(([^)]+)\))?(\/\$ref)?$/)) {
      const user = this.systemUsers.get(hit.groups[1]!);
      if (!user) return missing;
      if (method === 'GET') {
        // `$select=name` with a filter on names and unit: a grant's read of what is held.
        if (!filter) return [200, { value: [...user.roles].map((roleid) => ({ roleid })) }];
        const named = quoted(filter);
        const unit = filter.match(/_businessunitid_value eq ([0-9a-f-]+)/)?.[1];
        const value = this.roles
          .filter((r) => user.roles.has(r.roleid) && r.businessunitid === unit)
          .filter((r) => named.includes(r.name))
          .map(({ name }) => ({ name }));
        return [200, { value }];
      }
      if (method === 'POST') {
        const roleId = String(body!['@odata.id']).match(/roles\(([^)]+)\)/)![1]!;
        user.roles.add(roleId);
        return [204, undefined];
      }
      if (method === 'DELETE')
        return user.roles.delete(hit.groups[2]!) ? [204, undefined] : missing;
    }
    if (path === '/businessunits' && method === 'GET') {
      const value = this.businessUnits
        .filter((u) =>
          filter.includes('_parentbusinessunitid_value eq null')
            ? u.parent === null
            : u.name === quoted(filter)[0],
        )
        .map((u) => ({ businessunitid: u.businessunitid, name: u.name }));
      return [200, { value }];
    }
    if (path === '/roles' && method === 'GET') {
      const unit = filter.match(/_businessunitid_value eq ([0-9a-f-]+)/)?.[1];
      const names = quoted(filter);
      const value = this.roles
        .filter((r) => r.businessunitid === unit && names.includes(r.name))
        .map(({ roleid, name }) => ({ roleid, name }));
      return [200, { value }];
    }
    return [
      400,
      { error: { code: '0x80060888', message: `The stand-in does not know ${method} ${path}` } },
    ];
  }

  #user(idOrUpn: string): User | undefined {
    return (
      this.users.get(idOrUpn) ??
      [...this.users.values()].find((u) => u.userPrincipalName === idOrUpn.toLowerCase())
    );
  }

  #userJson(u: User) {
    return {
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      accountEnabled: u.accountEnabled,
      otherMails: u.otherMails,
      onPremisesExtensionAttributes: { extensionAttribute15: u.mark ?? null },
      assignedLicenses: u.assignedLicenses.map((skuId) => ({ disabledPlans: [], skuId })),
    };
  }
}

/** Graph and Dataverse as the sales tenant file describes them, before anyone joins. */
export async function salesStandIn(licenses = 3): Promise<GraphStandIn> {
  const s = await new GraphStandIn().start();
  s.subscribe(SKU_GUID, 'DYN365_ENTERPRISE_SALES', licenses);
  s.groups.set(GROUP_ID, new Set());
  s.businessUnits.push(
    { businessunitid: ROOT_BU, name: 'Contoso', parent: null },
    { businessunitid: SALES_BU, name: 'Sales', parent: ROOT_BU },
  );
  s.roles.push({ roleid: SALESPERSON, name: 'Salesperson', businessunitid: SALES_BU });
  return s;
}

/** `hit(re)` tells whether `path` matches; `hit.groups` then holds the match. */
function matcher(path: string) {
  const hit = (re: RegExp) => {
    hit.groups = path.match(re) ?? [];
    return hit.groups.length > 0;
  };
  hit.groups = [] as string[];
  return hit;
}

/** The OData string literals of a filter, in order ('' quotes undone). */
function quoted(filter: string): string[] {
  return [...filter.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'"));
}
