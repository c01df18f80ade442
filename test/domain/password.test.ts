import { describe, expect, it } from 'vitest';
import { generatePassword, meetsEntraComplexity, PASSWORD_LENGTH } from '../../src/domain/password';

describe('generatePassword', () => {
  it('always satisfies Entra complexity with all four classes, ASCII only, 40 characters', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const password = generatePassword();
      expect(password).toHaveLength(PASSWORD_LENGTH);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(/[^A-Za-z0-9]/);
      expect(password).toMatch(/^[\x21-\x7e]+$/);
      expect(meetsEntraComplexity(password)).toBe(true);
      seen.add(password);
    }
    expect(seen.size).toBe(2000);
  });

  it('refuses lengths Entra or our policy would not accept', () => {
    expect(() => generatePassword(31)).toThrow(RangeError);
    expect(() => generatePassword(257)).toThrow(RangeError);
    expect(generatePassword(256)).toHaveLength(256);
  });

  it('the complexity check rejects weak passwords', () => {
    expect(meetsEntraComplexity('short1A')).toBe(false);
    expect(meetsEntraComplexity('alllowercaseletters')).toBe(false);
    expect(meetsEntraComplexity('Lower1234upper')).toBe(true);
    expect(meetsEntraComplexity('Ünïcode-Passw0rd')).toBe(false);
  });
});
