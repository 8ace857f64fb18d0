import { createHash } from 'node:crypto';
import { iso } from '../iso-time.js';
import type { App, Container, Operation } from './model.js';
import type { ScalingoState } from './state.js';

/** Scalingo writes times as RFC 3339 and null, never "" (clients fail to decode it). */
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export const attachUrl = (base: string, container: Container) =>
  container.attach ? `${base}/attach/${container.attach.token}` : undefined;

export const operationUrl = (base: string, operation: Operation) =>
  `${base}/v1/apps/${operation.app.name}/operations/${operation.id}`;

/** The host part of the names jobfake makes up for things it does not serve (git, app URLs). */
const FAKE_DOMAIN = 'jobfake.invalid';
/** A UUID made from an id, so that it stays the same for the same app or user. */
const uuidOf = (id: string) => {
  const hex = createHash('sha256').update(id).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/**
 * `GET /v1/users/self`: the fields scalingo.js's `User` model declares (go-scalingo reads id,
 * username, fullname, email, flags). The account is created with the namespace, confirmed, on no
 * free trial, with no GitHub link.
 */
export function userJson(state: ScalingoState) {
  const user = state.user;
  const created = iso(state.createdAt);
  return {
    ...user,
    uuid: uuidOf(user.id),
    company: null,
    location: null,
    role: null,
    github: null,
    tos_accepted: true,
    email_newsletter: false,
    profile_valid: true,
    confirmed: true,
    unconfirmed_email: null,
    created_at: created,
    free_trial_started_at: created,
    free_trial_end_time: created,
    limits: {},
    referral_url: `https://${FAKE_DOMAIN}/?ref=${user.username}`,
    referral_clicks: 0,
    suspended_at: null,
    suspension_reason: null,
    preferences: { time_zone: null, locale: null, stream_logs: true, sticky_search: false, app_sort_key: null, theme: null, logs_font_size: null },
    contracts: {},
    new_contracts: {},
  };
}

/**
 * The app object of the API reference, with the fields go-scalingo's `App` and scalingo.js's
 * `App` model declare. `status` follows the formation: running when a type has containers.
 * `links.deployments_stream` names a WebSocket URL on jobfake's host that it does not serve
 * (jobfake has no deployments).
 */
export function appJson(app: App, base: string, state: ScalingoState) {
  const { id, username, email, flags } = state.user;
  const created = iso(app.createdAt);
  const wsBase = base.replace(/^http/, 'ws');
  return {
    id: app.id,
    uuid: uuidOf(app.id),
    name: app.name,
    region: 'jobfake',
    created_at: created,
    updated_at: created,
    parent_app_name: null,
    owner: { id, username, email, flags },
    project: { id: `pr-${uuidOf(`${id}/default`)}`, name: 'default' },
    git_url: `git@ssh.${FAKE_DOMAIN}:${app.name}.git`,
    url: `https://${app.name}.${FAKE_DOMAIN}`,
    base_url: `https://${app.name}.${FAKE_DOMAIN}`,
    links: { deployments_stream: `${wsBase}/deployments-stream/apps/${app.name}` },
    status: app.formation.some((type) => type.amount > 0) ? 'running' : 'stopped',
    stack_id: 'st-jobfake',
    last_deployed_at: null,
    last_deployed_by: null,
    last_deployment_id: null,
    limits: {},
    flags: {},
    force_https: false,
    sticky_session: false,
    router_logs: false,
    hds_resource: false,
    private_networks_ids: [],
  };
}

/** `GET /v1/apps/{app}/containers`: the formation, one entry per container type. */
export function formationJson(app: App) {
  return app.formation.map((type) => ({ app_id: app.id, name: type.name, amount: type.amount, command: type.command, size: type.size }));
}

export function containerJson(container: Container, base: string, state: ScalingoState) {
  return {
    id: container.id,
    app_id: container.app.id,
    created_at: iso(container.createdAt),
    deleted_at: isoOrNull(container.deletedAt),
    command: container.command,
    type: 'one-off',
    type_index: container.typeIndex,
    label: container.label,
    state: container.state,
    size: container.size.name,
    container_size: container.size,
    app: appJson(container.app, base, state),
  };
}

export function operationJson(base: string, operation: Operation) {
  const done = operation.status === 'done';
  return {
    operation: {
      id: operation.id,
      app_id: operation.app.id,
      created_at: iso(operation.createdAt),
      finished_at: isoOrNull(operation.finishedAt),
      status: operation.status,
      type: 'start-one-off',
      error: operation.error,
      ...(done && {
        start_one_off_data: { container_id: operation.container.id, ...(operation.container.attach && { attach_url: attachUrl(base, operation.container) }) },
      }),
    },
  };
}
