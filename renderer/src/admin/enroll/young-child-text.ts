/**
 * What enrollment and the person page say when the samples look like a young child's (the contract's youngChild
 * notice); `setting` is where young children's credentials are set.
 */
export function youngChildText(name: string, estimatedAgeYears: number, setting = 'Settings › Card and face'): string {
  const years = Math.max(1, Math.round(estimatedAgeYears));
  return (
    `${name} looks like a young child (about ${years} year${years === 1 ? '' : 's'} old). Face recognition tells young children apart ` +
    `badly, so another child could be let in as them: the door asks for their card and face, unless young children may use the face alone (${setting}).`
  );
}

/** Said beside it at a terminal with no card reader: there the card the door asks for cannot be presented. */
export const YOUNG_CHILD_NO_READER_TEXT = 'This door has no card reader (Settings › Door inputs), so here they cannot get in by face.';
