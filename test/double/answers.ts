// The deterministic "model" behind the endpoint double: what it answers, derived only from the
// request text, as exported pure functions so tests can compute their expectations themselves
// instead of hard-coding results.
import { createHash } from 'node:crypto';

export const DOUBLE_DIMENSIONS = [
  'visual_quality',
  'temporal_consistency',
  'dynamic_degree',
  'text_alignment',
  'factual_consistency',
] as const;
export type DoubleDimension = (typeof DOUBLE_DIMENSIONS)[number];

export interface DoubleEntity {
  id: string;
  name: string;
  type: string;
  attributes: string[];
  actions: string[];
  relations: string[];
}

export interface DoubleQuestion {
  dimension: DoubleDimension;
  entity: string;
  text: string;
  polarity: 'positive' | 'negative';
}

/** Words that describe the next noun rather than being one ("a red umbrella" → umbrella [red]). */
export const ADJECTIVES: ReadonlySet<string> = new Set([
  'red',
  'orange',
  'yellow',
  'green',
  'blue',
  'purple',
  'pink',
  'black',
  'white',
  'gray',
  'grey',
  'brown',
  'golden',
  'silver',
  'small',
  'big',
  'large',
  'tiny',
  'huge',
  'tall',
  'short',
  'long',
  'young',
  'old',
  'wooden',
  'metal',
  'glass',
  'shiny',
  'dark',
  'bright',
  'fluffy',
  'little',
  'busy',
  'quiet',
  'sunny',
  'rainy',
  'snowy',
  'happy',
  'sad',
  'beautiful',
  'modern',
  'ancient',
]);

const PEOPLE = new Set(['man', 'woman', 'chef', 'person', 'child', 'boy', 'girl', 'people', 'dancer', 'player', 'astronaut', 'worker']);
const ANIMALS = new Set(['dog', 'cat', 'horse', 'bird', 'fish', 'cow', 'sheep', 'lion', 'tiger', 'bear', 'panda', 'rabbit', 'duck']);
const SCENES = new Set(['street', 'city', 'beach', 'forest', 'room', 'kitchen', 'park', 'sky', 'field', 'river', 'mountain', 'ocean']);

/**
 * The double's entity-extraction rule. Reads every article (a / an / the, any case) in `prompt`;
 * words after it that are in ADJECTIVES become attributes, and the first word that is not
 * becomes the entity's name (lower-cased, letters and hyphens only). Names are de-duplicated in
 * order of first appearance; attributes of repeated names are merged. Types: person, animal,
 * scene (from small word lists) or object. Ids are e1, e2, … in order. A prompt with no article
 * yields a single entity named "scene" of type scene.
 */
export function extractEntities(prompt: string): DoubleEntity[] {
  const words = prompt.toLowerCase().match(/[a-z][a-z-]*/g) ?? [];
  const byName = new Map<string, DoubleEntity>();
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== 'a' && words[i] !== 'an' && words[i] !== 'the') continue;
    const attributes: string[] = [];
    let j = i + 1;
    while (j < words.length && ADJECTIVES.has(words[j]!)) attributes.push(words[j++]!);
    const name = words[j];
    if (name === undefined || name === 'a' || name === 'an' || name === 'the') continue;
    const existing = byName.get(name);
    if (existing) {
      for (const a of attributes) if (!existing.attributes.includes(a)) existing.attributes.push(a);
      continue;
    }
    byName.set(name, {
      id: `e${byName.size + 1}`,
      name,
      type: PEOPLE.has(name) ? 'person' : ANIMALS.has(name) ? 'animal' : SCENES.has(name) ? 'scene' : 'object',
      attributes,
      actions: [],
      relations: [],
    });
  }
  if (byName.size === 0) return [{ id: 'e1', name: 'scene', type: 'scene', attributes: [], actions: [], relations: [] }];
  return [...byName.values()];
}

/**
 * The double's question-generation rule: for every entity, one question per dimension in
 * DOUBLE_DIMENSIONS order. temporal_consistency and factual_consistency questions are negative
 * ("Yes" means a bad video); the other three are positive.
 */
export function generateQuestions(entities: ReadonlyArray<{ name: string; attributes?: string[] | undefined }>): DoubleQuestion[] {
  const out: DoubleQuestion[] = [];
  for (const e of entities) {
    const described = [...(e.attributes ?? []), e.name].join(' ');
    out.push(
      {
        dimension: 'visual_quality',
        entity: e.name,
        polarity: 'positive',
        text: `Is the ${e.name} rendered clearly, without distortion or artifacts?`,
      },
      {
        dimension: 'temporal_consistency',
        entity: e.name,
        polarity: 'negative',
        text: `Does the ${e.name} flicker, change shape or change identity between frames?`,
      },
      {
        dimension: 'dynamic_degree',
        entity: e.name,
        polarity: 'positive',
        text: `Does the ${e.name} move or change noticeably during the video?`,
      },
      {
        dimension: 'text_alignment',
        entity: e.name,
        polarity: 'positive',
        text: `Does the video show ${/^[aeiou]/.test(described) ? 'an' : 'a'} ${described}?`,
      },
      {
        dimension: 'factual_consistency',
        entity: e.name,
        polarity: 'negative',
        text: `Does the ${e.name} pass through other objects or otherwise break physics?`,
      },
    );
  }
  return out;
}

