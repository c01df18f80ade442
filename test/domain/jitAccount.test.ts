import { describe, expect, it } from 'vitest';
import {
  aliasFor,
  isJitUserPrincipalName,
  jitLocalPartCandidates,
  jitUserPrincipalName,
  MAX_LOCAL_PART,
} from '../../src/domain/jitAccount';

describe('JIT account names', () => {
  it('derives the alias from the technician UPN', () => {
    expect(aliasFor('alice@msp.example')).toBe('alice');
    expect(aliasFor('Alice.Smith@msp.example')).toBe('alice-smith');
    expect(aliasFor("o'neil+ops@msp.example")).toBe('o-neil-ops');
    expect(aliasFor('José@msp.example')).toBe('jose');
    expect(aliasFor('@msp.example')).toBe('user');
  });

  it('gives jit-<alias> first and a hashed fallback, both within 64 characters', () => {
    const oid = '1a000000-0000-4000-8000-00000000a11c';
    const [plain, hashed] = jitLocalPartCandidates('alice@msp.example', oid);
    expect(plain).toBe('jit-alice');
    expect(hashed).toMatch(/^jit-alice-[0-9a-f]{8}$/);
    const long = `${'x'.repeat(100)}@msp.example`;
    for (const candidate of jitLocalPartCandidates(long, oid)) {
      expect(candidate.length).toBeLessThanOrEqual(MAX_LOCAL_PART);
      expect(candidate.startsWith('jit-')).toBe(true);
    }
  });

  it('the fallback differs between technicians with the same alias', () => {
    const a = jitLocalPartCandidates('alice@msp.example', '1a000000-0000-4000-8000-000000000001')[1];
    const b = jitLocalPartCandidates('alice@msp2.example', '1a000000-0000-4000-8000-000000000002')[1];
    expect(a).not.toBe(b);
  });

  it('builds and recognises JIT UPNs', () => {
    expect(jitUserPrincipalName('jit-alice', 'Contoso.Example')).toBe('jit-alice@contoso.example');
    expect(isJitUserPrincipalName('JIT-alice@contoso.example')).toBe(true);
    expect(isJitUserPrincipalName('breakglass@contoso.example')).toBe(false);
  });
});
