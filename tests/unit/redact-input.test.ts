import { withoutSuppliedValue } from '../../lib/http/redact-input';

describe('withoutSuppliedValue', () => {
  it.each([
    ['String cannot represent a non string value: 2044001001', 'String cannot represent a non string value.'],
    ['Variable "$v" got invalid value "2044001001x"; String cannot represent', 'Variable "$v" got an invalid value; String cannot represent'],
    ['Variable "$i" got invalid value { vNumber: "2044001001" } at "i.vNumber"; Expected type', 'Variable "$i" got an invalid value at "i.vNumber"; Expected type'],
    ['Expected value of type "DateTime!", found "2044001001"; DateTime must be an ISO 8601 date-time', 'Expected value of type "DateTime!"; DateTime must be an ISO 8601 date-time'],
    ['Int cannot represent non-integer value: 2044001001.5', 'Int cannot represent non-integer value.'],
    ['Enum "ReturnStatus" cannot represent non-enum value: "2044001001".', 'Enum "ReturnStatus" cannot represent non-enum value.'],
    // graphql-js repeats the value in the reason after the variable, too.
    ['Variable "$v" got invalid value 2044001001; String cannot represent a non string value: 2044001001', 'Variable "$v" got an invalid value; String cannot represent a non string value.'],
    ['Variable "$n" got invalid value 20440010010; Int cannot represent non 32-bit signed integer value: 20440010010', 'Variable "$n" got an invalid value; Int cannot represent non 32-bit signed integer value.'],
    ['Variable "$i" got invalid value "2044001001" at "i.means[0]"; Value "2044001001" does not exist in "RestraintMeans" enum.', 'Variable "$i" got an invalid value at "i.means[0]"; The value does not exist in "RestraintMeans" enum.'],
  ])('cuts the supplied value from %j', (message, expected) => {
    const result = withoutSuppliedValue(message);
    expect(result).toBe(expected);
    expect(result).not.toContain('2044001001');
  });

  it('leaves messages without a supplied value alone', () => {
    expect(withoutSuppliedValue('Cannot query field "x" on type "Person".')).toBe('Cannot query field "x" on type "Person".');
  });
});