/** FNV-1a over the UTF-8 bytes; stable across runs and platforms. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The double's default answer to a question: pYes in [0.02, 0.98] from a stable hash of the exact
 * question text (the whole last user text part); the sampled answer is the more likely one (ties
 * go to Yes), with a short reason that restates the first sentence ending in "?" without markup.
 */
export function answerFor(questionText: string): { pYes: number; answer: 'Yes' | 'No'; reason: string } {
  const u = (stableHash(questionText) % 10_000) / 10_000;
  const pYes = 0.02 + 0.96 * u;
  const answer = pYes >= 0.5 ? 'Yes' : 'No';
  // The reason restates the question's first sentence, without markup, so that an answering
  // template's instructions ("Reply as <reason>…</reason><answer>Yes</answer> …") are not echoed;
  // a question sent quoted (`<question>"…"</question>`, a JSON string) is read from inside.
  const asked = quotedQuestion(questionText) ?? questionText;
  const firstQuestion = (/^[^?\n]*\?/m.exec(asked)?.[0] ?? asked.split('\n')[0] ?? '').replace(/[<>]/g, '');
  const topic = firstQuestion
    .replace(/^\s*question\s*:\s*/i, '')
    .replace(/\?+\s*$/, '')
    .replace(/^(is|are|does|do|did|can)\s+/i, '')
    .trim();
  const reason =
    answer === 'Yes'
      ? `Across the sampled frames it holds that ${topic}; the evidence is consistent from start to end.`
      : `In several of the sampled frames it does not hold that ${topic}, so the answer is negative.`;
  return { pYes, answer, reason };
}

/** The question inside the last `<question>"…"</question>` block (a JSON string), if any. */
export function quotedQuestion(text: string): string | undefined {
  let found: string | undefined;
  for (const m of text.matchAll(/<question>("(?:[^"\\]|\\.)*")<\/question>/g)) {
    try {
      const value: unknown = JSON.parse(m[1]!);
      if (typeof value === 'string') found = value;
    } catch {
      // not a JSON string: not a quoted question
    }
  }
  return found;
}

/**
 * Where the double finds the user's text prompt inside a piece of request text. Tried in order,
 * first match wins: `<prompt>…</prompt>` (a JSON string inside is decoded, as the templates send
 * it), `"""…"""`, `<<<…>>>`, a ``` fenced block that is not JSON, a line `Prompt: …` (optionally
 * quoted). Falls back to the whole text. The result is trimmed.
 */
export function findPromptInText(text: string): string {
  const patterns = [
    /<prompt>([\s\S]*?)<\/prompt>/i,
    /"""([\s\S]*?)"""/,
    /<<<([\s\S]*?)>>>/,
    /```(?!json)[a-z]*\n([\s\S]*?)```/i,
    /^\s*(?:text\s+)?prompt\s*:\s*"?([^\n]*?)"?\s*$/im,
  ];
  for (const p of patterns) {
    const m = p.exec(text);
    if (m?.[1] === undefined || m[1].trim() === '') continue;
    const found = m[1].trim();
    if (found.startsWith('"')) {
      try {
        const decoded: unknown = JSON.parse(found);
        if (typeof decoded === 'string') return decoded.trim();
      } catch {
        // not JSON: use the text as it is
      }
    }
    return found;
  }
  return text.trim();
}

/**
 * Entities given to a question-generation request: the first JSON value in the text that is an
 * object with an `entities` array or an array of objects with a `name`. Null when there is none.
 */
export function findEntitiesInText(text: string): Array<{ name: string; attributes?: string[] }> | null {
  for (let start = 0; start < text.length; start++) {
    const c = text[start];
    if (c !== '{' && c !== '[') continue;
    const end = matchingBracket(text, start);
    if (end < 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(text.slice(start, end + 1));
    } catch {
      continue;
    }
    const list = Array.isArray(value) ? value : (value as { entities?: unknown } | null)?.entities;
    if (Array.isArray(list) && list.length > 0 && list.every((e) => typeof (e as { name?: unknown })?.name === 'string')) {
      return list.map((e: { name: string; attributes?: unknown }) => ({
        name: e.name,
        attributes: Array.isArray(e.attributes) ? e.attributes.filter((a): a is string => typeof a === 'string') : [],
      }));
    }
    start = end;
  }
  return null;
}

function matchingBracket(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
