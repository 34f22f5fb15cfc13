import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProductName, productDirectory, productName, productPath, quicklookPath, shaPath } from './naming';

const key = {
  level: '1',
  file_type: 'PM',
  observatory: '1',
  date_obs: Date.UTC(2025, 4, 21, 12, 0, 0),
  file_version: '0',
};

describe('PUNCH naming', () => {
  it('names and places a product as the notes show (PUNCH_L1_PM1_20250521120000_v0.fits under root/1/PM1/2025/05/21)', () => {
    expect(productName(key)).toBe('PUNCH_L1_PM1_20250521120000_v0.fits');
    expect(productDirectory('/r', key)).toBe(path.join('/r', '1', 'PM1', '2025', '05', '21'));
    const p = productPath('/r', key);
    expect(quicklookPath(p)).toBe(p.replace(/\.fits$/, '.png'));
    expect(shaPath(p)).toBe(p.replace(/\.fits$/, '.sha'));
  });

  it('round-trips names of every level and observatory M (seconds kept, sub-seconds truncated)', () => {
    for (const level of ['0', '1', '2', '3', 'Q', 'H']) {
      const k = { ...key, level, observatory: 'M', file_type: 'CT', date_obs: Date.UTC(2026, 11, 7, 23, 59, 58) };
      expect(parseProductName(productName(k))).toEqual(k);
    }
    expect(productName({ ...key, date_obs: key.date_obs + 999 })).toBe('PUNCH_L1_PM1_20250521120000_v0.fits');
  });

  it('refuses unknown levels, type codes, observatories and versions with the field named', () => {
    expect(() => productName({ ...key, level: '4' })).toThrow(/level must be one of/);
    expect(() => productName({ ...key, file_type: 'ZZ' })).toThrow(/file_type is not a known type code: ZZ/);
    expect(() => productName({ ...key, observatory: '5' })).toThrow(/observatory must be one of/);
    expect(() => productName({ ...key, file_version: 'a_b' })).toThrow(/file_version/);
    expect(() => parseProductName('PUNCH_L1_PM1_2025_v0.fits')).toThrow(/not a PUNCH product name/);
  });
});
