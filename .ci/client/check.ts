// A client an integrator would write, type-checked against the types openapi-typescript
// generates from the committed document (`.ci/run` writes them to .ci/out/api.d.ts). If a
// `$ref`'d parameter, response or schema stops resolving to a usable type, this stops compiling.
import createClient from "openapi-fetch";
import type { components, paths } from "../out/api";

const client = createClient<paths>({ baseUrl: "https://ffc.example.gov.uk" });

export async function prepareMeeting(familyId: string): Promise<void> {
  const family = await client.GET("/api/v1/families/{family_id}", {
    params: { path: { family_id: familyId }, header: { "X-Purpose": "TAF meeting" } },
  });
  if (family.data) {
    const reference: string = family.data.reference;
    console.log(reference, family.response.headers.get("ETag"));
  }
  const note = await client.POST("/api/v1/families/{family_id}/notes", {
    params: { path: { family_id: familyId }, header: { "Idempotency-Key": "meeting-2026-12-02" } },
    body: { text: "Met the family at home." },
  });
  const problem: components["schemas"]["Problem"] | undefined = note.error;
  console.log(problem?.errors?.map((e) => e.field));
  const page = await client.GET("/api/v1/families", {
    params: { query: { postcode: "S60 1AE", limit: 10 } },
  });
  const next: string | null | undefined = page.data?.next_cursor;
  console.log(next);
}

export async function providerUpdate(referralId: string): Promise<void> {
  const posted = await client.POST("/api/v1/referrals/{referral_id}/updates", {
    params: { path: { referral_id: referralId }, header: { "Idempotency-Key": "update-1" } },
    body: { kind: "session", occurred_on: "2014-09-08", session_held: true, note: "First session held." },
  });
  console.log(posted.response.status);
}
