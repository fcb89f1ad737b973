import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/lifecycle/ports.ts';
import { submitGrant } from '../../src/lifecycle/submit.ts';
import { parseTenantConfig } from '../../src/tenant/tenant-file.ts';
import { type DirectoryMethod, interceptDirectory } from '../lifecycle/directories.ts';
import { buildSystem, resetDatabase } from '../lifecycle/support.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  DATAVERSE,
  DV,
  GRAPH,
  graphDirectoryOver,
  graphTenantYaml,
  SALES_BU,
  SALESPERSON,
  SYSTEMUSER_ID,
  USER_ID,
  useNock,
} from './support.ts';

const db = useTestDatabase('graph/grant-roles');
useNock();

const ADA = 'ada@contoso.example';
const GRACE = 'grace@contoso.example';
const HOUR = 3_600_000;
const LEASE_MS = 60_000;
const SALES_MANAGER = '00000000-0000-4000-8000-0000000000c2';
const ROLES: Record<string, string> = {
  [SALESPERSON]: 'Salesperson',
  [SALES_MANAGER]: 'Sales Manager',
};
const ASSOCIATION = `${DV}/systemusers(${SYSTEMUSER_ID})/systemuserroles_association`;

/**
 * Ada's Entra account and her systemuser in the sales environment's Dataverse, as nock answers
 * for them: the roles she holds (`held`, by role id) change as accessdesk associates and
 * disassociates them. `reads` lists the narrow reads of held roles, as Dataverse received them.
 */
function adasTenant(heldBefore: string[]) {
  const held = new Set(heldBefore);
  const reads: Array<Record<string, string>> = [];
  // nock (15) hands a reply function the request itself.
  const query = (req: Request) => Object.fromEntries(new URL(req.url).searchParams);
  const names = (filter: string) => [...filter.matchAll(/name eq '([^']+)'/g)].map((m) => m[1]!);
  nock(GRAPH)
    .persist()
    .get('/v1.0/users')
    .query(true)
    .reply(200, { value: [{ id: USER_ID, userPrincipalName: ADA }] });
  const dv = nock(DATAVERSE).persist();
  dv.get(`${DV}/systemusers`)
    .query((q) => q.$filter === `azureactivedirectoryobjectid eq ${USER_ID}`)
    .reply(200, {
      value: [{ systemuserid: SYSTEMUSER_ID, _businessunitid_value: SALES_BU, accessmode: 0 }],
    });
  dv.get(`${DV}/roles`)
    .query(true)
    .reply((req: Request) => {
      const wanted = names(query(req).$filter!);
      const value = Object.entries(ROLES)
        .filter(([, name]) => wanted.includes(name))
        .map(([roleid, name]) => ({ roleid, name }));
      return [200, { value }];
    });
  dv.get(ASSOCIATION)
    .query(true)
    .reply((req: Request) => {
      const q = query(req);
      if (q.$select === 'roleid') return [200, { value: [...held].map((roleid) => ({ roleid })) }];
      // The grant's read: only `name`, only its roles of the user's business unit.
      reads.push(q);
      const wanted = names(q.$filter!);
      const value = [...held]
        .map((id) => ({ name: ROLES[id]! }))
        .filter((r) => wanted.includes(r.name));
      return [200, { value }];
    });
  dv.post(`${ASSOCIATION}/$ref`).reply(async (req: Request) => {
    const body = (await req.json()) as Record<string, string>;
    held.add(String(body['@odata.id']).match(/roles\(([^)]+)\)/)![1]!);
    return [204, ''];
  });
  dv.delete(/systemuserroles_association\(([^)]+)\)\/\$ref$/).reply((req: Request) => {
    const roleId = req.url.match(/association\(([^)]+)\)/)![1]!;
    return held.delete(roleId)
      ? [204, '']
      : [404, { error: { code: '0x80040217', message: 'Does Not Exist' } }];
  });
  return { held, reads };
}

