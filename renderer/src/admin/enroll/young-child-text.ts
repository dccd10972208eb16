/** What enrollment says when the samples look like a young child's (the contract's youngChild notice). */
export function youngChildText(name: string, estimatedAgeYears: number, where = 'Settings › Card and face'): string {
  const years = Math.max(1, Math.round(estimatedAgeYears));
  return (
    `${name} looks like a young child (about ${years} year${years === 1 ? '' : 's'} old). Face recognition tells young children apart ` +
    `badly, so another child could be let in as them: put them in a group that needs card and face (${where}).`
  );
}
