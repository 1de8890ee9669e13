// oracle.cjs asks a provider's official Node SDK whether it accepts a signed
// webhook request. providers/catalogue's SDK cross-tests run it: one JSON
// object on stdin
//   {"provider": "...", "secret": "...", "method": "POST", "url": "...",
//    "headers": {"name": "value", ...}, "body": "<base64>"}
// and one on stdout: {"ok": true} or {"ok": false, "error": "..."}.
// Header names arrive lower-cased, as Node's http module gives them.
'use strict';

const oracles = {
  // @hubspot/api-client: Signature.isValid, signature version 3.
  hubspot: async (r) => {
    const { Signature } = require('@hubspot/api-client/lib/src/utils/signature');
    return Signature.isValid({
      signatureVersion: 'v3',
      signature: r.headers['x-hubspot-signature-v3'],
      clientSecret: r.secret,
      requestBody: r.body.toString('utf8'),
      method: r.method,
      url: r.url,
      timestamp: Number(r.headers['x-hubspot-request-timestamp']),
    });
  },
  // @linear/sdk: LinearWebhookClient.verify (signature and the body's
  // webhookTimestamp).
  linear: async (r) => {
    const { LinearWebhookClient } = await import('@linear/sdk/webhooks');
    return new LinearWebhookClient(r.secret).verify(r.body, r.headers['linear-signature']);
  },
  // @workos-inc/node: webhooks.verifyHeader (the SDK signs JSON.stringify of
  // the parsed payload: WorkOS sends compact JSON, so it is the body).
  workos: async (r) => {
    const { WorkOS } = require('@workos-inc/node');
    const workos = new WorkOS('sk_test_oracle');
    return workos.webhooks.verifyHeader({
      payload: JSON.parse(r.body.toString('utf8')),
      sigHeader: r.headers['workos-signature'],
      secret: r.secret,
    });
  },
  // box-node-sdk: WebhooksManager.validateMessage with the key as primary.
  box: async (r) => {
    const { WebhooksManager } = require('box-node-sdk/lib/managers/webhooks');
    return WebhooksManager.validateMessage(r.body.toString('utf8'), r.headers, r.secret);
  },
  // gocardless-nodejs: webhooks.parse.
  gocardless: async (r) => {
    const webhooks = require('gocardless-nodejs/webhooks');
    webhooks.parse(r.body, r.secret, r.headers['webhook-signature']);
    return true;
  },
  // telnyx: TelnyxWebhook.verify (Ed25519; the secret is the public key).
  telnyx: async (r) => {
    const { TelnyxWebhook } = require('telnyx/lib/webhooks');
    await new TelnyxWebhook(r.secret).verify(r.body.toString('utf8'), r.headers);
    return true;
  },
};

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const r = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  r.body = Buffer.from(r.body, 'base64');
  const oracle = oracles[r.provider];
  if (!oracle) throw new Error(`no oracle for ${r.provider}`);
  let out;
  try {
    const ok = await oracle(r);
    out = ok === true ? { ok: true } : { ok: false, error: `the SDK answered ${JSON.stringify(ok)}` };
  } catch (e) {
    out = { ok: false, error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(2);
});
