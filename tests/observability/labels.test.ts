import { ANONYMOUS, BoundedLabel, OTHER, safeErrorCode, safeOperationName } from '../../lib/observability/labels';

describe('BoundedLabel', () => {
  it('passes the first values through and turns every later new value into other', () => {
    const label = new BoundedLabel(3);
    expect(['a', 'b', 'a', 'c'].map((v) => label.value(v))).toEqual(['a', 'b', 'a', 'c']);
    expect(label.value('d')).toBe(OTHER);
    expect(label.value('e')).toBe(OTHER);
    // Values seen before the cap keep their own series.
    expect(label.value('b')).toBe('b');
  });

  it('takes its own overflow value', () => {
    const label = new BoundedLabel(0, 'OTHER');
    expect(label.value('x')).toBe('OTHER');
  });
});

describe('safeOperationName', () => {
  it('keeps ordinary names', () => {
    expect(safeOperationName('PersonPicture')).toBe('PersonPicture');
    expect(safeOperationName('Person__dtv__0')).toBe('Person__dtv__0');
    expect(safeOperationName('Step12')).toBe('Step12');
  });

  it('masks every run of three or more digits, so a V-number never becomes a label', () => {
    expect(safeOperationName('Read2044001001')).toBe('Read##########');
    expect(safeOperationName('Read2044001001__dtv__0')).toBe('Read##########__dtv__0');
    expect(safeOperationName('a123b45')).toBe('a###b45');
  });

  it('calls absent and invalid names anonymous and cuts long ones', () => {
    expect(safeOperationName(undefined)).toBe(ANONYMOUS);
    expect(safeOperationName(null)).toBe(ANONYMOUS);
    expect(safeOperationName('')).toBe(ANONYMOUS);
    expect(safeOperationName('2044001001')).toBe(ANONYMOUS);
    expect(safeOperationName('has space')).toBe(ANONYMOUS);
    expect(safeOperationName('x"}\n')).toBe(ANONYMOUS);
    expect(safeOperationName('A'.repeat(200))).toHaveLength(64);
  });
});

describe('safeErrorCode', () => {
  it('keeps upper-case codes and calls anything else UNKNOWN', () => {
    expect(safeErrorCode('FORBIDDEN')).toBe('FORBIDDEN');
    expect(safeErrorCode('SUBGRAPH_TIMEOUT')).toBe('SUBGRAPH_TIMEOUT');
    expect(safeErrorCode(undefined)).toBe('UNKNOWN');
    expect(safeErrorCode(403)).toBe('UNKNOWN');
    expect(safeErrorCode('forbidden 2044001001')).toBe('UNKNOWN');
    expect(safeErrorCode('X'.repeat(65))).toBe('UNKNOWN');
  });
});
