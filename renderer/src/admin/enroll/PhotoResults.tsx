// What became of each uploaded photo.
import type { ReactNode } from 'react';

import type { ResponseOf } from '../../contract.js';
import { Icon } from '../../common/Icon.js';
import { PHOTO_STATUS_TEXT } from '../../wording/wording.js';

export type PhotoResult = ResponseOf<'enroll:photos'>['photos'][number];

export function PhotoResults({ photos }: { readonly photos: readonly PhotoResult[] }): ReactNode {
  return (
    <table className="table">
      <caption className="visually-hidden">Result per photo</caption>
      <thead>
        <tr>
          <th scope="col">Photo</th>
          <th scope="col">Result</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {photos.map((photo, index) => (
          <tr key={`${photo.file}-${index}`}>
            <td>{photo.file}</td>
            <td>
              <span className={photo.status === 'enrolled' ? 'badge badge-ok' : 'badge badge-bad'}>
                <Icon name={photo.status === 'enrolled' ? 'check' : 'cross'} />
                {PHOTO_STATUS_TEXT[photo.status]}
              </span>
            </td>
            <td>{photo.detail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
