// The cameras and GPIO chips the terminal found (`hardware:list`), fetched once by the settings screen and read by
// the fields that offer them as choices. Null until they arrive, or where the terminal could not list them: the
// fields then take typed values as before.
import { createContext, useContext, useEffect, useState } from 'react';

import { useClient } from '../../app/services.js';
import type { ResponseOf } from '../../contract.js';

export type HardwareInventory = ResponseOf<'hardware:list'>;
export type CameraChoice = HardwareInventory['cameras'][number];
export type GpioChipChoice = HardwareInventory['gpioChips'][number];

export const HardwareContext = createContext<HardwareInventory | null>(null);

/** What the fields offer: the terminal's cameras and chips, or null. */
export function useHardware(): HardwareInventory | null {
  return useContext(HardwareContext);
}

/** Fetches the inventory once; null until it arrives or when it cannot be had. */
export function useHardwareInventory(): HardwareInventory | null {
  const client = useClient();
  const [inventory, setInventory] = useState<HardwareInventory | null>(null);
  useEffect(() => {
    let current = true;
    void client['hardware:list']({}).then((result) => {
      if (current && result.ok) setInventory(result.value);
    });
    return () => {
      current = false;
    };
  }, [client]);
  return inventory;
}
