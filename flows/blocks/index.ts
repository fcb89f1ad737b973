/** Every Block Kit builder, for the flows: pure functions of the views in `types.ts`. */
export { type AppHomeView, appHome } from './app-home.ts';
export { approvalCard } from './approval-card.ts';
export { type CredentialsView, credentialsMessage } from './credentials-message.ts';
export { denyReasonModal } from './deny-reason-modal.ts';
export { helpMessage } from './help-message.ts';
export { type InvitationView, invitationMessage } from './invitation-message.ts';
export {
  type OnboardingModalOptions,
  type OnboardingSelection,
  onboardingModal,
} from './onboarding-modal.ts';
export { type Refusal, refusalMessage } from './refusal-message.ts';
export { requesterUpdate } from './requester-update.ts';
export {
  type RoleChangeModalOptions,
  type RoleChangeSelection,
  roleChangeModal,
} from './role-change-modal.ts';
export { seatsMessage } from './seats-message.ts';
export { type StatusWord, statusBadge } from './status.ts';
export { statusMessage } from './status-message.ts';
export type * from './types.ts';
