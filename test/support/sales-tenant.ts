/**
 * The tenant the lifecycle and Slack tests and the benches start from: one SKU (D365_SALES) with
 * `seats` seats, one Dynamics environment (sales-prod) with a security group and two business
 * units, and `people`, one YAML flow map each. No test runner imports: benches use it too.
 */
export function salesTenantYaml(seats: number, people: string[]): string {
  return `
domain: contoso.example
skus:
  - { id: D365_SALES, name: Dynamics 365 Sales Enterprise, seats: ${seats} }
environments:
  - id: sales-prod
    name: Sales (production)
    kind: dynamics
    securityGroup: sg-sales-prod
    licenseSku: D365_SALES
    nonInteractiveLimit: 7
    businessUnits:
      - { id: root, name: Contoso, roles: [System Administrator, Basic User] }
      - { id: sales, name: Sales, parent: root, roles: [Salesperson, Sales Manager] }
people:
${people.map((person) => `  - ${person}`).join('\n')}
`;
}

/** Grace and Linus, the two Global admins every such tenant has. */
export const GLOBAL_ADMINS = (grace = 'U0GRACE', linus = 'U0LINUS') => [
  `{ email: grace@contoso.example, firstName: Grace, lastName: Hopper, slackId: ${grace}, adminRoles: [Global admin] }`,
  `{ email: linus@contoso.example, firstName: Linus, lastName: Torvalds, slackId: ${linus}, adminRoles: [Global admin] }`,
];
