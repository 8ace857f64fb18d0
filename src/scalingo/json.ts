import { iso } from '../iso-time.js';
import type { App, Container, Operation } from './model.js';

/** Scalingo writes times as RFC 3339 and null, never "" (clients fail to decode it). */
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export const attachUrl = (base: string, container: Container) =>
  container.attach ? `${base}/attach/${container.attach.token}` : undefined;

export const operationUrl = (base: string, operation: Operation) =>
  `${base}/v1/apps/${operation.app.name}/operations/${operation.id}`;

export function appJson(app: App) {
  return { id: app.id, name: app.name, created_at: iso(app.createdAt), region: 'jobfake' };
}

export function containerJson(container: Container) {
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
    app: { id: container.app.id, name: container.app.name },
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
