/**
 * Translates a JavaScript regular expression (the dialect grep promises) into ripgrep's default
 * syntax (Rust's regex crate), so a search on disk runs in linear time with the same meaning.
 * Constructs Rust's engine lacks (lookaround, backreferences, lone surrogates) translate to
 * undefined, and such a pattern is matched by JavaScript itself, off the main thread.
 */
import { RegExpParser, type AST } from '@eslint-community/regexpp';

/** JavaScript's \s, less '\n' (a line never holds one, and ripgrep refuses a '\n' in a pattern). */
const JS_SPACE = '\\t\\x{b}\\x{c}\\r\\x{20}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';
const SETS = { digit: '0-9', word: '0-9A-Za-z_', space: JS_SPACE } as const;
/** Never true at any position: what a '\n' in the pattern amounts to within one line. */
const NEVER = '(?-u:\\b\\B)';
const NEWLINE = 0x0a;

class Untranslatable extends Error {}

/** The Rust pattern for `pattern`, or undefined when only JavaScript can match it. `literal`: plain text. */
export function toRustRegex(pattern: string, options: { ignoreCase?: boolean; literal?: boolean } = {}): string | undefined {
  try {
    const body = options.literal ? literalText(pattern) : disjunction(parse(pattern).alternatives);
    return options.ignoreCase ? `(?i)${body}` : body;
  } catch (error) {
    if (error instanceof Untranslatable || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function parse(pattern: string): AST.Pattern {
  // Annex B syntax, as `new RegExp(pattern)` without the u flag accepts it.
  return new RegExpParser({ ecmaVersion: 2025, strict: false }).parsePattern(pattern, 0, pattern.length, { unicode: false, unicodeSets: false });
}

function literalText(text: string): string {
  let out = '';
  for (const char of text) out += char.codePointAt(0) === NEWLINE ? NEVER : codePoint(char.codePointAt(0)!);
  return out;
}

function disjunction(alternatives: AST.Alternative[]): string {
  return alternatives.map((alternative) => sequence(alternative.elements)).join('|');
}

function sequence(elements: AST.Element[]): string {
  let out = '';
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i]!;
    const next = elements[i + 1];
    // Without the u flag an astral character is two code units; ripgrep needs the code point.
    if (element.type === 'Character' && isHigh(element.value) && next?.type === 'Character' && isLow(next.value)) {
      out += codePoint(0x10000 + ((element.value - 0xd800) << 10) + (next.value - 0xdc00));
      i++;
    } else {
      out += term(element);
    }
  }
  return out;
}

function term(element: AST.Element): string {
  switch (element.type) {
    case 'Character':
      return element.value === NEWLINE ? NEVER : codePoint(element.value);
    case 'CharacterSet':
      if (element.kind === 'any') return '[^\\n\\r\\x{2028}\\x{2029}]';
      if (element.kind === 'property') throw new Untranslatable();
      return `[${element.negate ? '^' : ''}${SETS[element.kind]}]`;
    case 'CharacterClass':
      return characterClass(element);
    case 'Assertion':
      if (element.kind === 'start') return '^';
      if (element.kind === 'end') return '$';
      if (element.kind === 'word') return element.negate ? '(?-u:\\B)' : '(?-u:\\b)';
      throw new Untranslatable(); // lookahead, lookbehind
    case 'Group':
    case 'CapturingGroup':
      return `(?:${disjunction(element.alternatives)})`;
    case 'Quantifier':
      return `${term(element.element)}${quantifier(element)}`;
    default:
      throw new Untranslatable(); // backreferences, and anything newer than this translator
  }
}

function quantifier({ min, max, greedy }: AST.Quantifier): string {
  const count = max === Infinity ? (min === 0 ? '*' : min === 1 ? '+' : `{${min},}`) : min === 0 && max === 1 ? '?' : min === max ? `{${min}}` : `{${min},${max}}`;
  return greedy ? count : `${count}?`;
}

function characterClass(element: AST.CharacterClass): string {
  const items = element.elements.map((item) => {
    switch (item.type) {
      case 'Character':
        return item.value === NEWLINE ? '' : classChar(item.value);
      case 'CharacterClassRange':
        return `${classChar(item.min.value)}-${classChar(item.max.value)}`;
      case 'CharacterSet':
        if (item.kind !== 'digit' && item.kind !== 'word' && item.kind !== 'space') throw new Untranslatable();
        return `[${item.negate ? '^' : ''}${SETS[item.kind]}]`;
      default:
        throw new Untranslatable();
    }
  });
  const body = items.join('');
  // [] matches nothing and [^] anything; Rust has neither spelling.
  if (body === '') return element.negate ? '(?s:.)' : NEVER;
  return `[${element.negate ? '^' : ''}${body}]`;
}

function classChar(value: number): string {
  if (isHigh(value) || isLow(value)) throw new Untranslatable();
  return codePoint(value);
}

/** Letters and digits as they are; anything else escaped, so no character means syntax to Rust. */
function codePoint(value: number): string {
  if (isHigh(value) || isLow(value)) throw new Untranslatable();
  const char = String.fromCodePoint(value);
  return /^[0-9A-Za-z]$/.test(char) ? char : `\\x{${value.toString(16)}}`;
}

const isHigh = (value: number) => value >= 0xd800 && value <= 0xdbff;
const isLow = (value: number) => value >= 0xdc00 && value <= 0xdfff;
