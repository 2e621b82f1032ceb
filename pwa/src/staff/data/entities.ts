/**
 * What the data layer knows about entities. Everything else is generic over entity names: a new synced
 * entity (e.g. `appointment`) works as soon as the server registers it.
 */

/** The sync protocol (message format) and the app's data schema, sent with every push and pull. */
export const PROTOCOL = 1;
export const SCHEMA = 2;

export const CONFLICT_ENTITY = 'sync_conflict';
export const ATTACHMENT_ENTITY = 'attachment';

/** The field a screen looks rows up by, stored as the indexed `link` of the local record. */
export const LINK_FIELDS: Record<string, string> = {
  outreach_question: 'session_id',
  appointment: 'officer_id',
  [CONFLICT_ENTITY]: 'entity_id',
};

/** Children deleted locally with their parent (the server cascades the same delete). */
export const CHILDREN: Record<string, Array<{ entity: string; field: string }>> = {
  outreach_session: [{ entity: 'outreach_question', field: 'session_id' }],
};

/** Fields holding attachment hashes (the file is uploaded separately, by SHA-256). */
export const ATTACHMENT_FIELDS: Record<string, string[]> = {
  outreach_question: ['photo_sha256'],
};

export function linkOf(entity: string, data: Record<string, unknown>): string | undefined {
  const field = LINK_FIELDS[entity];
  const value = field ? data[field] : undefined;
  return typeof value === 'string' && value ? value : undefined;
}
