// A client that notices when an admin session has ended: any admin channel answering 'unauthorized' calls
// `onAdminSessionLost` (the UI returns to the login), and the Result still reaches the caller unchanged.
import { CHANNELS, contract, type ContractClient, type Result } from '../contract.js';

export function guardAdminSession(client: ContractClient, onAdminSessionLost: () => void): ContractClient {
  const guarded: Record<string, (request: unknown) => Promise<Result<unknown>>> = {};
  for (const channel of CHANNELS) {
    const call = client[channel] as (request: unknown) => Promise<Result<unknown>>;
    guarded[channel] = async (request) => {
      const result = await call(request);
      if (!result.ok && result.error.code === 'unauthorized' && contract[channel].auth === 'admin') onAdminSessionLost();
      return result;
    };
  }
  return guarded as ContractClient;
}
