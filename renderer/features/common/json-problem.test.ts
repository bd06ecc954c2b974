import { describe, expect, it } from 'vitest';
import { jsonProblem } from './json-problem.ts';

const problem = (text: string) => jsonProblem(text, 'The message');

describe('what is wrong with a JSON text, in the user’s terms', () => {
  it('says an empty text is empty (the engine said "Unexpected end of JSON input")', () => {
    for (const empty of ['', '   ', '\n\t'])
      expect(problem(empty)).toBe('The message is empty: write a JSON value, e.g. {"op":"increment"} or "hello".');
  });

  it('is null for any JSON value', () => {
    for (const ok of [
      '{"op":"increment"}',
      ' [1, 2.5e3, -0, "a\\n\\u00e9"] ',
      'null',
      '"hi"',
      '{\n  "a": {"b": []}\n}',
    ])
      expect(problem(ok)).toBeNull();
  });

  it('names the line and column an editor shows, and what was expected there', () => {
    expect(problem('{"op":"increment"')).toBe(
      'The message is not valid JSON at line 1, column 18: expected “,” or “}” after a property’s value, the text ends.',
    );
    expect(problem('{\n  "a": 1\n  "b": 2\n}')).toBe(
      'The message is not valid JSON at line 3, column 3: expected “,” or “}” after a property’s value, found “"”.',
    );
    expect(problem('{"op":1,}')).toBe(
      'The message is not valid JSON at line 1, column 9: expected a property name after “,” (no trailing comma), found “}”.',
    );
    expect(problem('{op: "increment"}')).toBe(
      'The message is not valid JSON at line 1, column 2: expected a property name in double quotes, found “op”.',
    );
    expect(problem("{'op': 1}")).toBe(
      "The message is not valid JSON at line 1, column 2: expected a property name in double quotes, found “'”.",
    );
    expect(problem('[1, 2,]')).toBe(
      'The message is not valid JSON at line 1, column 7: expected a value after “,” (no trailing comma), found “]”.',
    );
    expect(problem('{"a": True}')).toBe(
      'The message is not valid JSON at line 1, column 7: expected a value (an object, array, "string", number, true, false or null), found “True”.',
    );
    expect(problem('{"a": 1} {"b": 2}')).toBe(
      'The message is not valid JSON at line 1, column 10: expected nothing after the value (one JSON value only), found “{”.',
    );
    expect(problem('{"a": "x')).toBe(
      'The message is not valid JSON at line 1, column 9: expected the closing “"” of a string, the text ends.',
    );
    expect(problem('{"a": "x\ny"}')).toBe(
      'The message is not valid JSON at line 1, column 9: a string cannot span lines (write \\n), expected its closing “"”, found a line break.',
    );
    expect(problem('[01]')).toBe(
      'The message is not valid JSON at line 1, column 3: expected the number to end (no leading zeros), found “1”.',
    );
    expect(problem('"\\x"')).toBe(
      'The message is not valid JSON at line 1, column 3: expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u after “\\”, found “x”.',
    );
  });
});
