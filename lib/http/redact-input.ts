/**
 * graphql-js error messages about a wrongly typed input repeat the value the caller sent
 * ("String cannot represent a non string value: 2044001001"). A V-number typed into the
 * wrong place is still personal data, and error messages end up in logs and screenshots,
 * so the value is cut out and only the reason kept.
 */
const PATTERNS: Array<[RegExp, string]> = [
  // Variable "$v" got invalid value "x" at "a.b"; reason
  [/^Variable "(\$[A-Za-z_][A-Za-z0-9_]*)" got invalid value (?:"(?:[^"\\]|\\.)*"|\{[\s\S]*?\}|\[[\s\S]*?\]|[^;"]*?)( at "[^"]*")?; /, 'Variable "$1" got an invalid value$2; '],
  // Expected value of type "T", found x; reason   |   Expected value of type "T", found x.
  [/^Expected value of type ("[^"]*"), found [\s\S]*?(; |\.$|$)/, 'Expected value of type $1$2'],
  // String cannot represent a non string value: x   |   Int cannot represent non-integer value: x
  // (alone, or as the reason after a variable's "; ")
  [/(^|; )(\w+ cannot represent (?:a )?non[- ]?[\w -]+ value): [\s\S]*$/, '$1$2.'],
  // Enum "E" cannot represent non-enum value: x.   |   ID cannot represent value: x
  [/(^|; )((?:Enum "[^"]*"|\w+) cannot represent (?:non-enum )?value): [\s\S]*$/, '$1$2.'],
  // Value "x" does not exist in "E" enum.
  [/(^|; )Value (?:"(?:[^"\\]|\\.)*"|\S+) does not exist in ("[^"]*") enum\./, '$1The value does not exist in $2 enum.'],
];

/** The message with any value the caller supplied removed; other messages unchanged. */
export function withoutSuppliedValue(message: string): string {
  let result = message;
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}
