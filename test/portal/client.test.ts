import { describe, expect, it } from 'vitest';
import { checkedInPortalSchema, generatePortalSchema } from '../../local/portalClient';

describe('the portal API client', () => {
  it('is generated from the API document as it is now (run `npm run portal:client` after an API change)', async () => {
    const fresh = await generatePortalSchema();
    expect(fresh).toContain("'/requests/{id}/credential'");
    expect(
      await checkedInPortalSchema(),
      'portal/src/api/schema.d.ts differs from the API: npm run portal:client',
    ).toBe(fresh);
  });
});
