/**
 * What is wrong with a JSON text, in the user's terms: where (line and column, as an editor counts them) and what
 * was expected there. The engine's own messages ("Unexpected end of JSON input", "…at position 17") differ between
 * engines and count characters from 0; this scanner reads the text the way JSON's grammar does and stops at the
 * first thing that does not fit. Pure, unit-tested.
 */

/** Why `text` is not one JSON value, or null when it is. `what` names the text ("The message"). */
export function jsonProblem(text: string, what: string): string | null {
  if (text.trim() === '') return `${what} is empty: write a JSON value, e.g. {"op":"increment"} or "hello".`;
  try {
    JSON.parse(text);
    return null;
  } catch {
    // Read it again, slowly, to say where and why.
  }
  const at = firstError(text);
  // The scanner accepts what the engine refused: say so without a place rather than point at the wrong one.
  if (!at) return `${what} is not valid JSON.`;
  const before = text.slice(0, at.index);
  const line = before.split('\n').length;
  const column = at.index - before.lastIndexOf('\n');
  const found = at.index >= text.length ? 'the text ends' : `found ${shown(text, at.index)}`;
  return `${what} is not valid JSON at line ${line}, column ${column}: ${at.expected}, ${found}.`;
}

function shown(text: string, i: number): string {
  const c = text[i]!;
  if (c === '\n') return 'a line break';
  if (c === '\t') return 'a tab';
  if (c < ' ') return `control character U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
  // A bare word (an unquoted key, `True`, `undefined`) reads better whole.
  const word = /^[A-Za-z_$][\w$]*/.exec(text.slice(i))?.[0];
  return `“${word ?? c}”`;
}

interface JsonError {
  readonly index: number;
  readonly expected: string;
}

class Stop {
  constructor(readonly error: JsonError) {}
}

/** Where the JSON grammar first fails in `text`, or null if it does not. */
function firstError(text: string): JsonError | null {
  let i = 0;
  const fail = (expected: string, at = i): never => {
    throw new Stop({ index: at, expected });
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail('expected the closing “"” of a string');
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c === '\n') fail('a string cannot span lines (write \\n), expected its closing “"”');
      if (c < ' ') fail('expected the closing “"” of a string (control characters must be escaped)');
      if (c === '\\') {
        const e = text[i + 1];
        if (e === undefined) fail('expected an escape after “\\”', i + 1);
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('expected four hex digits after “\\u”', i + 2);
          i += 6;
        } else if ('"\\/bfnrt'.includes(e!)) i += 2;
        else fail('expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u after “\\”', i + 1);
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '-') fail('expected a number');
    i += m![0].length;
    if (i < text.length && /[\d.eE]/.test(text[i]!)) fail('expected the number to end (no leading zeros)');
  };
  const value = (): void => {
    ws();
    if (i >= text.length) fail('expected a value');
    const c = text[i]!;
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    if (c === "'") fail('expected a value (strings take double quotes)');
    fail('expected a value (an object, array, "string", number, true, false or null)');
  };
  const object = () => {
    i++;
    ws();
    if (text[i] === '}') return void i++;
    for (;;) {
      ws();
      if (text[i] === '}') fail('expected a property name after “,” (no trailing comma)');
      if (text[i] !== '"') fail('expected a property name in double quotes');
      string();
      ws();
      if (text[i] !== ':') fail('expected “:” after the property name');
      i++;
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') return void i++;
      fail('expected “,” or “}” after a property’s value');
    }
  };
  const array = () => {
    i++;
    ws();
    if (text[i] === ']') return void i++;
    for (;;) {
      ws();
      if (text[i] === ']') fail('expected a value after “,” (no trailing comma)');
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') return void i++;
      fail('expected “,” or “]” after an array element');
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail('expected nothing after the value (one JSON value only)');
    return null;
  } catch (e) {
    if (e instanceof Stop) return e.error;
    throw e;
  }
}
