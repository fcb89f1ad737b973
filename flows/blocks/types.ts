/** What the Block Kit builders read: views of the domain, shaped for display, and Slack types. */
import type { types } from '@slack/bolt';
import type { StatusWord } from '../../machines/tags.ts';
import type { RequestKind } from '../../src/lifecycle/kinds.ts';

/** A Block Kit block a message, modal or App Home may hold. */
export type Block = types.KnownBlock;
/** A modal view. */
export type ModalView = types.ModalView;
/** The App Home tab. */
export type HomeView = types.HomeView;
/** A select option (plain text). */
export type Option = types.PlainTextOption;

/** A message: blocks plus the plain `text` Slack shows in notifications and screen readers. */
export interface Message {
  text: string;
  blocks: Block[];
}

/** A person as shown: their email always, their Slack id when they are in Slack. */
export interface PersonRef {
  email: string;
  name: string;
  slackId?: string;
}

/** A SKU's seats; "used" is assigned + held (L1, L4). */
export interface SeatView {
  skuId: string;
  name: string;
  seats: number;
  assigned: number;
  held: number;
  free: number;
  /** Seats used outside accessdesk (graph mode: the last directory sync's count). */
  external?: number;
}

/** One line of a request's history. */
export interface TimelineEntry {
  /** ISO 8601 instant. */
  at: string;
  text: string;
}

/** A request as people see it. */
export interface RequestView {
  /** e.g. `REQ-7K3Q9D`. */
  id: string;
  kind: RequestKind;
  /** A running time-bound grant's end (ISO 8601 instant). */
  endsAt?: string;
  /** The request extends this time-bound grant (its card says so). */
  extends?: string;
  /** Where it is, in the words the machine tags its state with. */
  word: StatusWord;
  /** No Global admin has decided yet: Approve and Deny apply. */
  undecided: boolean;
  /** The requester may still cancel (the machine takes `requester.cancelled` now). */
  cancellable: boolean;
  requester: PersonRef;
  subject: PersonRef;
  /** What is asked (SKU, environment, business unit, roles, access mode, justification…). */
  summary: Array<{ label: string; value: string }>;
  sku?: SeatView;
  decidedBy?: PersonRef;
  /** ISO 8601 instant. */
  decidedAt?: string;
  denyReason?: string;
  endReason?: string;
  failureReason?: string;
  approvals?: Array<{ by: string }>;
  /** The request grants Global admin and so takes two distinct Global admins. */
  needsSecondApproval?: boolean;
  timeline: TimelineEntry[];
}

/** The choices the request modals offer, read from the tenant file. */
export interface TenantOptions {
  skus: Array<{ id: string; name: string }>;
  environments: Array<{
    id: string;
    name: string;
    businessUnits: Array<{ id: string; name: string; roles: string[] }>;
  }>;
  adminRoles: string[];
}

/** Problems per modal field (block id), as Slack's `response_action: 'errors'` takes them. */
export type FieldErrors = Partial<Record<string, string>>;
