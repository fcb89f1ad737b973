/** The built-in Entra role template ids of accessdesk's admin roles (A2, A3). */
import type { AdminRole } from '../tenant/admin.rules.ts';

/**
 * Template ids are the same in every tenant (Entra "permissions reference"). Service admin is the
 * admin center's "Service support admin" (Service Support Administrator).
 */
export const ADMIN_ROLE_TEMPLATE_IDS: Record<AdminRole, string> = {
  'Global admin': '62e90394-69f5-4237-9190-012177145e10',
  'Billing admin': 'b0f54661-2d74-4c50-afa3-1ec803f12efe',
  'Password admin': '966707d0-3269-4727-9be2-8c3a10f19b9d',
  'Service admin': 'f023fd81-a637-4b56-95fd-791ac0226033',
  'User management admin': 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  'Power Platform admin': '11648597-926c-4cf3-9c36-bcebb0ba8dcc',
  'Dynamics 365 admin': '44367163-eba1-44c3-98af-f5787879f96a',
};
