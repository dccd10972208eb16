// The 1:N threshold for the current gallery: where it comes from and the error rates it is expected to give.
import type { ReactNode } from 'react';

import { Notice } from '../../common/ErrorNotice.js';
import { Facts } from '../../common/Facts.js';
import { asSentence } from '../../common/sentence.js';
import { identificationRows, type IdentificationInfo } from './identification-text.js';

export function IdentificationCard({ info }: { readonly info: IdentificationInfo }): ReactNode {
  return (
    <section className="card" aria-labelledby="sys-identification">
      <h2 id="sys-identification">Identification</h2>
      <Facts rows={identificationRows(info)} />
      {info.curveProtocol ? <p className="muted">{info.curveProtocol} Missed searches are those of the dev gallery: a larger gallery may miss a little more.</p> : null}
      {info.note ? (
        <Notice tone={info.source === 'fixed' ? 'warning' : 'info'}>
          <strong>{info.source === 'fixed' ? 'The threshold does not follow the gallery' : 'The threshold is an override'}</strong>
          <span>{asSentence(info.note)}.</span>
        </Notice>
      ) : null}
    </section>
  );
}
