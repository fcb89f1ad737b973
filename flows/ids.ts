/**
 * Every `callback_id`, `block_id` and `action_id` of accessdesk's Slack UI. They are a public
 * contract (the manifest, the handlers and the tests all read them from here): rename nothing.
 */

/** `callback_id` of modals and shortcuts. */
export const CALLBACK = {
  /** The onboarding request modal. */
  onboardingRequest: 'onboarding_request',
  /** The role-change request modal. */
  roleChangeRequest: 'role_change_request',
  /** The modal asking a Global admin why they deny. */
  denyRequest: 'deny_request',
  /** The global shortcut "Request access" that opens the onboarding modal. */
  openOnboarding: 'open_onboarding',
  /** The bulk onboarding modal (`/access import`): a CSV file of new hires. */
  bulkImport: 'bulk_import',
  /** The message shortcut "Offboard this person" (the message's author is the leaver). */
  offboardShortcut: 'offboard_person',
  /** The offboarding modal that shortcut opens. */
  offboardRequest: 'offboard_request',
} as const;

/** `action_id` of buttons; each button's `value` is the request id. */
export const ACTION = {
  approveRequest: 'approve_request',
  denyRequest: 'deny_request',
  cancelRequest: 'cancel_request',
  acceptInvitation: 'accept_invitation',
  /** App Home buttons that open the request modals. */
  openOnboarding: 'open_onboarding',
  openRoleChange: 'open_role_change',
  /** A time-bound grant's warning: ask for the same grant again (an extension). */
  extendGrant: 'extend_grant',
  /** The invitation's link to the portal (a URL button; Slack still sends an action to ack). */
  openPortal: 'open_portal',
} as const;

/**
 * Fields of the request modals: each input block's `block_id` and its element's `action_id`
 * are both this value, so `view.state.values[f][f]` reads a field.
 */
export const FIELD = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  jobTitle: 'job_title',
  department: 'department',
  office: 'office',
  mobilePhone: 'mobile_phone',
  manager: 'manager',
  sku: 'sku',
  environment: 'environment',
  businessUnit: 'business_unit',
  securityRoles: 'security_roles',
  accessMode: 'access_mode',
  adminRoles: 'admin_roles',
  justification: 'justification',
  /** Role change: the person, when they are in Slack. */
  subjectUser: 'subject_user',
  /** Role change: the person's email, when they are not in Slack. */
  subjectEmail: 'subject_email',
  changeKind: 'change_kind',
  /** Role change: for how long (until revoked, 1 h … 90 d, until a date). */
  duration: 'duration',
  /** Role change: the date a grant lasts until, with `duration` = `date`. */
  untilDate: 'until_date',
  /** Deny modal: why the request is denied. */
  reason: 'reason',
  /** Bulk onboarding modal: the CSV file (a `file_input`). */
  csvFile: 'csv_file',
  /** Offboarding modal: the leaver and the effective date. */
  leaver: 'leaver',
  effectiveDate: 'effective_date',
} as const;

/** One field id of the modals. */
export type FieldId = (typeof FIELD)[keyof typeof FIELD];

/** Values of the `access_mode` select (M1–M4). */
export const ACCESS_MODE_VALUES = [
  'read_write',
  'administrative',
  'non_interactive',
  'application',
] as const;

/** One `access_mode` value. */
export type AccessModeValue = (typeof ACCESS_MODE_VALUES)[number];

/** Values of the role-change `change_kind` select. */
export const CHANGE_KIND_VALUES = [
  'security_roles_add',
  'security_roles_remove',
  'admin_roles_grant',
  'admin_roles_revoke',
  'access_mode',
  'license_add',
  'license_remove',
  'enable',
  'disable',
] as const;

/** One `change_kind` value. */
export type ChangeKindValue = (typeof CHANGE_KIND_VALUES)[number];

/** The slash command; its sub-commands are read from the text. */
export const COMMAND = '/access';
