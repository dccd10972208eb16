// Revoking a door, from the command line or the admin screens: one order of steps for both.
import { writeMosquittoFiles } from './broker/mosquitto-config.js';
import { deniedTerminalIds, hubPaths, loadHubConfig, revokeTerminalCertificates } from './pki/hub-folder.js';
import type { HubStore } from './store/hub-store.js';

/**
 * Revokes door `terminalId` of the hub in `dataDir`: its certificates into the CRL, its name denied in the broker's
 * ACL (`writeAcl`: false where a broker the hub runs rewrites it on the CRL change), and the door disabled in the
 * store, so the hub drops whatever it still sends. Returns the serials revoked now (none when it had none left).
 * A door the hub never enrolled is a HubFolderError.
 */
export async function revokeDoor(dataDir: string, store: Pick<HubStore, 'revokeTerminal'>, terminalId: string, options: { readonly writeAcl: boolean }): Promise<readonly string[]> {
  const revoked = await revokeTerminalCertificates(dataDir, terminalId);
  if (options.writeAcl) writeMosquittoFiles(hubPaths(dataDir), loadHubConfig(dataDir), { deniedTerminalIds: deniedTerminalIds(dataDir) });
  await store.revokeTerminal(terminalId);
  return revoked;
}
