/**
 * The sync status shown in the header. Placeholders until the sync issue wires the outbox:
 * pending = local mutations not yet acknowledged by the server; lastSync, errors and conflicts come with it.
 */
import { signal } from '@preact/signals';

export const pendingCount = signal(0);
