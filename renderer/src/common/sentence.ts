/** A message as a sentence: a capital first letter (the terminal's messages start in lower case). */
export function asSentence(message: string): string {
  return message.length > 0 ? message.charAt(0).toUpperCase() + message.slice(1) : message;
}
