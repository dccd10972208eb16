// Enrolled photos (persons:photo) as data: URLs, fetched once per person and shared by the decision screen and
// the people list. Failures are not remembered: the next look tries again.
import type { ContractClient } from '../contract.js';

/** Photos kept, most recently used last. */
const PHOTO_CACHE_SIZE = 300;

export class PhotoCache {
  private readonly photos = new Map<string, Promise<string | null>>();

  constructor(private readonly client: ContractClient) {}

  /** The person's photo as a `data:image/jpeg;base64,` URL; null when they have none (or it cannot be had now). */
  get(personId: string): Promise<string | null> {
    const cached = this.photos.get(personId);
    if (cached) {
      this.photos.delete(personId);
      this.photos.set(personId, cached);
      return cached;
    }
    const photo = this.client['persons:photo']({ id: personId }).then((result) => {
      if (result.ok) return `data:${result.value.mimeType};base64,${result.value.dataBase64}`;
      if (result.error.code !== 'not-found') this.photos.delete(personId);
      return null;
    });
    this.photos.set(personId, photo);
    if (this.photos.size > PHOTO_CACHE_SIZE) {
      const oldest = this.photos.keys().next().value;
      if (oldest !== undefined) this.photos.delete(oldest);
    }
    return photo;
  }

  /** Forgets a person's photo (deleted, re-enrolled). */
  forget(personId: string): void {
    this.photos.delete(personId);
  }
}
