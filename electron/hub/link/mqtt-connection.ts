// One way to open an MQTT connection to the site's broker: TLS with the site CA as the only trusted issuer and a
// client certificate (the broker's username is its CN), MQTT 5, QoS 1 sessions that survive a reconnect.
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';

/** The TLS identity of one client: the site CA, its certificate and key (PEM), and the broker's URL. */
export interface MqttTlsIdentity {
  /** `mqtts://host:port`. */
  readonly brokerUrl: string;
  readonly caCertPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** Options of `connectMqtt`; every one but `clientId` has a default. */
export interface MqttConnectOptions {
  /** MQTT client id: the certificate's CN, so a second connection of the same identity replaces the first. */
  readonly clientId: string;
  /** Published by the broker when the connection drops without a DISCONNECT (retained, QoS 1). */
  readonly will?: { readonly topic: string; readonly payload: Buffer | string };
  /** Pause between reconnect attempts, ms; 0 = do not reconnect. Default 1000. */
  readonly reconnectPeriodMs?: number;
  /** Time allowed for TLS + CONNACK, ms; default 10 000. */
  readonly connectTimeoutMs?: number;
  /**
   * How long the broker keeps the session (subscriptions, QoS 1 messages sent meanwhile) after a disconnect, s;
   * default 7 days. 0 = a clean session every time.
   */
  readonly sessionExpirySeconds?: number;
}

/** The mqtt.js options for `identity` (exported for clients that connect lazily with `mqtt.connect`). */
export function mqttClientOptions(identity: MqttTlsIdentity, options: MqttConnectOptions): IClientOptions {
  const sessionExpirySeconds = options.sessionExpirySeconds ?? 7 * 24 * 3600;
  return {
    protocolVersion: 5,
    clientId: options.clientId,
    ca: identity.caCertPem,
    cert: identity.certPem,
    key: identity.keyPem,
    // Only the site CA, and the broker's certificate must name the host: a broker of another site is refused.
    rejectUnauthorized: true,
    clean: sessionExpirySeconds === 0,
    properties: { sessionExpiryInterval: sessionExpirySeconds },
    reconnectPeriod: options.reconnectPeriodMs ?? 1000,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    keepalive: 30,
    ...(options.will ? { will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1 as const, retain: true } } : {}),
  };
}

/**
 * Connects and resolves once the broker accepted the connection; rejects with the TLS or MQTT error when it
 * refused (a certificate of another CA, a revoked one) or when the broker is unreachable.
 */
export async function connectMqtt(identity: MqttTlsIdentity, options: MqttConnectOptions): Promise<MqttClient> {
  return connectAsync(identity.brokerUrl, mqttClientOptions(identity, options), false);
}
