// What every Access screen keeps around its writes: busy while one is under way, the hub's refusal in words, or
// what was saved.
import { useState } from 'react';

import type { ContractErrorBody, Result } from '../contract.js';
import { documentErrorText } from './hub-documents.js';

export function useDocumentWrites(): {
  readonly problem: ContractErrorBody | null;
  readonly setProblem: (problem: ContractErrorBody | null) => void;
  readonly notice: string | null;
  readonly setNotice: (notice: string | null) => void;
  readonly busy: boolean;
  readonly setBusy: (busy: boolean) => void;
  /** Ends a write: its refusal shown (false), or `success` shown and the screen's documents `reload`ed (true). */
  readonly finish: (result: Result<unknown>, success: string, reload: () => Promise<void>) => Promise<boolean>;
} {
  const [problem, setProblem] = useState<ContractErrorBody | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const finish = async (result: Result<unknown>, success: string, reload: () => Promise<void>): Promise<boolean> => {
    setBusy(false);
    if (!result.ok) {
      setProblem({ ...result.error, message: documentErrorText(result.error.message) });
      setNotice(null);
      return false;
    }
    setProblem(null);
    setNotice(success);
    await reload();
    return true;
  };
  return { problem, setProblem, notice, setNotice, busy, setBusy, finish };
}
