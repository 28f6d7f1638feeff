// When two questions are "the same question": same words, ignoring case, spacing, curly quotes
// and the final punctuation.

export function normaliseQuestionText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201b]/g, "'")
    .replace(/[\u201c\u201d\u201f]/g, '"')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s?.!]+$/, '');
}

export function normaliseEntityName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}
