// The models of the manifest as this terminal has them — built in, added by an administrator, or ones that can
// be added — with their licences (code, weights, training data), and a picker that adds a model file.
import { useCallback, useEffect, useId, useState, type ChangeEvent, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import { bytesToBase64 } from '../../common/base64.js';
import { formatDateTime } from '../../common/dates.js';
import { ErrorNotice, Notice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { MAX_MODEL_FILE_BYTES, type ContractErrorBody, type ResponseOf } from '../../contract.js';

type ModelListing = ResponseOf<'models:list'>[number];

const STATE_TEXT: Readonly<Record<ModelListing['state'], string>> = { 'built-in': 'Built in', added: 'Added', 'not-added': 'Not added' };
const ROLE_TEXT: Readonly<Record<ModelListing['role'], string>> = { detector: 'Face detector', fitter: 'Face fitter', extractor: 'Recogniser', liveness: 'Liveness', age: 'Age estimate' };

export function ModelsCard(): ReactNode {
  const client = useClient();
  const inputId = useId();
  const [models, setModels] = useState<readonly ModelListing[] | null>(null);
  const [error, setError] = useState<ContractErrorBody | string | null>(null);
  const [adding, setAdding] = useState<string | null>(null);
  const [added, setAdded] = useState<ModelListing | null>(null);

  const refresh = useCallback(async (): Promise<void> => {
    const result = await client['models:list']({});
    if (result.ok) setModels(result.value);
    else setError(result.error);
  }, [client]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const onFile = async (event: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setAdded(null);
    if (file.size > MAX_MODEL_FILE_BYTES) {
      setError(`${file.name} is larger than ${MAX_MODEL_FILE_BYTES / 1_048_576} MB: not a model Lintel knows.`);
      return;
    }
    setError(null);
    setAdding(file.name);
    try {
      const dataBase64 = bytesToBase64(new Uint8Array(await file.arrayBuffer()));
      const result = await client['models:add']({ name: file.name.slice(0, 255) || 'model', dataBase64 });
      if (result.ok) {
        setAdded(result.value);
        await refresh();
      } else {
        setError(result.error);
      }
    } catch {
      setError(`${file.name} could not be read. Choose it again.`);
    } finally {
      setAdding(null);
    }
  };

  return (
    <section className="card" aria-labelledby="sys-model-files">
      <h2 id="sys-model-files">Model files</h2>
      <p className="muted">
        Some models are not shipped with Lintel: get the file from its authors (see each row) and add it here. It is checked against the
        fingerprint Lintel knows, converted and kept on this terminal.
      </p>
      <input id={inputId} className="visually-hidden" type="file" accept=".onnx,.pt,.pth" disabled={adding !== null} onChange={(event) => void onFile(event)} />
      <label htmlFor={inputId} className="btn btn-primary file-button" aria-disabled={adding !== null}>
        <Icon name="upload" />
        {adding !== null ? `Adding ${adding}…` : 'Add model file'}
      </label>
      {error ? <ErrorNotice error={error} /> : null}
      {added ? (
        <Notice tone="success">
          <strong>{`Added ${added.id}`}</strong>
          <span>
            {added.role === 'liveness'
              ? 'Choose it as the passive liveness model in Settings.'
              : added.role === 'extractor' && added.isDefault
                ? 'It is now the default recogniser: unless Settings name another, the terminal recognises with it and rebuilds the templates from the stored photos (see Storage).'
                : 'Choose it in Settings.'}
          </span>
        </Notice>
      ) : null}
      {models ? (
        <div className="table-scroll">
          <table className="table models-table">
            <caption>Models in the manifest</caption>
            <colgroup>
              <col className="models-col-model" />
              <col className="models-col-use" />
              <col className="models-col-state" />
              <col className="models-col-licences" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Use</th>
                <th scope="col">State</th>
                <th scope="col">Licences</th>
              </tr>
            </thead>
            <tbody>
              {models.map((model) => (
                <tr key={model.id}>
                  <td>
                    <strong>{model.id}</strong>
                    {model.isDefault ? <span className="muted"> (default)</span> : null}
                    <div className="muted">{model.description}</div>
                    {model.state === 'not-added' && model.file !== null ? <div>{`Get ${model.file} from ${model.obtainFrom ?? 'its authors'}`}</div> : null}
                  </td>
                  <td>{ROLE_TEXT[model.role]}</td>
                  <td>
                    <span className={model.state === 'not-added' ? 'badge' : 'badge badge-ok'}>{STATE_TEXT[model.state]}</span>
                    {model.addedAtMs !== null ? <div className="muted">{formatDateTime(model.addedAtMs)}</div> : null}
                  </td>
                  <td>
                    <div>{`Code: ${model.licences.code ?? 'not recorded'}`}</div>
                    <div>{`Weights: ${model.licences.weights}`}</div>
                    <div>{`Training data: ${model.licences.trainingData ?? 'not recorded'}`}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : error ? null : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}
