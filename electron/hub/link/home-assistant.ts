// Home Assistant's MQTT discovery for a site's doors: per door a lock (OPEN pulses the door's relay through the
// hub), a door contact when the door has an input, and an access event entity (granted / denied with the
// person's name or "unknown"). Available only while both the hub and the door are online.
import { homeAssistantConfigTopic, homeAssistantTopic, isTerminalId, TOPIC_ROOT, type HomeAssistantComponent } from '../../shared/fleet/topics.js';
import type { TerminalRecord } from '../store/hub-store.js';

export const HOME_ASSISTANT_ONLINE = 'online';
export const HOME_ASSISTANT_OFFLINE = 'offline';

/** The hub-side topics Home Assistant reads and writes (its ACL: read `lintel/<site>/ha/#`, write `…/lock-set`). */
export interface HomeAssistantTopics {
  /** Retained `online` / `offline` (the hub's last will). */
  readonly hubAvailability: string;
  /** The hub's subscription to every door's lock command. */
  readonly everyLockCommand: string;
  /** The door a lock command topic is for, or null. */
  parseLockCommand(topic: string): string | null;
  of(terminalId: string): { readonly lockState: string; readonly lockSet: string; readonly door: string; readonly event: string; readonly availability: string };
}

export function homeAssistantTopics(siteId: string): HomeAssistantTopics {
  const base = `${TOPIC_ROOT}/${siteId}/ha`;
  return {
    // `hub` is never a terminal id, so this cannot clash with a door's topics.
    hubAvailability: `${base}/hub/availability`,
    everyLockCommand: `${base}/+/lock-set`,
    parseLockCommand(topic) {
      const levels = topic.split('/');
      if (levels.length !== 5 || `${levels[0]}/${levels[1]}/${levels[2]}` !== base || levels[4] !== 'lock-set') return null;
      const terminalId = levels[3] ?? '';
      return isTerminalId(terminalId) ? terminalId : null;
    },
    of(terminalId) {
      return {
        lockState: homeAssistantTopic(siteId, terminalId, 'lock-state'),
        lockSet: homeAssistantTopic(siteId, terminalId, 'lock-set'),
        door: homeAssistantTopic(siteId, terminalId, 'door'),
        event: homeAssistantTopic(siteId, terminalId, 'event'),
        availability: homeAssistantTopic(siteId, terminalId, 'availability'),
      };
    },
  };
}

/** One retained discovery message; `config` null clears the entity. */
export interface DiscoveryMessage {
  readonly topic: string;
  readonly config: Record<string, unknown> | null;
}

/** The door's entities as discovery messages: all cleared for a revoked door, the contact only with a door input. */
export function homeAssistantDiscovery(siteId: string, terminal: Pick<TerminalRecord, 'id' | 'name' | 'revoked' | 'state'>): DiscoveryMessage[] {
  const topics = homeAssistantTopics(siteId);
  const door = topics.of(terminal.id);
  const nodeId = `lintel_${siteId}_${terminal.id}`;
  const state = terminal.state;
  const device = {
    identifiers: [nodeId],
    name: terminal.name || terminal.id,
    manufacturer: 'Lintel',
    model: 'Face-recognition door terminal',
    ...(state?.online && state.appVersion ? { sw_version: state.appVersion } : {}),
  };
  const availability = {
    availability: [{ topic: topics.hubAvailability }, { topic: door.availability }],
    availability_mode: 'all',
    payload_available: HOME_ASSISTANT_ONLINE,
    payload_not_available: HOME_ASSISTANT_OFFLINE,
  };
  const entity = (component: HomeAssistantComponent, config: Record<string, unknown> | null): DiscoveryMessage => ({
    topic: homeAssistantConfigTopic(component, siteId, terminal.id),
    config: terminal.revoked || config === null ? null : { ...config, device, ...availability, origin: { name: 'Lintel' } },
  });
  const hasDoorInput = state?.online === true && state.door.open !== undefined;
  return [
    entity('lock', {
      name: null,
      unique_id: `${nodeId}_lock`,
      command_topic: door.lockSet,
      state_topic: door.lockState,
      payload_open: 'OPEN',
      payload_lock: 'LOCK',
      payload_unlock: 'UNLOCK',
      state_locked: 'LOCKED',
      state_unlocked: 'UNLOCKED',
      qos: 1,
    }),
    entity(
      'binary_sensor',
      hasDoorInput ? { name: 'Door', unique_id: `${nodeId}_door`, device_class: 'door', state_topic: door.door, payload_on: 'open', payload_off: 'closed', qos: 1 } : null,
    ),
    entity('event', { name: 'Access', unique_id: `${nodeId}_access`, state_topic: door.event, event_types: ['granted', 'denied'], qos: 1 }),
  ];
}