describe('a time-bound security role grant against Dataverse', () => {
  it.each<{ crashAfter?: DirectoryMethod }>([
    {},
    { crashAfter: 'securityRolesHeld' },
    { crashAfter: 'assignSecurityRoles' },
    { crashAfter: 'removeSecurityRoles' },
  ])(
    'S2: a role held before the grant (outside accessdesk) survives its end; the role it gave is removed (crash after $crashAfter, then a restart)',
    async ({ crashAfter }) => {
      await resetDatabase(db.connection);
      const dataverse = adasTenant([SALESPERSON]);
      const yaml = graphTenantYaml(3);
      const config = parseTenantConfig(yaml, 'tenant.yaml');
      const graphOver = (seats: Directory) => graphDirectoryOver(seats, config, db.connection);
      let ledger: Directory | undefined;
      let crashed = false;
      const b = await buildSystem(db.connection, {
        yaml,
        grantWarnings: [],
        directory: (seats) => {
          ledger = seats;
          return interceptDirectory(graphOver(seats), async (method, call) => {
            const result = await call();
            if (method === crashAfter && !crashed) {
              crashed = true;
              throw new Error(`simulated crash after ${method}`);
            }
            return result;
          });
        },
      });
      let system = b.system;
      /** Moves the clock by `ms` and lets the scheduler and the effects run. */
      const elapse = async (ms: number) => {
        b.clock.advance(ms);
        await system.runner.recoverAll();
        await system.scheduler.sweep();
        await system.background.idle();
      };
      const request = await submitGrant(system.lifecycle, ADA, ADA, {
        grant: 'security_roles',
        environment: 'sales-prod',
        securityRoles: ['Salesperson', 'Sales Manager'],
        durationMs: HOUR,
        justification: 'covering the quarter',
      });
      await system.lifecycle.act(request._id, GRACE, { type: 'approver.approved' });
      await system.background.idle();
      if (crashed && crashAfter !== 'removeSecurityRoles') {
        // The service dies mid-apply and comes back on the same database and the same tenant.
        system = b.rebuild(graphOver(ledger!));
        await elapse(LEASE_MS + 1000);
      }
      expect((await system.store.get(request._id)).status).toBe('active');
      expect([...dataverse.held].sort()).toEqual([SALESPERSON, SALES_MANAGER].sort());
      // One narrow read before anything was given (again only if the crash came before the
      // grant recorded what it read): the systemuser's roles, `name` only, the grant's roles.
      expect(dataverse.reads).toHaveLength(crashAfter === 'securityRolesHeld' ? 2 : 1);
      expect(dataverse.reads[0]).toEqual({
        $select: 'name',
        $filter: `_businessunitid_value eq ${SALES_BU} and (name eq 'Salesperson' or name eq 'Sales Manager')`,
      });
      const recorded = await system.grants.get(ADA, 'role:sales-prod:Salesperson', request._id);
      expect(recorded?.gave).toBe(false);
      expect(
        (await system.grants.get(ADA, 'role:sales-prod:Sales Manager', request._id))?.gave,
      ).toBe(true);

      await elapse(HOUR);
      if (crashAfter === 'removeSecurityRoles') {
        expect(crashed).toBe(true);
        expect((await system.store.get(request._id)).status).toBe('ending');
        system = b.rebuild(graphOver(ledger!));
        await elapse(LEASE_MS + 1000);
      }
      const ended = await system.store.get(request._id);
      expect(ended.status).toBe('ended');
      expect([...dataverse.held]).toEqual([SALESPERSON]);
      expect(b.errors.map((e) => (e as Error).message)).toEqual(
        crashAfter ? [`simulated crash after ${crashAfter}`] : [],
      );
      const notices = b.notifier.grantNotices.filter((n) => n.notice.kind === 'ended');
      expect(notices.map((n) => n.notice)).toEqual([{ kind: 'ended', to: [ADA], warnings: [] }]);
      // Salesperson is still held from before the grant: an unlimited source says so.
      expect(await system.grants.othersThan(ADA, 'role:sales-prod:Salesperson')).toBe(true);
      expect(await system.grants.othersThan(ADA, 'role:sales-prod:Sales Manager')).toBe(false);
    },
  );
});
